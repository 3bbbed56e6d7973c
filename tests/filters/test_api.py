"""Public surface (filters.md §1)."""

from __future__ import annotations

from pathlib import Path

import restflow.filters as rf
import restflow.filters.backends as backends
import restflow.filters.parameters as parameters
from restflow import helpers
from restflow.filters import fields as ff

SPEC_ALL = [
    "BooleanField", "ChoiceField", "DateField", "DateTimeField", "DecimalField", "DurationField",
    "Email", "EmailField", "Field", "FilterSet", "FloatField", "IPAddress", "IPAddressField",
    "InlineFilterSet", "IntegerField", "ListField", "MultipleChoiceField", "OrderField",
    "RelatedField", "RestflowFilterBackend", "StringField", "TimeField",
]  # fmt: skip


def test_all_names_import():
    """F-API-001"""
    for name in [*SPEC_ALL, "UUIDField"]:
        assert getattr(rf, name) is not None
    assert sorted(rf.__all__) == sorted([*SPEC_ALL, "UUIDField"])
    assert len(rf.__all__) == len(set(rf.__all__))


def test_module_names_on_the_package():
    """F-API-001: public names of fields and filters are attributes of the package."""
    from restflow.filters import filters as fs_module

    names = ["ALL_FIELDS", "LOOKUP_CATEGORIES", "DEFAULT_FIELD_LOOKUPS", "LOOKUP_BOUND_LABELS",
             "bound_label", "LOOKUP_DEFAULT_FIELD", "DataTypeSerializerMap", "process_lookups",
             "extract_model_fields", "build_filter_field", "LookupsType", "FieldsType"]  # fmt: skip
    for name in names:
        assert getattr(rf, name) is getattr(ff, name)
    for name in ("FilterOptions", "FilterMetaClass", "DJANGO_FIELD_MAP", "QuerySetT",
                 "getattr_multi_source"):  # fmt: skip
        assert getattr(rf, name) is getattr(fs_module, name)
    assert rf.getattr_multi_source is helpers.getattr_multi_source
    assert ff.ALL_FIELDS == "__all__"
    try:
        rf.nope  # noqa: B018
    except AttributeError as exc:
        assert "nope" in str(exc)


def test_marker_types_are_the_helpers_ones():
    """F-API-002"""
    assert rf.Email is helpers.Email
    assert rf.IPAddress is helpers.IPAddress


def test_backend_lazy_reexports():
    """F-API-003"""
    from restflow.filters.backends import (  # noqa: F401
        LOOKUP_DESCRIPTIONS,
        build_filterset_parameters,
        field_to_schema,
        get_field_description,
    )

    try:
        backends.nope  # noqa: B018
    except AttributeError as exc:
        assert "has no attribute 'nope'" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")


def test_lookup_categories_table():
    """F-API-004"""
    assert ff.LOOKUP_CATEGORIES == {
        "basic": ["exact", "in", "isnull"],
        "text": ["icontains", "contains", "startswith", "endswith", "iexact"],
        "comparison": ["gt", "gte", "lt", "lte"],
        "date": ["date", "year", "month", "day", "week", "week_day", "quarter"],
        "time": ["time", "hour", "minute", "second"],
        "postgres": ["search", "trigram_similar", "unaccent"],
        "pg_array": ["contains", "overlaps", "contained_by"],
        "unsafe": ["regex", "iregex"],
    }


def test_bound_label():
    """F-API-005"""
    assert ff.bound_label("gte") == "Inclusive Lower Bound"
    assert ff.bound_label("foo_bar") == "Foo Bar"


def test_empty_filterset_instantiates():
    """F-API-006"""

    class Empty(rf.FilterSet):
        pass

    fs = Empty(data={})
    assert fs.is_valid()
    assert dict(fs.fields) == {}


def test_parameters_identity_and_backend_without_spectacular():
    """F-API-007 W-21: the backend answers schema parameters with restflow-filters alone."""
    assert backends.build_filterset_parameters is parameters.build_filterset_parameters
    for name in backends._PARAMETER_EXPORTS:
        assert getattr(backends, name) is getattr(parameters, name)

    class F(rf.FilterSet):
        price = rf.IntegerField(lookups=["gte"])

    class View:
        filterset_class = F

    params = rf.RestflowFilterBackend().get_schema_operation_parameters(View())
    assert [p["name"] for p in params] == ["price", "price__gte", "price!", "price__gte!"]
    assert params[0] == {
        "name": "price",
        "in": "query",
        "required": False,
        "schema": {"type": "integer"},
    }
    source = "".join(Path(m.__file__).read_text() for m in (backends, parameters))
    assert "spectacular" not in source.replace("drf-spectacular", "")
    try:
        import restflow.spectacular.parameters as sp
    except ImportError:
        return
    if hasattr(sp, "build_filterset_parameters"):
        assert sp.build_filterset_parameters is parameters.build_filterset_parameters


def test_schema_parameters_without_any_spectacular(tmp_path):
    """F-API-007 W-21: with drf-spectacular and restflow-spectacular unimportable, the
    backend still answers its schema parameters."""
    import json
    import subprocess
    import sys

    script = """
import json, sys
sys.modules["drf_spectacular"] = None
sys.modules["restflow.spectacular"] = None
import django
from django.conf import settings
DB = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
settings.configure(INSTALLED_APPS=["rest_framework"], DATABASES={"default": DB})
django.setup()
from restflow.filters import FilterSet, IntegerField, RestflowFilterBackend
class F(FilterSet):
    price = IntegerField(lookups=["gte"])
class View:
    filterset_class = F
print(json.dumps(RestflowFilterBackend().get_schema_operation_parameters(View())))
"""
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    params = json.loads(out.stdout)
    assert [p["name"] for p in params] == ["price", "price__gte", "price!", "price__gte!"]
    assert params[1]["description"] == "price is greater than or equal to"
