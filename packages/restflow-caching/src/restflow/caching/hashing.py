"""Digest strings used for hashed key parts (``KEY_HASH_ALGORITHM``)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

from restflow.settings import restflow_settings

__all__ = ["hash_string"]

_algorithm: list[Any] = []  # [digest function, digest of ""]


class UnknownHashAlgorithm(ImproperlyConfigured, ValueError):
    """``KEY_HASH_ALGORITHM`` names no hashlib algorithm (a ``ValueError``, as hashlib's is)."""


def _resolve() -> Callable[[str], str]:
    algorithm = restflow_settings.CACHE_SETTINGS.KEY_HASH_ALGORITHM
    if callable(algorithm):
        return algorithm
    if algorithm == "sha256":
        return lambda value: hashlib.sha256(value.encode("utf-8")).hexdigest()
    try:
        hashlib.new(algorithm)
    except (TypeError, ValueError) as exc:
        raise UnknownHashAlgorithm(
            'RESTFLOW_SETTINGS["CACHE_SETTINGS"]["KEY_HASH_ALGORITHM"] must be a hashlib '
            f"algorithm name or a callable (str) -> str, not {algorithm!r}."
        ) from exc

    def digest(value: str, name: str = algorithm) -> str:
        return hashlib.new(name, value.encode("utf-8")).hexdigest()

    return digest


def hash_string(value: str) -> str:
    """Hash ``value`` with ``CACHE_SETTINGS.KEY_HASH_ALGORITHM``.

    The setting is resolved once and again after every settings change (so
    ``override_settings`` works), not on every key build.
    """
    if not _algorithm:
        digest = _resolve()
        _algorithm[:] = [digest, digest("")]
    if not value:  # an empty hashed field (no query string): the common case
        return _algorithm[1]
    return _algorithm[0](value)


def _reset(*, setting: str, **kwargs: Any) -> None:
    if setting == "RESTFLOW_SETTINGS":
        _algorithm.clear()


setting_changed.connect(_reset)
