"""``restflow.filters``: declarative filtersets for Django REST Framework (filters.md)."""

from restflow.filters import fields as _fields
from restflow.filters import filters as _filters
from restflow.filters.backends import RestflowFilterBackend
from restflow.filters.fields import (
    BooleanField,
    ChoiceField,
    DateField,
    DateTimeField,
    DecimalField,
    DurationField,
    EmailField,
    Field,
    FloatField,
    IntegerField,
    IPAddressField,
    ListField,
    MultipleChoiceField,
    OrderField,
    RelatedField,
    StringField,
    TimeField,
    UUIDField,
)
from restflow.filters.filters import FilterSet, InlineFilterSet
from restflow.helpers import Email, IPAddress

__all__ = [
    "BooleanField",
    "ChoiceField",
    "DateField",
    "DateTimeField",
    "DecimalField",
    "DurationField",
    "Email",
    "EmailField",
    "Field",
    "FilterSet",
    "FloatField",
    "IPAddress",
    "IPAddressField",
    "InlineFilterSet",
    "IntegerField",
    "ListField",
    "MultipleChoiceField",
    "OrderField",
    "RelatedField",
    "RestflowFilterBackend",
    "StringField",
    "TimeField",
    "UUIDField",
]


def __getattr__(name: str):  # the public names of fields and filters, not in __all__
    for module in (_fields, _filters):
        if name in getattr(module, "__all__", ()):
            return getattr(module, name)
    raise AttributeError(f"module 'restflow.filters' has no attribute '{name}'")
