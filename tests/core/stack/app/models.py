"""Models of the stack tests (label ``core_stack_tests``)."""

from django.conf import settings
from django.db import models


class Item(models.Model):
    name = models.CharField(max_length=50)
    choice_field = models.CharField(max_length=5, default="a")
    created = models.IntegerField(default=0)

    class Meta:
        app_label = "core_stack_tests"
        ordering = ["id"]


class Note(models.Model):
    text = models.CharField(max_length=50)

    class Meta:
        app_label = "core_stack_tests"


class ApiToken(models.Model):
    """Token model for DRF's TokenAuthentication without ``rest_framework.authtoken``."""

    key = models.CharField(max_length=40, primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)

    class Meta:
        app_label = "core_stack_tests"
