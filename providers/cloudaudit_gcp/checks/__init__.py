"""GCP checks, one module per concern; registered by ``GcpPlugin.load``."""
