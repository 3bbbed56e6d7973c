"""Digest strings used for hashed key parts (``KEY_HASH_ALGORITHM``)."""

from __future__ import annotations

import hashlib

from restflow.settings import restflow_settings

__all__ = ["hash_string"]


def hash_string(value: str) -> str:
    """Hash ``value`` with ``CACHE_SETTINGS.KEY_HASH_ALGORITHM`` (read on every call)."""
    algorithm = restflow_settings.CACHE_SETTINGS.KEY_HASH_ALGORITHM
    if callable(algorithm):
        return algorithm(value)
    if algorithm == "sha256":
        return hashlib.sha256(value.encode("utf-8")).hexdigest()
    return hashlib.new(algorithm, value.encode("utf-8")).hexdigest()
