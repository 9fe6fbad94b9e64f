"""The provider-neutral collection engine: work units, gaps, pools; a provider plugs in its SDK."""
