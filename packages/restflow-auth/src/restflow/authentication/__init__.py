"""`restflow.authentication`: see the restflow-auth README."""
