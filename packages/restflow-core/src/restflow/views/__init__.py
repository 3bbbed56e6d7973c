"""`restflow.views`: see the restflow-core README."""
