"""Cached functions shared by the test process and the django-q cluster it starts."""
