"""Type-driven DRF serializers with an async API (see docs/serializers.md)."""

from restflow.helpers import Email, IPAddress, NotRequired
from restflow.serializers.fields import DecimalField, Field, SerializerFieldMap, get_field_from_type
from restflow.serializers.serializers import (
    HyperlinkedModelSerializer,
    InlineSerializer,
    ListSerializer,
    ModelSerializer,
    Serializer,
)
from restflow.serializers.validated_data import ValidatedData

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
