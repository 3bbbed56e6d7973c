"""`restflow.serializers`: see the restflow-serializers README."""
