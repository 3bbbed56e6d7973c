"""Models the serializer tests validate and save against."""

from django.db import models


class SampleModel(models.Model):
    integer_field = models.IntegerField(default=0)
    string_field = models.CharField(max_length=100, default="", blank=True)
    choice_field = models.CharField(
        max_length=10, choices=[("a", "A"), ("b", "B")], default="a", blank=True
    )

    class Meta:
        app_label = "serializers_tests"


class RelatedModel(models.Model):
    sample_model = models.ForeignKey(SampleModel, on_delete=models.CASCADE, related_name="related")
    name = models.CharField(max_length=50, default="")

    class Meta:
        app_label = "serializers_tests"


class Tag(models.Model):
    name = models.CharField(max_length=30, unique=True)

    class Meta:
        app_label = "serializers_tests"


class Article(models.Model):
    title = models.CharField(max_length=100)
    body = models.TextField(default="", blank=True)
    tags = models.ManyToManyField(Tag, blank=True)

    class Meta:
        app_label = "serializers_tests"


class Pair(models.Model):
    left = models.IntegerField()
    right = models.IntegerField()

    class Meta:
        app_label = "serializers_tests"
        unique_together = [("left", "right")]
