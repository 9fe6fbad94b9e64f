"""Report writers: they read only the model (FindingsDocument), never the cloud."""
