"""Cached functions shared by the test process and the Celery worker it starts."""
