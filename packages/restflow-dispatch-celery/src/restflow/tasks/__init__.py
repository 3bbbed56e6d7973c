"""`restflow.tasks`: see the restflow-dispatch-celery README."""
