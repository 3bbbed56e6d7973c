"""Models of the filter tests. PostgreSQL-only columns live on unmanaged models whose tables
the PostgreSQL fixtures create, so the SQLite pass never sees them."""

import uuid

from django.contrib.postgres.fields import ArrayField, IntegerRangeField
from django.db import models


class Sample(models.Model):
    integer_field = models.IntegerField(default=0)
    string_field = models.CharField(max_length=100, default="")
    boolean_field = models.BooleanField(default=False)
    date_field = models.DateField(null=True, blank=True)
    datetime_field = models.DateTimeField(null=True, blank=True)
    decimal_field = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    email_field = models.EmailField(default="a@example.com")
    choice_field = models.CharField(
        max_length=1, choices=[("a", "A"), ("b", "B"), ("c", "C")], default="a"
    )
    nullable_int = models.IntegerField(null=True, blank=True)
    time_field = models.TimeField(null=True, blank=True)
    duration_field = models.DurationField(null=True, blank=True)
    float_field = models.FloatField(default=0.0)

    class Meta:
        app_label = "filters_tests"
        ordering = ["id"]


class Related(models.Model):
    sample_model = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="related_items")
    name = models.CharField(max_length=100, default="")

    class Meta:
        app_label = "filters_tests"


class Tag(models.Model):
    name = models.CharField(max_length=50)

    class Meta:
        app_label = "filters_tests"


class Article(models.Model):
    title = models.CharField(max_length=100, default="")
    body = models.TextField(default="")
    tags = models.ManyToManyField(Tag, related_name="articles")

    class Meta:
        app_label = "filters_tests"


class UUIDThing(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    uid = models.UUIDField(default=uuid.uuid4)
    name = models.CharField(max_length=50, default="")

    class Meta:
        app_label = "filters_tests"


class UUIDChild(models.Model):
    parent = models.ForeignKey(UUIDThing, on_delete=models.CASCADE)
    profile = models.OneToOneField(Sample, on_delete=models.CASCADE, null=True)

    class Meta:
        app_label = "filters_tests"


class Precise(models.Model):
    amount = models.DecimalField(max_digits=10, decimal_places=4)
    js = models.JSONField(default=dict)
    slug = models.SlugField(default="")
    url = models.URLField(default="")
    text = models.TextField(default="")
    big = models.BigIntegerField(default=0)
    small = models.SmallIntegerField(default=0)
    pos = models.PositiveIntegerField(default=0)
    pos_small = models.PositiveSmallIntegerField(default=0)
    pos_big = models.PositiveBigIntegerField(default=0)
    ip = models.GenericIPAddressField(null=True)
    num = models.IntegerField(choices=[(1, "one"), (2, "two")], default=1)

    class Meta:
        app_label = "filters_tests"


class AbstractThing(models.Model):
    name = models.CharField(max_length=10)

    class Meta:
        app_label = "filters_tests"
        abstract = True


class PgDoc(models.Model):
    """PostgreSQL only (unmanaged: created by the PostgreSQL fixtures)."""

    name = models.CharField(max_length=100, default="")
    body = models.TextField(default="")
    tags = ArrayField(models.CharField(max_length=30), default=list)
    integer_array = ArrayField(models.IntegerField(), default=list)
    string_array = ArrayField(models.CharField(max_length=30), default=list)
    date_array = ArrayField(models.DateField(), default=list)
    decimal_array = ArrayField(models.DecimalField(max_digits=6, decimal_places=2), default=list)
    price_range = IntegerRangeField(null=True)

    class Meta:
        app_label = "filters_tests"
        managed = False
