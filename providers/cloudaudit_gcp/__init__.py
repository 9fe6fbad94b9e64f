"""The GCP provider of cloudaudit (the plugin lands later; ``fake`` serves the Google JSON APIs locally)."""
