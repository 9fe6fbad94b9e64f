"""The ``cloudaudit`` command line."""
