"""Models the schema tests describe; the schema never queries them."""

from django.db import models


class Widget(models.Model):
    name = models.CharField(max_length=50)
    slug = models.SlugField(unique=True)
    price = models.DecimalField(max_digits=8, decimal_places=2)

    class Meta:
        app_label = "restflow_spectacular_tests"
