"""Cached functions shared by the test process and the Dramatiq worker it starts."""
