"""`restflow.caching`: see the restflow-caching README."""
