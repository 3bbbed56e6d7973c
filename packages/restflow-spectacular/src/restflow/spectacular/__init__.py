"""`restflow.spectacular`: see the restflow-spectacular README."""
