"""Azure checks, one module per service (registered by :meth:`AzurePlugin.load`)."""
