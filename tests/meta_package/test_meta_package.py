"""drf-restflow installs the family: every distribution it declares is importable."""

from __future__ import annotations

import importlib
import importlib.metadata

import pytest

FAMILY = {
    "restflow-core": "restflow.views",
    "restflow-serializers": "restflow.serializers",
    "restflow-filters": "restflow.filters",
    "restflow-caching": "restflow.caching",
    "restflow-auth": "restflow.authentication",
}


def test_meta_package_version_is_available():
    """S-SMOKE-001"""
    assert importlib.metadata.version("drf-restflow")


@pytest.mark.parametrize("dist,module", sorted(FAMILY.items()))
def test_meta_package_pulls_the_family(dist, module):
    assert importlib.metadata.version(dist)
    assert importlib.import_module(module)
