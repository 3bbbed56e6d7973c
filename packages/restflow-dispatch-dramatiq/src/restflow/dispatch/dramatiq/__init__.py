"""`restflow.dispatch.dramatiq`: see the restflow-dispatch-dramatiq README."""
