"""restflow.spectacular.parameters: lazy re-exports of restflow.filters.parameters."""

from __future__ import annotations

import importlib
import importlib.util
import subprocess
import sys

import pytest


def test_parameters_are_the_filters_objects():
    """A-SCHEMA-030: with restflow-filters, the same objects; without it, an ImportError."""
    from restflow.spectacular import parameters

    if importlib.util.find_spec("restflow.filters") is None:  # split install (install matrix)
        with pytest.raises(ImportError, match="pip install restflow-filters"):
            _ = parameters.build_filterset_parameters
        return
    filters_parameters = importlib.import_module("restflow.filters.parameters")

    assert parameters.build_filterset_parameters is filters_parameters.build_filterset_parameters
    assert parameters.resolve_filterset_class is filters_parameters.resolve_filterset_class
    assert set(filters_parameters.__all__) <= set(dir(parameters))
    with pytest.raises(AttributeError):
        _ = parameters.not_a_builder


def test_without_restflow_filters_access_names_the_distribution():
    """A-SCHEMA-030 (restflow-filters absent): the error names what to install."""
    script = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "restflow.filters" or name.startswith("restflow.filters."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Block())
from restflow.spectacular import parameters
try:
    parameters.build_filterset_parameters
except ImportError as exc:
    print("ImportError:", exc)
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "pip install restflow-filters" in result.stdout
