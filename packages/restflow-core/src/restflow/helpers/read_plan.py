"""Read plans: how a serializer's fields are read, with DRF's output, in less time.

DRF asks every field, for every object, to find its value (``get_attribute``) and to
format it (``to_representation``), re-reading the field's settings for each value. A
read plan is built once per serializer instance instead: one-step sources are read
directly, the common built-in formats are resolved once (``representation_of``), and
anything else goes through DRF.

``represent_plain`` serves async views: when every value is held plainly (dict items, or
instance attributes that no descriptor intercepts), it reads and formats them on the
event loop in one pass that is also the check; at the first value that might run other
code it returns ``NOT_PLAIN``, and the caller reads ``.data`` in a worker.

Used by restflow's serializers and, for DRF serializers, by ``plain_data``. Import-safe
(stack.md §0): DRF is imported when the first plan is built.
"""

from __future__ import annotations

import datetime
import decimal
import functools
import types
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import SynchronousOnlyOperation
from django.core.signals import setting_changed
from django.db.models import QuerySet
from django.db.models.manager import BaseManager

from restflow.helpers.attributes import defining_module
from restflow.helpers.representation import (
    intercepted_names,
    plain_source,
    represents_without_io,
)

__all__ = [
    "NOT_PLAIN",
    "class_plain_representation",
    "pin_time_zones",
    "plain_data",
    "read_plan",
    "represent",
    "represent_list",
    "represent_plain",
    "representation_of",
    "unpin",
]

# (output name, the one attribute read directly or None, the field, its representation)
ReadStep = tuple[str, "str | None", Any, Callable[[Any], Any]]

# (output name, the attribute, its representation, the type it returns unchanged, a type
# with a faster exact representation, and that representation)
PlainStep = tuple[
    str, str, Callable[[Any], Any], "type | None", "type | None", "Callable[[Any], Any] | None"
]
# The steps, the attributes they read, and the ``DateTimeField``s to pin while reading.
PlainPlan = tuple[tuple[PlainStep, ...], frozenset[str], tuple[Any, ...]]

_MISSING = object()


class _NotPlain:
    def __repr__(self) -> str:
        return "NOT_PLAIN"


#: What ``plain_data`` and ``represent_plain`` return when a value might run code.
NOT_PLAIN: Any = _NotPlain()

_READ_PLAN = "_restflow_read_plan"
_PLAIN_PLAN = "_restflow_plain_plan"
_SHARED_PLAN = "_restflow_shared_plain_plan"
_CLASS_READING = "_restflow_class_reading"
# Where constructors and ``.data`` come from when building a serializer has no effect of
# its own: DRF's and restflow-serializers' classes.
_LIBRARY_MODULES = ("rest_framework.", "restflow.serializers.")
# Instance attributes that mean its fields may differ from its class's.
_INSTANCE_FIELD_STATE = frozenset(("fields", "_declared_fields", "Meta"))
# The ``ModelSerializer`` hooks that decide its fields.
_MODEL_FIELD_HOOKS = (
    "get_fields",
    "get_field_names",
    "get_default_field_names",
    "get_extra_kwargs",
    "get_uniqueness_extra_kwargs",
    "include_extra_kwargs",
    "build_field",
    "build_standard_field",
    "build_relational_field",
    "build_nested_field",
    "build_property_field",
    "build_url_field",
    "build_unknown_field",
)
_UNSHARED = object()
# Bumped by every settings change: shared plans resolved settings when they were built.
_settings_generation = 0
# The type whose values a representation returns unchanged (``int(5) is 5``).
_UNCHANGED_TYPES: dict[Any, type] = {str: str, int: int, float: float}


@functools.cache
def _drf() -> types.SimpleNamespace:
    """The DRF names the plans compare against, imported once, when first needed."""
    from rest_framework import fields, serializers
    from rest_framework.relations import PKOnlyObject
    from rest_framework.settings import api_settings
    from rest_framework.utils.serializer_helpers import BindingDict

    return types.SimpleNamespace(
        fields=fields,
        api_settings=api_settings,
        BindingDict=BindingDict,
        PKOnlyObject=PKOnlyObject,
        get_attribute=fields.Field.get_attribute,
        readable_fields=serializers.Serializer._readable_fields,
        serializer_fields=serializers.Serializer.__dict__["fields"],
        serializer_get_fields=serializers.Serializer.get_fields,
        serializer=serializers.Serializer,
        base_serializer_init=serializers.BaseSerializer.__init__,
        model_serializer=serializers.ModelSerializer,
        representation=serializers.Serializer.to_representation,
        list_representation=serializers.ListSerializer.to_representation,
        bool_representation=fields.BooleanField.to_representation,
        # DRF representations that are exactly a builtin call: the builtin is used directly.
        simple_representations={
            fields.CharField.to_representation: str,
            fields.IntegerField.to_representation: int,
            fields.FloatField.to_representation: float,
        },
    )


def plain_data(serializer: Any, *, evaluate: bool = False) -> Any:
    """``serializer.data`` computed here when that can run no I/O, else ``NOT_PLAIN``.

    restflow serializers answer through their ``_restflow_plain_data()``; a DRF serializer
    whose ``to_representation`` is DRF's own is read with ``represent_plain``; any other
    only when ``represents_without_io`` vouches for it. A value whose own ``__str__``
    queries after all gives ``NOT_PLAIN`` too, so the caller reads ``.data`` where the ORM
    works.

    ``evaluate=True`` is for sync code, where the ORM may run: a list serializer's queryset
    is then fetched once, here, and its rows read plainly when they can be, else with the
    list's own ``to_representation`` over the fetched rows.
    """
    if hasattr(serializer, "initial_data"):
        return NOT_PLAIN  # validation outcomes decide what ``.data`` holds
    try:
        own = getattr(serializer, "_restflow_plain_data", None)
        if own is not None:
            return own(evaluate=evaluate)
        if not hasattr(serializer, "_data"):
            data = _drf_representation(serializer, evaluate)
            if data is NOT_PLAIN:
                return NOT_PLAIN
            serializer._data = data  # what DRF's ``.data`` stores, then wraps
        return serializer.data
    except SynchronousOnlyOperation:
        return NOT_PLAIN


def _evaluated(instance: Any) -> Any:
    """The rows of a queryset or manager, fetched (sync); anything else as it is."""
    if isinstance(instance, BaseManager):
        return list(instance.all())
    if isinstance(instance, QuerySet):
        return list(instance)
    return instance


def represent_list(serializer: Any, instance: Any, *, evaluate: bool, plain_child: bool) -> Any:
    """A list serializer's ``to_representation(instance)``, its rows read plainly when
    ``plain_child`` (the child's ``to_representation`` is the library's) and they can be;
    else ``NOT_PLAIN``. With ``evaluate`` (sync code only) a queryset is fetched first, and
    rows that are not plain get the list's own ``to_representation``, over the fetched rows.
    """
    items = _evaluated(instance) if evaluate else instance
    rows = NOT_PLAIN
    if plain_child and type(items) in (list, tuple):
        rows = represent_plain(serializer.child, items)
    if rows is NOT_PLAIN and items is not instance:
        rows = serializer.to_representation(items)  # the rows are fetched: once, here
    return rows


def _drf_representation(serializer: Any, evaluate: bool) -> Any:
    """``serializer.to_representation(serializer.instance)`` when plain, else ``NOT_PLAIN``."""
    instance = serializer.instance
    if instance is None or getattr(serializer, "_errors", None):
        return NOT_PLAIN
    drf = _drf()
    method = type(serializer).to_representation
    if method is drf.list_representation:
        plain_child = type(serializer.child).to_representation is drf.representation
        rows = represent_list(serializer, instance, evaluate=evaluate, plain_child=plain_child)
        if rows is not NOT_PLAIN or type(instance) in (list, tuple):
            return rows
    elif method is drf.representation:
        rows = represent_plain(serializer, (instance,))
        return rows if rows is NOT_PLAIN else rows[0]
    if represents_without_io(serializer, instance):
        return serializer.to_representation(instance)
    return NOT_PLAIN


def representation_of(field: Any) -> Callable[[Any], Any]:
    """The field's ``to_representation``, or a shortcut with exactly its result.

    The shortcuts resolve the field's settings once per serializer instance (DRF reads them
    for every value) and hand any value of an unexpected type back to DRF.
    """
    drf = _drf()
    method = type(field).to_representation
    if method is drf.fields.UUIDField.to_representation and field.uuid_format == "hex_verbose":
        return str
    simple = drf.simple_representations.get(method)
    if simple is not None:
        return simple
    if method is drf.bool_representation:
        return _bool_representation(field.to_representation)
    if method is drf.fields.DateField.to_representation:
        return _date_representation(field)
    if method is drf.fields.DecimalField.to_representation:
        return _decimal_representation(field)
    return field.to_representation


def _bool_representation(drf: Any) -> Any:
    def represent(value: Any) -> Any:
        return value if value is True or value is False else drf(value)

    return represent


def _date_representation(field: Any) -> Any:
    drf = field.to_representation
    if not _iso_dates(field):
        return drf

    def represent(value: Any) -> Any:
        return value.isoformat() if type(value) is datetime.date else drf(value)

    return represent


def _iso_dates(field: Any) -> bool:
    """Whether a ``DateField`` writes a ``date`` as ``date.isoformat()`` does."""
    output_format = getattr(field, "format", _drf().api_settings.DATE_FORMAT)
    return isinstance(output_format, str) and output_format.lower() == _drf().fields.ISO_8601


def _decimal_representation(field: Any) -> Any:
    drf = field.to_representation
    text = _decimal_text(field)
    if text is None:
        return drf

    def represent(value: Any) -> Any:
        return text(value) if type(value) is decimal.Decimal else drf(value)

    return represent


def _decimal_text(field: Any) -> Callable[[decimal.Decimal], str] | None:
    """What a ``DecimalField`` writes for a ``Decimal``, when that is plain text."""
    coerce = getattr(field, "coerce_to_string", _drf().api_settings.COERCE_DECIMAL_TO_STRING)
    if (
        not coerce
        or field.localize
        or field.decimal_places is None
        or getattr(field, "normalize_output", False)
    ):
        return None
    # DRF's ``quantize``: a copy of the current context, at the field's precision.
    context = decimal.getcontext().copy()
    if field.max_digits is not None:
        context.prec = field.max_digits
    exponent = decimal.Decimal(".1") ** field.decimal_places
    rounding = field.rounding
    # ``str`` of a Decimal whose exponent is between -6 and 0 never uses scientific
    # notation, so it equals DRF's ``"{:f}"`` and costs less.
    to_text = str if field.decimal_places <= 6 else "{:f}".format

    def text(value: decimal.Decimal) -> str:
        return to_text(value.quantize(exponent, rounding, context))

    return text


def read_plan(serializer: Any) -> list[ReadStep]:
    """The serializer's readable fields as read steps; built once per serializer instance."""
    plan: list[ReadStep] | None = serializer.__dict__.get(_READ_PLAN)
    if plan is None:
        get_attribute = _drf().get_attribute
        plan = serializer.__dict__[_READ_PLAN] = [
            (
                field.field_name,
                field.source_attrs[0]
                if len(field.source_attrs) == 1 and type(field).get_attribute is get_attribute
                else None,
                field,
                representation_of(field),
            )
            for field in _readable_fields(serializer)
        ]
    return plan


def _readable_fields(serializer: Any) -> Iterable[Any]:
    """DRF's ``_readable_fields``, without the ``Mapping`` machinery when it is DRF's own."""
    drf = _drf()
    fields = serializer.fields
    if type(serializer)._readable_fields is not drf.readable_fields or not isinstance(
        fields, drf.BindingDict
    ):
        return serializer._readable_fields
    return [field for field in fields.fields.values() if not field.write_only]


def represent(plan: list[ReadStep], instance: Any) -> dict[str, Any]:
    """DRF's ``Serializer.to_representation`` over ``plan``.

    Plain one-step sources are read directly; anything else (dotted sources, callables,
    missing attributes, custom ``get_attribute``) goes through DRF.
    """
    ret: dict[str, Any] = {}
    is_mapping = isinstance(instance, Mapping)
    for name, attr, field, to_representation in plan:
        attribute: Any = _MISSING
        if attr is not None:
            try:
                attribute = instance[attr] if is_mapping else getattr(instance, attr)
            except Exception:
                attribute = _MISSING
            else:
                if callable(attribute):
                    attribute = _MISSING
        if attribute is _MISSING:
            attribute = _drf_attribute(field, instance)
            if attribute is _MISSING:
                continue
        ret[name] = None if attribute is None else to_representation(attribute)
    return ret


def _drf_attribute(field: Any, instance: Any) -> Any:
    """DRF's attribute lookup for one field; ``_MISSING`` when DRF skips the field."""
    drf = _drf()
    try:
        attribute = field.get_attribute(instance)
    except drf.fields.SkipField:
        return _MISSING
    if isinstance(attribute, drf.PKOnlyObject) and attribute.pk is None:
        return None
    return attribute


def _plain_plan(serializer: Any) -> PlainPlan | None:
    """The plain steps of every readable field, the attributes read and the
    ``DateTimeField``s to pin; ``None`` when some field may run code of its own.

    A serializer whose fields are not built yet, of a class that builds the same fields
    for every instance, shares its class's plan: nothing can have changed its fields.
    """
    cached = serializer.__dict__.get(_PLAIN_PLAN, _MISSING)
    if cached is not _MISSING:
        return cached
    if _INSTANCE_FIELD_STATE.isdisjoint(serializer.__dict__):
        shared = _shared_plain_plan(type(serializer))
        if shared is not _UNSHARED:
            return shared
    plan = serializer.__dict__[_PLAIN_PLAN] = _build_plain_plan(serializer)
    return plan


def _shared_plain_plan(cls: type) -> Any:
    """The plain plan every fresh ``cls`` instance would build, or ``_UNSHARED``.

    Built once, on a bare instance, and rebuilt when the settings change (plans resolve
    some of them), when the declared fields change, or when the thread's decimal context
    is another object (decimal fields quantize in a copy of it, as DRF does).
    """
    declared = getattr(cls, "_declared_fields", None)
    key = (
        _settings_generation,
        id(declared),
        len(declared or ()),
        id(getattr(cls, "Meta", None)),
        decimal.getcontext(),
    )
    entry = cls.__dict__.get(_SHARED_PLAN)
    if entry is not None and entry[0] == key:
        return entry[1]
    plan: Any = _UNSHARED
    if _fields_from_class(cls):
        plan = _build_plain_plan(_bare_instance(cls))
        if plan is not None and plan[2]:
            plan = _UNSHARED  # pinning time zones needs the instance's own fields
    setattr(cls, _SHARED_PLAN, (key, plan))
    return plan


def _fields_from_class(cls: Any) -> bool:
    """Whether every ``cls`` instance builds equal fields: DRF's ``Serializer.fields`` from
    its declared fields, or a class that says so (``_restflow_fields_from_class``)."""
    own = getattr(cls, "_restflow_fields_from_class", None)
    if own is not None:
        return bool(own())
    drf = _drf()
    if cls.fields is not drf.serializer_fields or cls._readable_fields is not drf.readable_fields:
        return False
    if cls.get_fields is drf.serializer_get_fields:
        return True
    # A ModelSerializer's fields follow from its Meta and model, unless a hook is the user's.
    model_serializer = drf.model_serializer
    return issubclass(cls, model_serializer) and all(
        getattr(cls, hook) is getattr(model_serializer, hook) for hook in _MODEL_FIELD_HOOKS
    )


def _bare_instance(cls: Any) -> Any:
    """A ``cls`` instance built by DRF's constructors only: no user ``__init__`` runs."""
    drf = _drf()
    bare = drf.fields.Field.__new__(cls)
    drf.base_serializer_init(bare)
    return bare


def _forget_shared_plans(**kwargs: Any) -> None:
    global _settings_generation
    _settings_generation += 1


setting_changed.connect(_forget_shared_plans)


def _build_plain_plan(serializer: Any) -> PlainPlan | None:
    drf = _drf()
    plan: PlainPlan | None = None
    steps = []
    zoned = []
    for name, attr, field, to_representation in read_plan(serializer):
        if attr is None or plain_source(field) is None:
            break
        method = type(field).to_representation
        unchanged = (
            bool if method is drf.bool_representation else _UNCHANGED_TYPES.get(to_representation)
        )
        fast_type: type | None = None
        fast: Callable[[Any], Any] | None = None
        if method is drf.fields.DateField.to_representation and _iso_dates(field):
            fast_type, fast = datetime.date, datetime.date.isoformat
        elif method is drf.fields.DecimalField.to_representation:
            fast = _decimal_text(field)
            fast_type = decimal.Decimal if fast is not None else None
        elif isinstance(field, drf.fields.DateTimeField):
            zoned.append(field)
        steps.append((name, attr, to_representation, unchanged, fast_type, fast))
    else:
        plan = (tuple(steps), frozenset(step[1] for step in steps), tuple(zoned))
    return plan


def represent_plain(serializer: Any, items: Iterable[Any]) -> Any:
    """``[serializer.to_representation(item) for item in items]`` when no value can run
    code, read in one pass that checks as it goes; ``NOT_PLAIN`` otherwise.

    The caller guarantees ``serializer.to_representation`` is DRF's or restflow's own. A dict that
    lacks a key gets DRF's rules for it (defaults, skipped fields), still on the loop.
    """
    plan = _plain_plan(serializer)
    if plan is None:
        return NOT_PLAIN
    steps, names, zoned = plan
    if not zoned:
        return _plain_rows(serializer, steps, names, items)
    pinned = _pin(zoned)
    try:
        return _plain_rows(serializer, steps, names, items)
    finally:
        unpin(pinned)


def _plain_rows(
    serializer: Any, steps: tuple[PlainStep, ...], names: frozenset[str], items: Iterable[Any]
) -> Any:
    rows = []
    checked: Any = None
    for item in items:
        cls: Any = type(item)
        if cls is dict:
            values = item
        else:
            if cls is not checked:
                if intercepted_names(cls, names):
                    return NOT_PLAIN
                checked = cls
            values = getattr(item, "__dict__", None)
            if type(values) is not dict:
                return NOT_PLAIN
        row: dict[str, Any] = {}
        for name, attr, to_representation, unchanged, fast_type, fast in steps:
            value = values.get(attr, _MISSING)
            kind = type(value)
            if kind is unchanged:
                row[name] = value
            elif kind is fast_type:
                row[name] = fast(value)  # type: ignore[misc]
            elif value is None:
                row[name] = None
            elif value is _MISSING or callable(value):
                break
            else:
                row[name] = to_representation(value)
        else:
            rows.append(row)
            continue
        # A missing or callable value: DRF would call it, or look it up its own way.
        if values is not item or any(callable(item.get(name)) for name in names):
            return NOT_PLAIN
        if serializer is None:
            return NOT_PLAIN  # read from a class: no fields to apply DRF's rules with
        rows.append(represent(read_plan(serializer), item))  # a dict: DRF's rules for a missing key
    return rows


def class_plain_representation(serializer_class: Any, instance: Any, *, many: bool) -> Any:
    """What ``serializer_class(instance, many=many).data`` holds (before DRF wraps it), read
    without building the serializer; ``NOT_PLAIN`` unless that is sure to be the same.

    Building a DRF serializer costs more than reading 20 plain rows. It can be skipped when
    it has no effect of its own: the class shares its read plan (its fields follow from the
    class), its constructors and ``.data`` are DRF's or restflow's, and its
    ``to_representation`` (and its list class's) is the one the plan reads with. Such a
    representation uses no context either. The values must be plain, as for
    ``represent_plain``.
    """
    if instance is None or not isinstance(serializer_class, type):
        return NOT_PLAIN
    plan, single, listed = _class_reading(serializer_class)
    if plan is None or not (single and (listed or not many)):
        return NOT_PLAIN
    items = instance if many else (instance,)
    if type(items) not in (list, tuple):
        return NOT_PLAIN
    try:
        rows = _plain_rows(None, plan[0], plan[1], items)
    except SynchronousOnlyOperation:
        return NOT_PLAIN  # a value's own ``__str__`` queried after all
    if rows is NOT_PLAIN or many:
        return rows
    return rows[0]


def _class_reading(cls: Any) -> tuple[PlainPlan | None, bool, bool]:
    """The class's shared plan, whether a ``cls`` instance's ``.data`` reads with it, and
    whether its list's does; remembered until the shared plan is rebuilt, or the class's
    ``to_representation`` is replaced (as ``mock.patch.object`` does in tests)."""
    plan = _shared_plain_plan(cls) if issubclass(cls, _drf().serializer) else None
    if plan is _UNSHARED or plan is None:
        return None, False, False
    representation = cls.to_representation
    entry = cls.__dict__.get(_CLASS_READING)
    if entry is not None and entry[0] is plan and entry[1] is representation:
        return entry[2]
    drf = _drf()
    single = _builds_plainly(cls, drf.representation, ("__new__", "many_init"))
    listed = single and _builds_plainly(_list_class(cls), drf.list_representation, ())
    reading = (plan, single, listed)
    setattr(cls, _CLASS_READING, (plan, representation, reading))
    return reading


def _builds_plainly(cls: Any, representation: Any, constructors: tuple[str, ...]) -> bool:
    """Building ``cls`` and reading its ``.data`` runs library code only, and its
    ``to_representation`` is ``representation`` or the one its class declares equal
    (``_restflow_plan_representation``)."""
    if not isinstance(cls, type) or type(cls).__call__ is not type.__call__:
        return False
    names = ("__init__", "data", *constructors)
    own = getattr(cls, "to_representation", None)
    declared = getattr(cls, "_restflow_plan_representation", representation)
    return own is declared and all(_library_defined(cls, name) for name in names)


def _list_class(cls: Any) -> Any:
    """The class ``cls(many=True)`` builds: ``Meta.list_serializer_class``, else the
    library's default, learnt by building one (its constructors are the library's)."""
    declared = getattr(getattr(cls, "Meta", None), "list_serializer_class", None)
    return declared if declared is not None else type(cls(many=True))


def _library_defined(cls: type, name: str) -> bool:
    return (defining_module(cls, name) or "").startswith(_LIBRARY_MODULES)


def pin_time_zones(serializer: Any) -> list[Any]:
    """Give the serializer's ``DateTimeField``s their current time zone for one list render.

    DRF looks the active time zone up again for every value (``default_timezone()``); it
    cannot change while a list renders, so each field gets it once, as the ``timezone``
    attribute DRF already honours. The caller removes it afterwards (``unpin``).
    """
    datetime_field = _drf().fields.DateTimeField
    return _pin(
        [field for _, _, field, _ in read_plan(serializer) if isinstance(field, datetime_field)]
    )


def _pin(fields: Iterable[Any]) -> list[Any]:
    pinned = []
    for field in fields:
        if not hasattr(field, "timezone"):
            field.timezone = field.default_timezone()
            pinned.append(field)
    return pinned


def unpin(pinned: list[Any]) -> None:
    for field in pinned:
        del field.timezone
