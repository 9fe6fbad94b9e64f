"""GCP collection: SDK calls (``fetch``) and pure translation to assets, per service."""
