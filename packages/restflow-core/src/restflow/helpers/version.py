"""The version API that replaces ``restflow.__version__`` (``restflow`` is a namespace)."""

from __future__ import annotations

from importlib import metadata

DISTRIBUTIONS = (
    "restflow-core",
    "restflow-serializers",
    "restflow-filters",
    "restflow-caching",
    "restflow-dispatch-celery",
    "restflow-dispatch-rq",
    "restflow-dispatch-django-q",
    "restflow-dispatch-dramatiq",
    "restflow-auth",
    "restflow-spectacular",
    "drf-restflow",
)


def get_version(distribution: str = "restflow-core") -> str:
    """The installed version of one distribution (``PackageNotFoundError`` when absent)."""
    return metadata.version(distribution)


def get_versions() -> dict[str, str]:
    """Versions of every installed restflow distribution, in the family's order."""
    versions = {}
    for name in DISTRIBUTIONS:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions
