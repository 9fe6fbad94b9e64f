"""Check registry, declarative checks and the evaluation runner."""
