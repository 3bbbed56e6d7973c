"""restflow-dispatch-django-q installs and imports on its own."""

from __future__ import annotations

import importlib
import importlib.metadata

import pytest

from restflow.helpers import get_versions


def test_distribution_is_installed_with_a_version():
    assert importlib.metadata.version("restflow-dispatch-django-q")
    assert "restflow-dispatch-django-q" in get_versions()


@pytest.mark.parametrize("module", ["restflow.dispatch.django_q"])
def test_public_paths_import(module):
    imported = importlib.import_module(module)
    assert imported.__file__, f"{module} must be a regular package of restflow-dispatch-django-q"
