"""`restflow.test`: see the restflow-core README."""
