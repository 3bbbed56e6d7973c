"""Models of the auth tests: a UUID-keyed user without an ``objects`` manager (W-05, W-07)."""

import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models


class UUIDUser(AbstractBaseUser):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True)
    username = models.CharField(max_length=50, unique=True)
    is_active = models.BooleanField(default=True)

    people = BaseUserManager()  # no ``objects``: lookups must use _default_manager

    USERNAME_FIELD = "username"

    class Meta:
        app_label = "auth_tests"


class ApiKey(models.Model):
    """Stand-in for DRF's authtoken model (A-BUILTIN-007)."""

    key = models.CharField(max_length=40, unique=True)
    user = models.ForeignKey("auth.User", on_delete=models.CASCADE)

    class Meta:
        app_label = "auth_tests"
