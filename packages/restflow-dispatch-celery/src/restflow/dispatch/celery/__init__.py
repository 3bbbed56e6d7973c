"""`restflow.dispatch.celery`: see the restflow-dispatch-celery README."""
