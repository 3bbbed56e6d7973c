"""Cached functions shared by the test process and the RQ worker it starts."""
