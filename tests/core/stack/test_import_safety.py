"""Import-safety contract (stack.md §0, §6.6): fresh interpreters, one per check."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

ISOLATION = """
import sys
from django.conf import settings
settings.configure(INSTALLED_APPS=[])
import {module}
loaded = sorted(m for m in sys.modules if m.startswith("rest_framework"))
assert "rest_framework.views" not in sys.modules, loaded
assert "rest_framework.generics" not in sys.modules
print("ISOLATED")
"""

USER_CLASSES = """
from restflow.pagination import PageNumberPagination
from restflow.permissions import BasePermission
from restflow.throttling import SimpleRateThrottle


class ProjectPermission(BasePermission):
    pass


class ProjectThrottle(SimpleRateThrottle):
    scope = "project"


class ProjectPagination(PageNumberPagination):
    page_size = 10
"""

RESOLUTION = """
import sys
from django.conf import settings
settings.configure(
    DEBUG=True,
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework"],
    REST_FRAMEWORK={{
        "DEFAULT_AUTHENTICATION_CLASSES": [{authentication}],
        "DEFAULT_PERMISSION_CLASSES": ["project_api.ProjectPermission"],
        "DEFAULT_THROTTLE_CLASSES": ["project_api.ProjectThrottle"],
        "DEFAULT_THROTTLE_RATES": {{"project": "10/min"}},
        "DEFAULT_PAGINATION_CLASS": "project_api.ProjectPagination",
        "EXCEPTION_HANDLER": "restflow.exceptions.exception_handler",
    }},
)
import django
django.setup()
import rest_framework.generics
from rest_framework.views import APIView
assert APIView.permission_classes[0].__name__ == "ProjectPermission"
assert APIView.throttle_classes[0].__name__ == "ProjectThrottle"
print("RESOLVED")
"""


def run_fresh(code: str, extra_path: Path | None = None) -> subprocess.CompletedProcess[str]:
    paths = [str(ROOT)] + ([str(extra_path)] if extra_path else [])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=str(ROOT),
    )


@pytest.mark.parametrize(
    ("module", "checklist_id"),
    [
        ("restflow.exceptions", "S-EXC-064"),
        ("restflow.permissions", "S-PERM-037"),
        ("restflow.pagination", "S-PAG-039"),
        ("restflow.throttling", "S-THR-024"),
        (
            "restflow.exceptions, restflow.pagination, restflow.permissions, restflow.throttling",
            "S-SMOKE-010",
        ),
    ],
)
def test_module_does_not_import_drf_views(module, checklist_id):
    """S-EXC-064, S-PERM-037, S-PAG-039, S-THR-024, S-SMOKE-010"""
    result = run_fresh(ISOLATION.format(module=module))
    assert result.returncode == 0, result.stderr
    assert "ISOLATED" in result.stdout


def test_drf_resolves_restflow_subclasses_while_importing_views(tmp_path):
    """S-SMOKE-009 (core classes; tests/integration adds the restflow authentication class)"""
    (tmp_path / "project_api.py").write_text(USER_CLASSES)
    authentication = '"rest_framework.authentication.SessionAuthentication"'
    result = run_fresh(RESOLUTION.format(authentication=authentication), tmp_path)
    assert result.returncode == 0, result.stderr
    assert "RESOLVED" in result.stdout
