"""`restflow.dispatch.django_rq`: see the restflow-dispatch-rq README."""
