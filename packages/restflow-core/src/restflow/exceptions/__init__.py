"""`restflow.exceptions`: see the restflow-core README."""
