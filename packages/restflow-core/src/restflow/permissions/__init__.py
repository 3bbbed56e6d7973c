"""`restflow.permissions`: see the restflow-core README."""
