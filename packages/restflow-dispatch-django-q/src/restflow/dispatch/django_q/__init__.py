"""`restflow.dispatch.django_q`: see the restflow-dispatch-django-q README."""
