"""`restflow.filters`: see the restflow-filters README."""
