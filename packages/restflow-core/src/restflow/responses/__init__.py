"""`restflow.responses`: see the restflow-core README."""
