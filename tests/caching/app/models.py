from django.db import models


class Team(models.Model):
    name = models.CharField(max_length=50, default="")

    class Meta:
        app_label = "caching_tests"


class SampleModel(models.Model):
    name = models.CharField(max_length=50, default="")
    username = models.CharField(max_length=50, default="")
    email = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    value = models.IntegerField(default=0)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        app_label = "caching_tests"


class SampleProxy(SampleModel):
    class Meta:
        proxy = True
        app_label = "caching_tests"


class SampleChild(SampleModel):
    extra = models.CharField(max_length=20, default="")

    class Meta:
        app_label = "caching_tests"
