"""Marker types that serializers and filtersets turn into dedicated fields."""

from __future__ import annotations

import sys
from typing import NewType

if sys.version_info >= (3, 11):
    from typing import NotRequired
else:  # pragma: no cover - exercised by the Python 3.10 matrix entry
    from typing_extensions import NotRequired

Email = NewType("Email", str)
IPAddress = NewType("IPAddress", str)
BlankableString = NewType("BlankableString", str)

# Names a declarative class cannot use for a field: they are attributes of the class itself.
RESERVED_SERIALIZER_ATTRS = frozenset(
    {"data", "errors", "validated_data", "instance", "initial_data", "fields", "context"}
)

__all__ = ["RESERVED_SERIALIZER_ATTRS", "BlankableString", "Email", "IPAddress", "NotRequired"]
