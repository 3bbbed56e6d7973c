"""Helpers shared by every restflow distribution.

Import-safe by contract (stack.md §0): only asgiref, Django and the standard library at
module level, never ``rest_framework.views`` or anything that imports it.
"""

from restflow.helpers.annotations import resolve_field_from_type
from restflow.helpers.attributes import getattr_multi_source, sort_dict
from restflow.helpers.awaitables import maybe_await, require_sync, run_sync
from restflow.helpers.compat import aauthenticate, auser
from restflow.helpers.markers import (
    RESERVED_SERIALIZER_ATTRS,
    BlankableString,
    Email,
    IPAddress,
    NotRequired,
)
from restflow.helpers.version import get_version, get_versions

__all__ = [
    "RESERVED_SERIALIZER_ATTRS",
    "BlankableString",
    "Email",
    "IPAddress",
    "NotRequired",
    "aauthenticate",
    "auser",
    "get_version",
    "get_versions",
    "getattr_multi_source",
    "maybe_await",
    "require_sync",
    "resolve_field_from_type",
    "run_sync",
    "sort_dict",
]
