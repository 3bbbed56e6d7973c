"""Models of the views tests: items, their notes (FK) and owned records."""

from django.conf import settings
from django.db import models


class Item(models.Model):
    integer_field = models.IntegerField(default=0)
    string_field = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "core_views_tests"
        ordering = ["id"]


class Note(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="notes", null=True)
    name = models.CharField(max_length=100)
    rank = models.IntegerField(default=0)

    class Meta:
        app_label = "core_views_tests"
        ordering = ["id"]


class Owned(models.Model):
    title = models.CharField(max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )

    class Meta:
        app_label = "core_views_tests"
        ordering = ["id"]
