"""restflow-spectacular with its optional neighbours (and drf-spectacular) missing.

Each case runs in a fresh interpreter where the missing distributions' modules are made
unimportable (``sys.modules[name] = None``, which is also what ``find_spec`` reports as
absent), so what is checked is the import-time behaviour, not a patched module.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from tests.spectacular.helpers import FILTERS

PRELUDE = """
import json, sys
for name in {blocked!r}:
    sys.modules[name] = None
import django
from django.conf import settings
apps = ["django.contrib.contenttypes", "django.contrib.auth", "rest_framework"]
if "drf_spectacular" not in {blocked!r}:
    apps.append("drf_spectacular")
settings.configure(
    INSTALLED_APPS=apps,
    DATABASES={{"default": {{"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}}},
    REST_FRAMEWORK={{"DEFAULT_SCHEMA_CLASS": "restflow.spectacular.RestflowAutoSchema"}},
)
django.setup()
out = {{}}
"""

GENERATE = """
from django.urls import path
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers
from restflow.views import AsyncAPIView

class Out(serializers.Serializer):
    n = serializers.IntegerField()

class Filtered(AsyncAPIView):
    serializer_class = Out
    filterset_class = type("NotAFilterSet", (), {})

    async def get(self, request):
        raise NotImplementedError

schema = SchemaGenerator(patterns=[path("x/", Filtered.as_view())]).get_schema(None, True)
out["parameters"] = schema["paths"]["/x/"]["get"].get("parameters", [])
out["response"] = schema["paths"]["/x/"]["get"]["responses"]["200"]
"""


def run_isolated(blocked: list[str], *parts: str) -> dict:
    body = "".join(textwrap.dedent(part) for part in parts)
    code = PRELUDE.format(blocked=blocked) + body + "\nprint(json.dumps(out))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_drf_spectacular():
    """A-SCHEMA-026 W-31: ImportError on access, never a silent None."""
    out = run_isolated(
        ["drf_spectacular"],
        """
        import restflow.spectacular as spectacular
        out["all"] = spectacular.__all__
        for name in ("RestflowAutoSchema", "add_filterset_parameters", "get_lib_doc_excludes"):
            try:
                getattr(spectacular, name)
            except ImportError as exc:
                out[name] = str(exc)
        try:
            from restflow.spectacular import RestflowAutoSchema
        except ImportError as exc:
            out["from_import"] = str(exc)
        from rest_framework.settings import api_settings
        try:
            api_settings.DEFAULT_SCHEMA_CLASS
        except ImportError as exc:
            out["setting"] = str(exc)
        try:
            from restflow.spectacular import build_filterset_parameters
            out["builder"] = build_filterset_parameters.__module__
        except ImportError as exc:
            out["builder"] = str(exc)
        """,
    )
    for name in ("RestflowAutoSchema", "add_filterset_parameters", "get_lib_doc_excludes"):
        assert "drf-spectacular" in out[name]
        assert "pip install drf-spectacular" in out[name]
    assert "drf-spectacular" in out["from_import"]
    assert "drf-spectacular" in out["setting"]
    if FILTERS:
        assert out["builder"] == "restflow.filters.parameters"
    else:
        assert "pip install restflow-filters" in out["builder"]


def test_without_restflow_auth():
    """A-SCHEMA-030: importing and generating need no restflow-auth."""
    out = run_isolated(
        ["restflow.authentication"],
        """
        import restflow.spectacular
        from restflow.spectacular import extensions
        """,
        GENERATE,
        """
        out["jwt_target"] = repr(extensions.JWTScheme.target_class)
        """,
    )
    assert out["response"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Out"
    }


def test_without_restflow_filters():
    """A-SCHEMA-030: no filter parameters, and the builder names restflow-filters."""
    out = run_isolated(
        ["restflow.filters"],
        GENERATE,
        """
        try:
            from restflow.spectacular import build_filterset_parameters
        except ImportError as exc:
            out["builder"] = str(exc)
        from restflow.spectacular.hooks import add_filterset_parameters
        out["hooked"] = add_filterset_parameters({"paths": {}}, generator=None)
        """,
    )
    assert out["parameters"] == []
    assert "restflow-filters" in out["builder"]
    assert "pip install restflow-filters" in out["builder"]
    assert out["hooked"] == {"paths": {}}


@pytest.mark.skipif(not FILTERS, reason="the identity check needs restflow-filters installed")
def test_with_restflow_filters_same_objects():
    """A-SCHEMA-030"""
    import restflow.filters.parameters as source
    import restflow.spectacular as spectacular
    from restflow.spectacular import parameters

    assert spectacular.build_filterset_parameters is source.build_filterset_parameters
    assert spectacular.resolve_filterset_class is source.resolve_filterset_class
    assert parameters.build_filterset_parameters is source.build_filterset_parameters


def test_public_names():
    """W-31: `__all__` as the spec lists it; unknown names are AttributeErrors."""
    import restflow.spectacular as spectacular

    assert spectacular.__all__ == [
        "RestflowAutoSchema",
        "add_filterset_parameters",
        "build_filterset_parameters",
        "resolve_filterset_class",
    ]
    from restflow.spectacular.hooks import add_filterset_parameters
    from restflow.spectacular.schema import RestflowAutoSchema

    assert spectacular.RestflowAutoSchema is RestflowAutoSchema
    assert spectacular.add_filterset_parameters is add_filterset_parameters
    with pytest.raises(AttributeError):
        _ = spectacular.not_a_name
