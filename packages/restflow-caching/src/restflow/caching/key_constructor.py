"""Key constructors: a class of key fields plus ``Meta`` options → the key format of §4.3."""

from __future__ import annotations

import copy
import itertools
import threading
import warnings
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from django.core.signals import setting_changed

from restflow.caching.hashing import hash_string
from restflow.caching.key_fields import ArgsKeyField, CacheKeyField
from restflow.settings import restflow_settings

if TYPE_CHECKING:
    from restflow.caching.wrapper import CachedWrapper

__all__ = ["DefaultKeyConstructor", "InlineKeyConstructor", "KeyConstructor", "glob_escape"]

META_OPTIONS = (
    "namespace",
    "version",
    "key_identifier",
    "max_key_suffix_length",
    "hash_suffix_on_overflow",
    "shared",
)
_UNSET: Any = object()
_suffix_defaults: list[Any] = []
_settings_epoch = [0]  # bumped when RESTFLOW_SETTINGS change (memos compare it)


def _suffix_settings() -> list[Any]:
    """``MAX_KEY_SUFFIX_LENGTH`` / ``HASH_SUFFIX_ON_OVERFLOW``, re-read after a settings
    change (W-19) but not on every key build."""
    if not _suffix_defaults:
        section = restflow_settings.CACHE_SETTINGS
        _suffix_defaults[:] = [section.MAX_KEY_SUFFIX_LENGTH, section.HASH_SUFFIX_ON_OVERFLOW]
    return _suffix_defaults


def _reset_suffix_settings(*, setting: str, **kwargs: Any) -> None:
    if setting == "RESTFLOW_SETTINGS":
        _suffix_defaults.clear()
        _settings_epoch[0] += 1


setting_changed.connect(_reset_suffix_settings)
_GLOB_SPECIAL = str.maketrans({c: "\\" + c for c in "*?[]\\"})


def glob_escape(value: str) -> str:
    """Escape glob metacharacters so a user value cannot widen a pattern (W-2)."""
    return value.translate(_GLOB_SPECIAL)


class Options:
    """Resolved ``Meta`` of a constructor class (``cls._meta``)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values
        namespace = values.get("namespace", "")
        if not isinstance(namespace, str):
            raise TypeError("namespace must be a string")
        identifier = values.get("key_identifier", "")
        if not isinstance(identifier, str):
            raise TypeError("key_identifier must be a string")
        version = values.get("version", 1)
        if isinstance(version, str) and version.isdigit():
            version = int(version)
        if isinstance(version, bool) or not isinstance(version, int):
            raise TypeError("version must be an integer")
        self.namespace: str = namespace
        self.key_identifier: str = identifier
        self.version: int = version
        self.shared: bool = bool(values.get("shared", False))

    @property
    def max_key_suffix_length(self) -> int:
        value = self._values.get("max_key_suffix_length", _UNSET)
        if value is _UNSET:
            value = _suffix_settings()[0]
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError("max_key_suffix_length must be an integer")
        return value

    @property
    def hash_suffix_on_overflow(self) -> bool:
        value = self._values.get("hash_suffix_on_overflow", _UNSET)
        if value is _UNSET:
            value = _suffix_settings()[1]
        if not isinstance(value, bool):
            raise TypeError("hash_suffix_on_overflow must be a boolean")
        return value


class KeyConstructorMeta(type):
    def __new__(mcs, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> Any:
        declared = {k: v for k, v in attrs.items() if isinstance(v, CacheKeyField)}
        for key in declared:
            attrs.pop(key)
        meta = attrs.pop("Meta", None)
        cls: Any = super().__new__(mcs, name, bases, attrs)

        fields: dict[str, CacheKeyField] = {}
        # Walk bases last-to-first so the first base that declares a name wins.
        for base in reversed(cls.__mro__[1:]):
            fields.update(getattr(base, "_declared_fields", {}))
        for key in list(fields):
            if key in attrs and not isinstance(attrs[key], CacheKeyField):
                fields.pop(key)  # ``user = None`` removes an inherited field
        fields.update(declared)
        cls._declared_fields = fields

        values: dict[str, Any] = {}
        for base in reversed(cls.__mro__[1:]):
            values.update(getattr(base, "_meta_values", {}))
        if meta is not None:
            written = {k: v for k, v in vars(meta).items() if not k.startswith("_")}
            unknown = sorted(set(written) - set(META_OPTIONS))
            if unknown:
                warnings.warn(
                    f"{name}.Meta: unknown option(s) {', '.join(unknown)} are ignored "
                    f"(known: {', '.join(META_OPTIONS)}).",
                    stacklevel=2,
                )
            values.update({k: v for k, v in written.items() if k in META_OPTIONS})
        cls._meta_values = values
        cls._meta = Options(values)
        cls._cache_wrappers = []
        return cls


class KeyConstructor(metaclass=KeyConstructorMeta):
    """Declare key fields as class attributes and options in ``Meta``."""

    _declared_fields: ClassVar[dict[str, CacheKeyField]]
    _meta_values: ClassVar[dict[str, Any]]
    _meta: ClassVar[Options]
    _cache_wrappers: ClassVar[list[CachedWrapper]]

    def get_version(self) -> int:
        return int(self._meta.version)

    def get_fields(self) -> dict[str, CacheKeyField]:
        return copy.deepcopy(self._declared_fields)

    @cached_property
    def fields(self) -> dict[str, CacheKeyField]:
        return self.get_fields()

    @cached_property
    def _partition_fields(self) -> list[CacheKeyField]:
        return [f for _, f in sorted(self.fields.items()) if f.partition]

    @cached_property
    def _suffix_fields(self) -> list[CacheKeyField]:
        return [f for _, f in sorted(self.fields.items()) if not f.partition]

    @cached_property
    def has_only_partition_fields(self) -> bool:
        return all(f.partition for f in self.fields.values())

    @cached_property
    def namespace(self) -> str:
        return f"{self._meta.namespace}::" if self._meta.namespace else ""

    @cached_property
    def key_identifier(self) -> str:
        return self._meta.key_identifier

    @property
    def shared(self) -> bool:
        return self._meta.shared

    @staticmethod
    def get_function_identifier(func: Any) -> str:
        owner = getattr(func, "__self__", None)
        if owner is not None:
            cls = owner if isinstance(owner, type) else type(owner)
            return f"{cls.__module__}.{cls.__name__}.{func.__name__}"
        qualname = getattr(func, "__qualname__", func.__name__)
        if "." in qualname:
            return f"{func.__module__}.{qualname}"
        return f"{func.__module__}.{func.__name__}"

    @staticmethod
    def _join(parts: list[str]) -> str:
        # ``"".join(part + "::" ...)`` with every trailing "::" stripped.
        joined = "::".join(parts)
        while joined.endswith("::"):
            joined = joined[:-2]
        return joined

    def _overflow(self) -> tuple[int, int, bool]:
        """``(settings epoch, max_key_suffix_length, hash_suffix_on_overflow)``, resolved
        once per settings state instead of on every key build."""
        memo: tuple[int, int, bool] | None = self.__dict__.get("_overflow_memo")
        if memo is None or memo[0] != _settings_epoch[0]:
            meta = self._meta
            memo = (_settings_epoch[0], meta.max_key_suffix_length, meta.hash_suffix_on_overflow)
            self.__dict__["_overflow_memo"] = memo
        return memo

    def partition_parts(self, func: Any, args: Any, kwargs: Any) -> list[str]:
        """The string of each partition field, in attribute-name order."""
        return [f.get_cache_key_part(func, args, kwargs) for f in self._partition_fields]

    def build_partition(self, func: Any, args: Any, kwargs: Any) -> str:
        if args is None and kwargs is None:
            return ""
        fields = self._partition_fields
        if len(fields) == 1:  # the usual partition: one field, nothing to join
            part = fields[0].get_cache_key_part(func, args, kwargs)
            while part.endswith("::"):
                part = part[:-2]
            return part
        return self._join(self.partition_parts(func, args, kwargs))

    def identifier_prefix(self, func: Any) -> str:
        """``[NS::]IDENT::`` — the prefix every entry of ``func`` starts with."""
        try:
            return self._identifier_prefixes[func]
        except (KeyError, TypeError):
            pass
        ident = self.key_identifier or self.get_function_identifier(func)
        prefix = f"{self.namespace}{ident}::"
        if getattr(func, "__self__", None) is None:  # bound methods are per instance
            try:
                self._identifier_prefixes[func] = prefix
            except TypeError:
                pass
        return prefix

    @cached_property
    def _identifier_prefixes(self) -> dict[Any, str]:
        return {}

    def build_key_prefix(self, func: Any, args: Any, kwargs: Any) -> str:
        partition = self.build_partition(func, args, kwargs)
        base = self.identifier_prefix(func)
        return f"{base}{partition}::" if partition else base

    def build_key_suffix(self, func: Any, args: Any, kwargs: Any) -> str:
        suffix = self._join([f.get_cache_key_part(func, args, kwargs) for f in self._suffix_fields])
        if not suffix:
            return suffix
        _, limit, hash_on_overflow = self._overflow()
        if len(suffix) > limit and hash_on_overflow:
            return hash_string(suffix)
        return suffix

    def generate_key(self, func: Any, args: Any, kwargs: Any) -> str:
        return self.build_key_prefix(func, args, kwargs) + self.build_key_suffix(func, args, kwargs)

    def locate(self, func: Any, args: Any, kwargs: Any) -> tuple[str, list[str]]:
        """The entry key of a call and its prefix chain, computing each field once."""
        base = self.identifier_prefix(func)
        chain = [base]
        joined = ""
        for field in self._partition_fields:
            joined += field.get_cache_key_part(func, args, kwargs) + "::"
            stripped = joined
            while stripped.endswith("::"):
                stripped = stripped[:-2]
            prefix = f"{base}{stripped}::" if stripped else base
            if prefix != chain[-1]:
                chain.append(prefix)
        if self._suffix_fields:
            return chain[-1] + self.build_key_suffix(func, args, kwargs), chain
        return chain[-1], chain

    @classmethod
    def register_wrapper(cls, wrapper: CachedWrapper) -> None:
        cls._cache_wrappers.append(wrapper)

    @classmethod
    def wipe(cls, *args: Any, **kwargs: Any) -> None:
        """Invalidate every function cached with this exact constructor class."""
        for wrapper in list(cls._cache_wrappers):
            # Async wrappers refuse the sync methods; the cache work is the same (W-16).
            wrapper._wipe(args, kwargs)

    @classmethod
    async def awipe(cls, *args: Any, **kwargs: Any) -> None:
        for wrapper in list(cls._cache_wrappers):
            if args or kwargs:
                await wrapper.adelete_by_prefix(*args, **kwargs)
            else:
                await wrapper.ainvalidate_all()

    @classmethod
    def _previous_versions_check(cls) -> str | None:
        version = cls._meta.version
        if version <= 1:
            return None
        if not cls._meta.namespace:
            raise ValueError(
                f"{cls.__name__}.delete_previous_versions() needs Meta.namespace to scope the "
                "delete to this constructor's entries."
            )
        return f"{glob_escape(cls._meta.namespace)}::*"

    @classmethod
    def delete_previous_versions(cls) -> None:
        """Drop entries of versions ``1 .. version-1`` under this namespace.

        Older versions are never read (every access uses the current version), so on
        backends without ``delete_pattern`` they simply expire; pattern-capable backends
        delete them now.
        """
        from restflow.caching import storage

        pattern = cls._previous_versions_check()
        if pattern is None:
            return None
        for version in range(1, cls._meta.version):
            storage.delete_pattern(pattern, version)
        return None

    @classmethod
    async def adelete_previous_versions(cls) -> None:
        from restflow.caching import storage

        pattern = cls._previous_versions_check()
        if pattern is None:
            return None
        for version in range(1, cls._meta.version):
            await storage.adelete_pattern(pattern, version)
        return None


class DefaultKeyConstructor(KeyConstructor):
    """Every bound argument (defaults applied) is part of the key."""

    arguments = ArgsKeyField("*")


_inline_lock = threading.Lock()
_inline_cache: dict[tuple[Any, ...], type[KeyConstructor]] = {}
_inline_counter = itertools.count(1)


def InlineKeyConstructor(
    fields: dict[str, CacheKeyField],
    version: int | str = "1",
    max_key_suffix_length: int = _UNSET,
    hash_suffix_on_overflow: bool = _UNSET,
    namespace: str = "",
    key_identifier: str = "",
) -> type[KeyConstructor]:
    """Build (once) a ``KeyConstructor`` subclass from a dict of fields."""
    options: dict[str, Any] = {
        "version": version,
        "namespace": namespace,
        "key_identifier": key_identifier,
    }
    # Omitted suffix options fall back to settings at key-build time (W-19).
    if max_key_suffix_length is not _UNSET:
        options["max_key_suffix_length"] = max_key_suffix_length
    if hash_suffix_on_overflow is not _UNSET:
        options["hash_suffix_on_overflow"] = hash_suffix_on_overflow
    identity = (
        tuple((name, id(field)) for name, field in sorted(fields.items())),
        tuple(sorted((k, repr(v)) for k, v in options.items())),
    )
    with _inline_lock:
        cls = _inline_cache.get(identity)
        if cls is None:
            meta = type("Meta", (), options)
            attrs: dict[str, Any] = {**fields, "Meta": meta, "__module__": __name__}
            cls = KeyConstructorMeta(f"Inline_{next(_inline_counter)}", (KeyConstructor,), attrs)
            # keep the field objects alive so their ids stay unique for this entry
            cls._inline_fields = dict(fields)
            _inline_cache[identity] = cls
        return cls
