"""`restflow.pagination`: see the restflow-core README."""
