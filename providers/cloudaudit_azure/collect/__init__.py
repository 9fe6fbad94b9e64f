"""Azure collection: the session, the error classifier, the guard and one module per service."""
