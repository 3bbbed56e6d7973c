"""Scenario modules that serve views through the ASGI handler append their patterns here."""

urlpatterns: list = []
