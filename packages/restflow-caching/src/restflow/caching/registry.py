"""The rule registry and its signal wiring (caching.md §9).

Gates and rule arguments are evaluated when the signal fires (so a deleted row's pk is
still there, W-1); only the work is deferred to ``transaction.on_commit`` on the signal's
database alias (W-4), where each rule's dispatcher gets it.
"""

from __future__ import annotations

import asyncio
import copy
import datetime
import decimal
import enum
import hashlib
import importlib
import inspect
import logging
import pkgutil
import threading
import uuid
from collections.abc import Generator
from typing import Any

from asgiref.sync import async_to_sync
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import post_delete, post_save

from restflow.caching.rules import InvalidationRule
from restflow.helpers.steps import adrive

__all__ = ["CacheRegister", "CacheRegistry"]

logger = logging.getLogger("restflow.caching.registry")
_MISSING = object()
_IN_PROCESS_DISPATCHERS = frozenset({"inline", "threadpool", "asyncio"})


_labels: dict[Any, str] = {}


def _model_label(model: Any) -> str:
    label = _labels.get(model)
    if label is None:
        label = _labels[model] = _label_of(model)
    return label


def _label_of(model: Any) -> str:
    meta = getattr(model, "_meta", None)
    if meta is not None and getattr(meta, "label", None):
        return meta.label
    return f"{model.__module__}.{model.__qualname__}"


def _function_name(func: Any) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def rule_id_for(identity: str) -> int:
    """A positive 53-bit id, identical in every process importing the same code (W-3)."""
    return int.from_bytes(hashlib.sha256(identity.encode("utf-8")).digest()[:8], "big") >> 11


def _resolve_path(instance: Any, path: str) -> Any:
    if "." not in path:
        return getattr(instance, path, None)
    value = instance
    for part in path.split("."):
        if value is None:
            return None
        value = getattr(value, part, None)
    return value


def _broker_safe(value: Any, rule_id: int, name: str) -> Any:
    """JSON-friendly form of a rule argument for broker payloads (W-32)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (uuid.UUID, decimal.Decimal)):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_broker_safe(item, rule_id, name) for item in value]
    raise TypeError(
        f"Cache rule {rule_id}: argument {name!r} of type {type(value).__name__} cannot be sent "
        "to a broker; map a JSON-serialisable attribute (e.g. 'team.id' instead of 'team')."
    )


def _on_commit(callback: Any, using: str | None) -> None:
    """``transaction.on_commit(callback, using=using)``.

    Outside any atomic block in autocommit mode Django runs the callback at once; that
    case (every plain ``save()``) calls it directly, without Django's bookkeeping.
    """
    connection = connections[using or DEFAULT_DB_ALIAS]
    if not connection.in_atomic_block and connection.get_autocommit():
        callback()
        return
    transaction.on_commit(callback, using=using)


class CacheRegistry:
    """Process-wide registry of invalidation rules (``CacheRegistry() is CacheRegister``)."""

    _instance: CacheRegistry | None = None
    _instance_lock = threading.Lock()

    class SignalTypes(enum.Enum):
        POST_SAVE = "POST_SAVE"
        POST_DELETE = "POST_DELETE"

    def __new__(cls) -> CacheRegistry:
        if cls._instance is None:
            with cls._instance_lock:
                if cls._instance is None:
                    instance = super().__new__(cls)
                    instance._setup()
                    cls._instance = instance
        return cls._instance

    def _setup(self) -> None:
        self._lock = threading.RLock()
        self._rules: dict[int, dict[str, Any]] = {}
        self._by_model: dict[Any, list[int]] = {}
        self._order: dict[int, int] = {}
        self._pair_counts: dict[tuple[str, str], int] = {}
        self._pending: list[tuple[Any, Any, InvalidationRule]] = []
        self._lookup: dict[type, tuple[int, ...]] = {}
        self._discovered = False
        self._connected = False

    # -- registration ---------------------------------------------------------------

    def add(self, model: Any, func: Any, invalidation_rule: InvalidationRule) -> None:
        if not getattr(func, "is_cached_function", False):
            raise AttributeError(
                f"{func!r}: Must be a decorated function of `@cached_result` "
                "(@cache_result / @cache_response) to carry invalidation rules."
            )
        with self._lock:
            if self._discovered:
                self._register(model, func, invalidation_rule)
            else:
                self._pending.append((model, func, invalidation_rule))

    register = add

    def _register(self, model: Any, func: Any, rule: InvalidationRule) -> int:
        function, label = _function_name(func), _model_label(model)
        n = self._pair_counts.get((function, label), 0)
        self._pair_counts[(function, label)] = n + 1
        rule_id = rule_id_for(f"{function}|{label}|{n}")
        self._rules[rule_id] = {"id": rule_id, "func": func, "invalidation_rule": rule}
        self._order[rule_id] = len(self._order)
        self._by_model.setdefault(model, []).append(rule_id)
        self._lookup.clear()
        self._connect()
        return rule_id

    def _connect(self) -> None:
        if self._connected:
            return
        # No sender filter: proxies and multi-table children are seen too (W-4).
        post_save.connect(self._on_save, dispatch_uid="restflow.caching.post_save", weak=False)
        post_delete.connect(
            self._on_delete, dispatch_uid="restflow.caching.post_delete", weak=False
        )
        self._connected = True

    def clear(self) -> None:
        """Forget every rule and disconnect (tests)."""
        with self._lock:
            post_save.disconnect(dispatch_uid="restflow.caching.post_save")
            post_delete.disconnect(dispatch_uid="restflow.caching.post_delete")
            self._setup()

    # -- discovery ------------------------------------------------------------------------

    def auto_discover(self) -> CacheRegistry:
        with self._lock:
            if self._discovered:
                return self
        from django.apps import apps

        for app in apps.get_app_configs():
            self._import_app(app.name, app.module)
        with self._lock:
            self._discovered = True
            pending, self._pending = self._pending, []
            for model, func, rule in pending:
                self._register(model, func, rule)
            if self._rules:
                self._connect()
        self._check_rules()
        logger.info(
            "Cache rule 'default': %d functions, %d models",
            len({id(entry["func"]) for entry in self._rules.values()}),
            len(self._by_model),
        )
        return self

    @staticmethod
    def _import_app(name: str, module: Any) -> None:
        path = getattr(module, "__path__", None)
        location = str(getattr(module, "__file__", "") or "")
        if "site-packages" in location or "dist-packages" in location:
            return
        if path is None:
            return  # a plain module app: already imported
        for info in pkgutil.walk_packages(path, prefix=f"{name}.", onerror=lambda _name: None):
            if "migrations" in info.name.split("."):
                continue
            try:
                importlib.import_module(info.name)
            except (KeyboardInterrupt, SystemExit, MemoryError):
                raise
            except ImportError:
                continue
            except BaseException:
                logger.warning(
                    "restflow auto_discover: failed to import %s", info.name, exc_info=True
                )

    def _check_rules(self) -> None:
        """Surface misconfiguration at discovery instead of at the first save (W-18)."""
        from restflow.caching.dispatchers import registered_names

        names = set(registered_names())
        for entry in self._rules.values():
            rule = entry["invalidation_rule"]
            if isinstance(rule.dispatcher, str) and rule.dispatcher not in names:
                logger.error(
                    "Cache rule %s of %s uses unknown dispatcher %r (registered: %s)",
                    entry["id"],
                    _function_name(entry["func"]),
                    rule.dispatcher,
                    ", ".join(sorted(names)),
                )
            meta = getattr(rule.model, "_meta", None)
            if meta is None:
                continue
            known = {f.name for f in meta.get_fields()} | {f.attname for f in meta.concrete_fields}
            known.add("pk")
            for field in rule.watch_fields or ():
                if field not in known:
                    logger.warning(
                        "Cache rule %s: watch_fields entry %r is not a field of %s",
                        entry["id"],
                        field,
                        meta.label,
                    )

    # -- introspection ----------------------------------------------------------------------

    @property
    def is_discovered(self) -> bool:
        return self._discovered

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    @property
    def model_count(self) -> int:
        return len(self._by_model)

    def connected_models(self) -> list[Any]:
        return list(self._by_model)

    def get_rule(self, rule_id: int) -> dict[str, Any] | None:
        return self._rules.get(rule_id)

    def rules(self) -> list[dict[str, Any]]:
        return sorted(self._rules.values(), key=lambda entry: self._order[entry["id"]])

    def get_status(self) -> dict[str, Any]:
        models: dict[str, list[dict[str, Any]]] = {}
        for model, ids in self._by_model.items():
            entries = models.setdefault(model.__name__, [])
            for rule_id in ids:
                func = self._rules[rule_id]["func"]
                entries.append({"function": f"{func.__module__}.{func.__name__}", "id": rule_id})
        return {
            "name": "default",
            "discovered": self._discovered,
            "pending": len(self._pending),
            "models": models,
        }

    # -- signals -----------------------------------------------------------------------------

    def _rule_ids_for(self, cls: type) -> tuple[int, ...]:
        ids = self._lookup.get(cls)
        if ids is None:
            found: list[int] = []
            candidates = list(cls.__mro__)
            concrete = getattr(getattr(cls, "_meta", None), "concrete_model", None)
            if concrete is not None:
                candidates.append(concrete)
            for model in candidates:
                for rule_id in self._by_model.get(model, ()):
                    if rule_id not in found:
                        found.append(rule_id)
            ids = tuple(sorted(found, key=self._order.__getitem__))
            self._lookup[cls] = ids
        return ids

    def _on_save(self, sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
        if not self._rule_ids_for(type(instance)):
            return
        self.invalidate_for_instance(
            instance,
            created,
            self.SignalTypes.POST_SAVE,
            kwargs.get("update_fields"),
            using=kwargs.get("using"),
        )

    def _on_delete(self, sender: Any, instance: Any, **kwargs: Any) -> None:
        if not self._rule_ids_for(type(instance)):
            return
        self.invalidate_for_instance(
            instance, False, self.SignalTypes.POST_DELETE, None, using=kwargs.get("using")
        )

    @staticmethod
    def _should_run_rule(
        rule: InvalidationRule, instance: Any, created: bool, signal_type: Any, update_fields: Any
    ) -> bool:
        if signal_type is CacheRegistry.SignalTypes.POST_SAVE:
            if created and not rule.trigger_on_create:
                return False
            watched = rule.watch_fields and not created
            if watched and not (
                update_fields and set(update_fields) & set(rule.watch_fields or ())
            ):
                return False
        for name, expected in rule.invalidate_when.items():
            negate = name.startswith("!")
            attr = getattr(instance, name[1:] if negate else name, _MISSING)
            if attr is _MISSING:
                holds = False
            elif expected is None:
                holds = attr is None
            else:
                holds = attr == expected
            if holds == negate:
                return False
        return True

    @staticmethod
    def _rule_kwargs(rule: InvalidationRule, instance: Any) -> dict[str, Any] | None:
        """Mapped arguments, or ``None`` when the rule must be skipped."""
        if not rule.field_mapping:
            return {}
        if instance is None:
            return None
        values = {}
        missing = False
        for name, path in rule.field_mapping.items():
            value = values[name] = _resolve_path(instance, path)
            missing = missing or value is None
        required = rule.require_args
        if required is True:
            if missing:
                return None
        elif isinstance(required, (list, tuple)) and any(values.get(n) is None for n in required):
            return None
        return values

    def invalidate_for_instance(
        self,
        instance: Any,
        instance_created: bool,
        signal_type: Any,
        update_fields: Any = None,
        *,
        using: str | None = None,
    ) -> None:
        """Evaluate the rules of ``instance`` now and run their work after commit."""
        fired: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
        update_fields = frozenset(update_fields) if update_fields is not None else None
        snapshot = None
        for rule_id in self._rule_ids_for(type(instance)):
            entry = self._rules[rule_id]
            rule: InvalidationRule = entry["invalidation_rule"]
            if not self._should_run_rule(
                rule, instance, instance_created, signal_type, update_fields
            ):
                continue
            if rule.invalidator is not None:
                if snapshot is None:
                    snapshot = copy.copy(instance)  # pk intact after deletes (W-1)
                fired.append((entry, None))
                continue
            kwargs = self._rule_kwargs(rule, instance)
            if kwargs is not None:
                fired.append((entry, kwargs))
        if not fired:
            return
        label = _model_label(type(instance))
        pk = getattr(instance, "pk", None)
        context = {
            "snapshot": snapshot,
            "created": instance_created,
            "signal_type": signal_type,
            "update_fields": update_fields,
            "model_label": label,
            "pk": pk,
        }
        _on_commit(lambda: self._run_fired(fired, context), using)

    def _run_fired(self, fired: list[tuple[dict[str, Any], Any]], context: dict[str, Any]) -> None:
        groups: dict[Any, tuple[Any, list[int], dict[str, Any]]] = {}
        for entry, kwargs in fired:
            rule: InvalidationRule = entry["invalidation_rule"]
            if rule.invalidator is not None:
                self._run_invalidator(entry, context)
                continue
            try:
                dispatcher = rule.get_dispatcher()
                if getattr(dispatcher, "name", None) not in _IN_PROCESS_DISPATCHERS:
                    kwargs = {k: _broker_safe(v, entry["id"], k) for k, v in kwargs.items()}
            except Exception as exc:
                self._dispatch_failed(rule, None, exc, entry["id"])
                continue
            if rule.batch and dispatcher.supports_batching:
                key = dispatcher.batch_key()
                _, ids, kwargs_by_id = groups.get(key, (None, [], {}))
                ids.append(entry["id"])
                kwargs_by_id[str(entry["id"])] = kwargs
                groups[key] = (dispatcher, ids, kwargs_by_id)  # the last rule's instance
                continue
            self._dispatch(dispatcher, rule, [entry["id"]], {str(entry["id"]): kwargs}, context)
        for dispatcher, ids, kwargs_by_id in groups.values():
            rule = self._rules[ids[-1]]["invalidation_rule"]
            self._dispatch(dispatcher, rule, ids, kwargs_by_id, context)

    def _dispatch(
        self,
        dispatcher: Any,
        rule: InvalidationRule,
        ids: list[int],
        kwargs: dict[str, Any],
        context: dict[str, Any],
    ) -> None:
        try:
            dispatcher.dispatch(
                model_label=context["model_label"],
                pk=context["pk"],
                rule_ids=ids,
                signal_type=context["signal_type"],
                rule_kwargs=kwargs,
            )
        except Exception as exc:
            self._dispatch_failed(rule, dispatcher, exc, ids)

    @staticmethod
    def _dispatch_failed(rule: InvalidationRule, dispatcher: Any, exc: Exception, ids: Any) -> None:
        from restflow.caching.tasks import _should_raise

        name = getattr(dispatcher, "name", None) or (
            rule.dispatcher if isinstance(rule.dispatcher, str) else None
        )
        if _should_raise(name):
            raise exc
        logger.error(
            "Cache rule dispatch failed (rule_ids=%s, dispatcher=%s): %s",
            ids,
            name,
            exc,
            exc_info=exc,
        )

    def _run_invalidator(self, entry: dict[str, Any], context: dict[str, Any]) -> None:
        rule: InvalidationRule = entry["invalidation_rule"]
        wrapper = entry["func"]
        try:
            invalidator = rule.resolve_invalidator()
            extras = _invalidator_extras(
                invalidator,
                {
                    "signal_type": context["signal_type"],
                    "instance_created": context["created"],
                    "update_fields": context["update_fields"],
                },
            )
            result = invalidator(wrapper, context["snapshot"], **extras)
            if inspect.isawaitable(result):
                _drive(result, rule, wrapper)
        except Exception as exc:
            if rule.raise_exception:
                raise
            logger.warning("Custom invalidator failed for %s: %s", _function_name(wrapper), exc)

    # -- applying rules ------------------------------------------------------------------------

    def run_cache_rules(
        self,
        *,
        rule_ids: list[int],
        rule_kwargs: dict[str, dict[str, Any]] | None = None,
        prefer_async: bool = False,
    ) -> Any:
        """Apply rules by id.

        Returns a coroutine when an async wrapper (or ``prefer_async``) needs one.
        """
        rule_kwargs = rule_kwargs or {}
        work: list[tuple[InvalidationRule, Any, dict[str, Any]]] = []
        asynchronous = prefer_async
        for rule_id in rule_ids:
            entry = self._rules.get(int(rule_id))
            if entry is None:
                logger.warning(
                    "Unknown cache rule id %s (not registered in this process); skipped", rule_id
                )
                continue
            kwargs = rule_kwargs.get(str(rule_id))
            if kwargs is None:
                continue
            work.append((entry["invalidation_rule"], entry["func"], kwargs))
            asynchronous = asynchronous or entry["func"].is_async
        if asynchronous:

            async def apply_all() -> None:
                for rule, func, kwargs in work:
                    await self._aprocess(rule, func, kwargs)

            return apply_all()
        for rule, func, kwargs in work:
            self._process(rule, func, kwargs)
        return None

    def process_rule(self, rule: dict[str, Any], func_kwargs: dict[str, Any]) -> Any:
        """The work of one rule entry (``get_rule()`` shape); a coroutine for async wrappers."""
        func = rule["func"]
        if func.is_async:
            return self._aprocess(rule["invalidation_rule"], func, func_kwargs)
        return self._process(rule["invalidation_rule"], func, func_kwargs)

    @staticmethod
    def _process(rule: InvalidationRule, func: Any, kwargs: dict[str, Any]) -> None:
        for _ in _rule_steps(rule, func, kwargs, asynchronous=False):
            pass  # the sync methods have already done the work

    @staticmethod
    async def _aprocess(rule: InvalidationRule, func: Any, kwargs: dict[str, Any]) -> None:
        # Each step is a wrapper coroutine; its errors are handled (or re-raised) by the core.
        await adrive(_rule_steps(rule, func, kwargs, asynchronous=True), _itself)


def _itself(awaitable: Any) -> Any:
    return awaitable


def _rule_steps(
    rule: InvalidationRule, func: Any, kwargs: dict[str, Any], *, asynchronous: bool
) -> Generator[Any, None, None]:
    """The one algorithm of applying a rule to a wrapper, for both paths.

    It yields what each wrapper method returns: the async driver awaits those coroutines
    and throws their errors back in; on the sync path the work is already done.
    """
    if rule.rewarm:
        try:
            # Siblings too, not one entry (W-8).
            if asynchronous:
                yield func._async_invalidate_partition(kwargs)
                yield func.arefresh(**kwargs)
            else:
                yield func._sync_invalidate_partition(kwargs)
                yield func.refresh(**kwargs)
            return
        except Exception as exc:
            if rule.raise_exception:
                raise
            logger.warning("Re-warm failed for %s: %s", _function_name(func), exc)
    try:
        yield func.adelete_by_prefix(**kwargs) if asynchronous else func.delete_by_prefix(**kwargs)
    except Exception as exc:
        if rule.raise_exception:
            raise
        logger.warning("Cache delete failed for %s: %s", _function_name(func), exc)


def _invalidator_extras(invalidator: Any, available: dict[str, Any]) -> dict[str, Any]:
    try:
        params = inspect.signature(invalidator).parameters
    except (TypeError, ValueError):
        return {}
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return dict(available)
    return {name: value for name, value in available.items() if name in params}


def _drive(awaitable: Any, rule: InvalidationRule, wrapper: Any) -> None:
    """Run an async invalidator to completion without async_to_sync inside a loop."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    if loop is None:

        async def run() -> None:
            await awaitable

        async_to_sync(run)()
        return

    async def guarded() -> None:
        try:
            await awaitable
        except Exception as exc:
            logger.warning("Custom invalidator failed for %s: %s", _function_name(wrapper), exc)

    task = loop.create_task(guarded())
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


_tasks: set[asyncio.Task[Any]] = set()

CacheRegister = CacheRegistry()
