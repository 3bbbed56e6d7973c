"""Post-processing hook: filterset query parameters for schemas of any AutoSchema (§2.7).

Register it in ``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]`` (keep drf-spectacular's
enum hook in that list). It walks the generator's endpoints through DRF's public generator
API and finds each operation under the path drf-spectacular wrote, after versioning and
prefix rewriting (W-32).
"""

from __future__ import annotations

import logging
import posixpath
import re
from collections.abc import Iterator
from typing import Any

import uritemplate
from drf_spectacular.plumbing import camelize_operation, is_versioning_supported
from drf_spectacular.settings import spectacular_settings
from rest_framework import versioning

from restflow.spectacular import extensions  # noqa: F401  (registers them)

__all__ = ["add_filterset_parameters"]

logger = logging.getLogger("restflow.spectacular.hooks")


def _endpoints(generator: Any) -> Iterator[tuple[str, str, str, Any]]:
    """``(path, path_regex, method, view)`` as the generator sees them."""
    if getattr(generator, "endpoints", None) is None:
        initialise = getattr(generator, "_initialise_endpoints", None)
        if callable(initialise):
            initialise()
    for path, path_regex, method, callback in getattr(generator, "endpoints", None) or ():
        view = generator.create_view(callback, method)
        yield generator.coerce_path(path, method, view), path_regex, method, view


def _path_prefix(paths: list[str], views: list[Any]) -> str:
    """The prefix drf-spectacular trims, computed as its generator does."""
    prefix = spectacular_settings.SCHEMA_PATH_PREFIX
    if prefix is None:
        if len({type(view) for view in views}) > 1:
            prefix = re.escape(posixpath.commonpath(paths))
        else:
            prefix = "/"
    return prefix if prefix.startswith("^") else "^" + prefix


def _documented_path(path: str, view: Any, generator: Any, prefix: str) -> str | None:
    """The key of ``path`` in the schema's ``paths``; ``None`` if the generator skipped it."""
    versioning_class = getattr(view, "versioning_class", None)
    if versioning_class and is_versioning_supported(versioning_class):
        version = getattr(generator, "api_version", None) or versioning_class.default_version
        if not version:
            return None
        if issubclass(versioning_class, versioning.URLPathVersioning):
            partial = uritemplate.partial(path, var_dict={versioning_class.version_param: version})
            path = partial.uri if isinstance(partial, uritemplate.URITemplate) else str(partial)
    if spectacular_settings.SCHEMA_PATH_PREFIX_TRIM:
        path = re.sub(pattern=prefix, repl="", string=path, flags=re.IGNORECASE)
    if spectacular_settings.SCHEMA_PATH_PREFIX_INSERT:
        path = spectacular_settings.SCHEMA_PATH_PREFIX_INSERT + path
    if not path.startswith("/"):
        path = "/" + path
    if spectacular_settings.CAMELIZE_NAMES:
        path, _ = camelize_operation(path, {"operationId": "", "parameters": []})
    return path


def add_filterset_parameters(
    result: dict[str, Any],
    generator: Any,
    request: Any = None,
    public: Any = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """Append each filterset parameter an operation lacks; idempotent; returns ``result``."""
    try:
        from restflow.spectacular import parameters

        resolve = parameters.resolve_filterset_class
        applies = parameters.filterset_schema_applies
        build = parameters.build_filterset_parameters
    except ImportError:  # restflow-filters absent: no view carries its FilterSet
        return result
    paths = result.get("paths") or {}
    endpoints = list(_endpoints(generator))
    prefix = _path_prefix([path for path, *_ in endpoints], [view for *_, view in endpoints])
    for path, _path_regex, method, view in endpoints:
        filterset_class = resolve(view)
        if filterset_class is None or not applies(view, method):
            continue
        try:
            found = list(build(filterset_class))
        except Exception as exc:
            logger.warning(
                "restflow add_filterset_parameters: failed to build params for %r: %s", view, exc
            )
            continue
        if not found:
            continue
        documented = _documented_path(path, view, generator, prefix)
        operation = (paths.get(documented) or {}).get(method.lower())
        if operation is None:
            continue
        listed = operation.setdefault("parameters", [])
        present = {(parameter.get("name"), parameter.get("in")) for parameter in listed}
        for parameter in found:
            if (parameter.get("name"), parameter.get("in")) not in present:
                listed.append(parameter)
    return result
