"""Type-driven DRF serializers with an async API (see docs/serializers.md)."""

from typing import TYPE_CHECKING, Any

from restflow.helpers import Email, IPAddress, NotRequired
from restflow.serializers.fields import DecimalField, SerializerFieldMap, get_field_from_type
from restflow.serializers.serializers import (
    HyperlinkedModelSerializer,
    InlineSerializer,
    ListSerializer,
    ModelSerializer,
    Serializer,
)
from restflow.serializers.validated_data import ValidatedData

if TYPE_CHECKING:
    # To a type checker ``Field(...)`` is Any, so ``age: int = Field(min_value=0)`` checks.
    Field: Any
else:
    from restflow.serializers.fields import Field

__all__ = [
    "DecimalField",
    "Email",
    "Field",
    "HyperlinkedModelSerializer",
    "IPAddress",
    "InlineSerializer",
    "ListSerializer",
    "ModelSerializer",
    "NotRequired",
    "Serializer",
    "SerializerFieldMap",
    "ValidatedData",
    "get_field_from_type",
]
