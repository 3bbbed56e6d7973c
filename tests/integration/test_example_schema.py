"""The example bookstore's OpenAPI document, served on /api/schema/ and validated.

The example uses every distribution of the family; in a split install where one of them is
absent it cannot even load its URLconf, so the test needs the whole family installed.
"""

from __future__ import annotations

import json

import pytest

from tests.integration.example import run_in_example

SCRIPT = """
import json
import django
django.setup()
from django.test import Client
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

schema = SchemaGenerator().get_schema(request=None, public=True)
validate_schema(schema)  # raises on an invalid document
problems = {**GENERATOR_STATS._warn_cache, **GENERATOR_STATS._error_cache}
assert not problems, f"drf-spectacular warned: {sorted(problems)}"
GENERATOR_STATS.silence()
served = Client().get("/api/schema/?format=json")
assert served.status_code == 200, served.content
document = json.loads(served.content)
validate_schema(document)
print(json.dumps(document))
"""


@pytest.mark.slow
def test_bookstore_schema_is_valid(tmp_path):
    """A-SCHEMA-024 A-SCHEMA-023: the example's routes, through the real generator."""
    document = json.loads(run_in_example(SCRIPT, tmp_path).strip().splitlines()[-1])
    assert document["info"]["title"] == "Bookstore API"
    assert "/api/schema/" in document["paths"]
    login = document["paths"]["/api/auth/login/"]["post"]
    assert set(login["responses"]) == {"200", "401"}
    assert document["components"]["securitySchemes"]["jwtAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    assert {"jwtAuth": []} in document["paths"]["/api/auth/me/"]["get"]["security"]
