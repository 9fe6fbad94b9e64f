"""AWS collection: all SDK I/O of the provider lives in this package."""
