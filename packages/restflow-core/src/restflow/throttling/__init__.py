"""`restflow.throttling`: see the restflow-core README."""
