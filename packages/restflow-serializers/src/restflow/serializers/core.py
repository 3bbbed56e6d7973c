"""One validation core that ``is_valid`` and ``ais_valid`` both drive.

The sync methods are DRF's algorithm with async user code refused (the coroutine is
closed, so nothing is silently skipped). The async methods pick, once per serializer
instance, the cheapest way to run that same core without touching the database on the
event loop:

* ``inline``: nothing async and nothing that may query the database → the sync core
  runs on the loop (pure parsing);
* ``thread``: nothing async but something DB-bound or user-written → the whole sync core
  runs in ONE thread hop (for a list: one hop for all items);
* ``async``: async user code somewhere → field by field, awaiting async hooks, nested
  restflow serializers and async validators, and hopping to a thread only for the
  DB-bound fields and sync hooks.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from asgiref.sync import sync_to_async
from django.core.exceptions import SynchronousOnlyOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework import fields as drf_fields
from rest_framework import serializers as drf_serializers
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.fields import SkipField, empty, get_error_detail
from rest_framework.settings import api_settings
from rest_framework.utils import html, model_meta
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from restflow.helpers import maybe_await, require_sync
from restflow.helpers.read_plan import (
    NOT_PLAIN,
    pin_time_zones,
    read_plan,
    represent,
    represent_list,
    represent_plain,
    unpin,
)
from restflow.helpers.representation import represents_without_io
from restflow.serializers.validated_data import ValidatedData, transform_validated_data
from restflow.serializers.validation import (
    PROTOTYPE_ATTR,
    await_collected,
    call_validators,
    close_pending,
    collect_awaitables,
    has_async_validators,
    is_async_callable,
    is_async_validator,
    is_user_validator,
    needs_thread,
)

__all__ = ["ListSerializer", "ModelSerializerMixin", "SerializerMixin", "ValidationCoreMixin"]

INLINE, THREAD, ASYNC = "inline", "thread", "async"
TOO_DEEP_MESSAGE = "The value is nested too deeply."


def _hop(func: Any) -> Any:
    return sync_to_async(func, thread_sensitive=True)


def _validator_needs_thread(validator: Any) -> bool:
    if getattr(validator, "queryset", None) is not None:
        return True
    return is_user_validator(validator) and not is_async_validator(validator)


def _overrides(cls: type, name: str, defaults: tuple[Any, ...]) -> bool:
    return getattr(cls, name, None) not in defaults


def _too_deep() -> ErrorDetail:
    # A payload nested deeper than Python's recursion limit (e.g. inside an ``Any`` field,
    # which DRF checks with ``json.dumps``) is bad input, not a server error.
    return ErrorDetail(TOO_DEEP_MESSAGE, code="max_depth")


class ValidationCoreMixin:
    """What ``Serializer`` and ``ListSerializer`` share: caching, modes, saving."""

    # Set by the concrete mixins: the value stored when validation fails.
    _empty_validated: type = dict

    if TYPE_CHECKING:  # provided by the DRF classes these mixins are combined with
        instance: Any
        initial_data: Any
        partial: bool
        validators: list[Any]
        error_messages: dict[str, Any]
        _validated_data: Any
        _errors: Any
        _data: Any

        @property
        def errors(self) -> Any: ...
        @property
        def fields(self) -> Any: ...
        @property
        def _writable_fields(self) -> Any: ...
        @property
        def _readable_fields(self) -> Any: ...
        def validate_empty_values(self, data: Any) -> tuple[bool, Any]: ...
        def to_internal_value(self, data: Any) -> Any: ...
        def to_representation(self, instance: Any) -> Any: ...
        def validate(self, attrs: Any) -> Any: ...
        def create(self, validated_data: Any) -> Any: ...
        def update(self, instance: Any, validated_data: Any) -> Any: ...
        def get_initial(self) -> Any: ...
        def set_value(self, dictionary: Any, keys: Any, value: Any) -> None: ...
        def _read_only_defaults(self) -> dict[str, Any]: ...

    # -- sync core -----------------------------------------------------------------

    def run_validation(self, data: Any = empty) -> Any:
        (is_empty_value, data) = self.validate_empty_values(data)
        if is_empty_value:
            return data
        value = self.to_internal_value(data)
        try:
            self.run_validators(value)
            value = require_sync(self.validate(value), "arun_validation")
            assert value is not None, ".validate() should return the validated data"
        except (ValidationError, DjangoValidationError) as exc:
            raise ValidationError(detail=drf_serializers.as_serializer_error(exc))
        return value

    def _validator_input(self, value: Any) -> Any:
        return value

    def run_validators(self, value: Any) -> None:
        errors = call_validators(self.validators, self._validator_input(value), self)
        if errors:
            raise ValidationError(errors)

    @property
    def validated_data(self) -> Any:
        """The validated data as ``ValidatedData`` (converted once, then the same object)."""
        if not hasattr(self, "_validated_data"):
            raise AssertionError("You must call `.is_valid()` before accessing `.validated_data`.")
        data = self._validated_data
        if not getattr(self, "_validated_data_converted", False):
            data = transform_validated_data(data)
            if isinstance(self._empty_validated(), dict) and not isinstance(data, ValidatedData):
                data = ValidatedData(data)
            self._validated_data = data
            self._validated_data_converted = True
        return data

    def save(self, **kwargs: Any) -> Any:
        self._check_save_preconditions("save", "`.is_valid()`", kwargs)
        validated_data = self._save_input(kwargs)
        if self.instance is not None:
            result = require_sync(self.update(self.instance, validated_data), "asave")
            assert result is not None, "`update()` did not return an object instance."
        else:
            result = require_sync(self.create(validated_data), "asave")
            assert result is not None, "`create()` did not return an object instance."
        self.instance = result
        return result

    def _check_save_preconditions(
        self, method: str, validator: str, kwargs: dict[str, Any]
    ) -> None:
        assert hasattr(self, "_errors"), f"You must call {validator} before calling `.{method}()`."
        assert not self.errors, f"You cannot call `.{method}()` on a serializer with invalid data."
        assert "commit" not in kwargs, (
            f"'commit' is not a valid keyword argument to the '{method}()' method."
        )
        assert not hasattr(self, "_data"), (
            f"You cannot call `.{method}()` after accessing `serializer.data`."
        )

    def _save_input(self, kwargs: dict[str, Any]) -> Any:
        return {**self.validated_data, **kwargs}

    # -- async API -----------------------------------------------------------------

    async def ais_valid(self, *, raise_exception: bool = False) -> bool:
        assert hasattr(self, "initial_data"), (
            "Cannot call `.ais_valid()` as no `data=` keyword argument was passed when "
            "instantiating the serializer instance."
        )
        state = self.__dict__
        while "_validated_data" not in state:
            # Concurrent calls on one instance validate once; the others wait (W-24).
            running = state.get("_restflow_validating")
            if running is not None:
                await running
                continue
            done = asyncio.get_running_loop().create_future()
            state["_restflow_validating"] = done
            try:
                self._validated_data = await self.arun_validation(self.initial_data)
            except ValidationError as exc:
                self._validated_data = self._empty_validated()
                self._errors = exc.detail
            else:
                self._errors = self._empty_validated()
            finally:
                del state["_restflow_validating"]
                done.set_result(None)
        if self._errors and raise_exception:
            raise ValidationError(self.errors)
        return not bool(self._errors)

    async def arun_validation(self, data: Any = empty) -> Any:
        mode = self._validation_mode()
        if mode == INLINE:
            return self.run_validation(data)
        if mode == THREAD:
            return await _hop(self.run_validation)(data)
        (is_empty_value, data) = self.validate_empty_values(data)
        if is_empty_value:
            return data
        value = await self.ato_internal_value(data)
        try:
            await self._arun_validators(value)
            value = await self._acall_validate(value)
            assert value is not None, ".validate() should return the validated data"
        except (ValidationError, DjangoValidationError) as exc:
            raise ValidationError(detail=drf_serializers.as_serializer_error(exc))
        return value

    async def ato_internal_value(self, data: Any) -> Any:
        raise NotImplementedError("`ato_internal_value()` must be implemented.")

    async def avalidate(self, attrs: Any) -> Any:
        """Async cross-field hook; when overridden it replaces ``validate`` on ``ais_valid``."""
        return attrs

    async def _arun_validators(self, value: Any) -> None:
        validators = list(self.validators)
        if not validators:
            return
        to_validate = self._validator_input(value)
        with collect_awaitables() as pending:
            try:
                if any(_validator_needs_thread(v) for v in validators):
                    errors = await _hop(call_validators)(validators, to_validate, self)
                else:
                    errors = call_validators(validators, to_validate, self)
            except BaseException:
                close_pending(pending)
                raise
            await await_collected(pending, errors)

    async def _acall_validate(self, value: Any) -> Any:
        cls = type(self)
        if _overrides(cls, "avalidate", (ValidationCoreMixin.avalidate,)):
            return await self.avalidate(value)
        validate = self.validate
        if is_async_callable(validate):
            return await validate(value)
        if _overrides(cls, "validate", _DEFAULT_VALIDATE):
            return await maybe_await(await _hop(validate)(value))
        return validate(value)

    def _validation_mode(self) -> str:
        state = self.__dict__
        mode = state.get("_restflow_validation_mode")
        if mode is None:
            prototype = state.get(PROTOTYPE_ATTR)
            if isinstance(prototype, ValidationCoreMixin):
                mode = prototype._validation_mode()
            else:
                mode = self._cached_class_mode()
            state["_restflow_validation_mode"] = mode
        return mode

    def _cached_class_mode(self) -> str:
        # Instances whose fields are copies of the same class-level fields share a mode.
        key = self._mode_key()
        if key is None:
            return self._compute_validation_mode()
        cls = type(self)
        modes = cls.__dict__.get("_restflow_modes")
        if modes is None:
            modes = {}
            cls._restflow_modes = modes  # type: ignore[attr-defined]
        mode = modes.get(key)
        if mode is None:
            mode = modes[key] = self._compute_validation_mode()
        return mode

    def _mode_key(self) -> tuple[Any, ...] | None:
        """What the mode depends on beyond the class, or ``None`` when it is not cacheable."""
        return None

    def _compute_validation_mode(self) -> str:
        """The mode from the user code this level adds; subclasses add their fields."""
        cls = type(self)
        if (
            _overrides(cls, "ato_internal_value", self._own_async_core())
            or _overrides(cls, "arun_validation", (ValidationCoreMixin.arun_validation,))
            or _overrides(cls, "avalidate", (ValidationCoreMixin.avalidate,))
            or is_async_callable(self.validate)
            or any(is_async_validator(v) for v in self.validators)
        ):
            return ASYNC
        if (
            _overrides(cls, "validate", _DEFAULT_VALIDATE)
            or _overrides(cls, "run_validation", (ValidationCoreMixin.run_validation,))
            or _overrides(cls, "run_validators", (ValidationCoreMixin.run_validators,))
            or _overrides(cls, "to_internal_value", self._own_sync_core())
            or any(_validator_needs_thread(v) for v in self.validators)
        ):
            return THREAD
        return INLINE

    def _own_async_core(self) -> tuple[Any, ...]:
        return ()

    def _own_sync_core(self) -> tuple[Any, ...]:
        return ()

    async def asave(self, **kwargs: Any) -> Any:
        self._check_save_preconditions("asave", "`.ais_valid()` (or `.is_valid()`)", kwargs)
        validated_data = self._save_input(kwargs)
        if self.instance is not None:
            result = await self._adispatch("update", self.instance, validated_data)
            assert result is not None, "`aupdate()` did not return an object instance."
        else:
            result = await self._adispatch("create", validated_data)
            assert result is not None, "`acreate()` did not return an object instance."
        self.instance = result
        return result

    async def _adispatch(self, action: str, *args: Any) -> Any:
        """``acreate`` override > ``create`` override > default (serializers.md §7.5)."""
        cls = type(self)
        async_name = f"a{action}"
        if _overrides(cls, async_name, _DEFAULT_ASYNC_SAVE[async_name]):
            return await getattr(self, async_name)(*args)
        sync = getattr(self, action)
        if _overrides(cls, action, _DEFAULT_SYNC_SAVE[action]):
            if is_async_callable(sync):
                return await sync(*args)
            return await maybe_await(await _hop(sync)(*args))
        if isinstance(self, ModelSerializerMixin):
            return await getattr(self, async_name)(*args)
        return sync(*args)  # DRF's default: NotImplementedError naming the method

    async def acreate(self, validated_data: Any) -> Any:
        raise NotImplementedError("`acreate()` must be implemented.")

    async def aupdate(self, instance: Any, validated_data: Any) -> Any:
        raise NotImplementedError("`aupdate()` must be implemented.")

    async def ato_representation(self, instance: Any) -> Any:
        """On the loop when it only formats plain values; else ``to_representation``,
        awaited when async, or run in a worker thread."""
        data = self._represent_plain(instance)
        if data is not NOT_PLAIN:
            return data
        to_representation = self.to_representation
        if is_async_callable(to_representation):
            return await to_representation(instance)
        return await maybe_await(await _hop(to_representation)(instance))

    @property
    def adata(self) -> Any:
        """``await serializer.adata``: ``.data`` rendered off the event loop."""
        return self._adata()

    async def _adata(self) -> Any:
        if hasattr(self, "initial_data") and not hasattr(self, "_validated_data"):
            raise AssertionError(
                "When a serializer is passed a `data` keyword argument you must call "
                "`.ais_valid()` before attempting to access the serialized `.adata` "
                "representation."
            )
        if not hasattr(self, "_data"):
            if self.instance is not None and not getattr(self, "_errors", None):
                self._data = await self.ato_representation(self.instance)
            elif hasattr(self, "_validated_data") and not getattr(self, "_errors", None):
                self._data = await self.ato_representation(self.validated_data)
            else:
                self._data = await _hop(self.get_initial)()
        return self._wrap_data(self._data)

    def _wrap_data(self, data: Any) -> Any:
        return data

    def _represent_plain(self, instance: Any, evaluate: bool = False) -> Any:
        """``to_representation(instance)`` when that can run no I/O, else ``NOT_PLAIN``;
        ``evaluate`` (sync code only) lets a list fetch its queryset first."""
        try:
            if represents_without_io(self, instance):
                return self.to_representation(instance)
        except SynchronousOnlyOperation:
            pass  # a value's own ``__str__`` queried after all
        return NOT_PLAIN

    def _restflow_plain_data(self, evaluate: bool = False) -> Any:
        """``.data`` when it can be computed on the event loop, else ``NOT_PLAIN`` (the
        protocol of ``restflow.helpers.read_plan.plain_data``)."""
        if not hasattr(self, "_data"):
            if self.instance is None or getattr(self, "_errors", None):
                return NOT_PLAIN
            data = self._represent_plain(self.instance, evaluate)
            if data is NOT_PLAIN:
                return NOT_PLAIN
            self._data = data
        return self._wrap_data(self._data)

    def _refuse_async_representation(self) -> None:
        if not hasattr(self, "_data") and is_async_callable(self.to_representation):
            raise TypeError(
                "async user callable detected, use ato_representation for async support."
            )


# The kwargs many_init hands to the list only: DRF 3.15 names them
# LIST_SERIALIZER_KWARGS_REMOVE; DRF 3.14 hard-codes the same three.
_LIST_ONLY_KWARGS: tuple[str, ...] = getattr(
    drf_serializers, "LIST_SERIALIZER_KWARGS_REMOVE", ("allow_empty", "max_length", "min_length")
)


# What one field's validation may raise instead of a value; the sync and async loops of
# ``to_internal_value`` record it the same way.
FIELD_OUTCOMES = (ValidationError, DjangoValidationError, SkipField, RecursionError)


def _record_field_outcome(errors: dict[str, Any], name: str, exc: BaseException) -> None:
    if isinstance(exc, ValidationError):
        errors[name] = exc.detail
    elif isinstance(exc, DjangoValidationError):
        errors[name] = get_error_detail(exc)
    elif isinstance(exc, RecursionError):
        errors[name] = [_too_deep()]
    # SkipField: the field contributes nothing.


class SerializerMixin(ValidationCoreMixin):
    """The restflow behaviour of ``Serializer`` and the model serializers."""

    if not hasattr(drf_serializers.Serializer, "set_value"):

        def set_value(self, dictionary: Any, keys: Any, value: Any) -> None:
            """The ``Serializer.set_value`` hook of DRF 3.15+ that the async core calls; on
            DRF 3.14 it is the module function ``rest_framework.fields.set_value``."""
            drf_fields.set_value(dictionary, keys, value)

    @classmethod
    def many_init(cls, *args: Any, **kwargs: Any) -> Any:
        """DRF's split of list/child kwargs, with restflow's async ``ListSerializer``."""
        list_kwargs = {}
        for key in _LIST_ONLY_KWARGS:
            value = kwargs.pop(key, None)
            if value is not None:
                list_kwargs[key] = value
        list_kwargs["child"] = cls(*args, **kwargs)
        list_kwargs.update(
            {k: v for k, v in kwargs.items() if k in drf_serializers.LIST_SERIALIZER_KWARGS}
        )
        meta = getattr(cls, "Meta", None)
        list_serializer_class = getattr(meta, "list_serializer_class", ListSerializer)
        return list_serializer_class(*args, **list_kwargs)

    def _validator_input(self, value: Any) -> Any:
        if isinstance(value, dict):
            to_validate = self._read_only_defaults()
            to_validate.update(value)
            return to_validate
        return value

    def to_internal_value(self, data: Any) -> Any:
        self._check_mapping(data)
        ret: dict[str, Any] = {}
        errors: dict[str, Any] = {}
        for field in self._writable_fields:
            validate_method = getattr(self, "validate_" + field.field_name, None)
            primitive_value = field.get_value(data)
            try:
                validated_value = field.run_validation(primitive_value)
                if validate_method is not None:
                    validated_value = require_sync(
                        validate_method(validated_value), "ato_internal_value"
                    )
            except FIELD_OUTCOMES as exc:
                _record_field_outcome(errors, field.field_name, exc)
            else:
                self.set_value(ret, field.source_attrs, validated_value)
        if errors:
            raise ValidationError(errors)
        return ret

    def _check_mapping(self, data: Any) -> None:
        if not isinstance(data, Mapping):
            message = self.error_messages["invalid"].format(datatype=type(data).__name__)
            raise ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [message]}, code="invalid")

    async def ato_internal_value(self, data: Any) -> Any:
        self._check_mapping(data)
        ret: dict[str, Any] = {}
        errors: dict[str, Any] = {}
        prefetched = _prefetched.get()
        for field in self._writable_fields:
            hook = getattr(self, "validate_" + field.field_name, None)
            entry = prefetched.pop(id(field), None) if prefetched else None
            try:
                if entry is not None:
                    value, hooked = await _consume_prefetched(entry)
                    if hooked:
                        hook = None
                else:
                    value = await _arun_field_validation(field, field.get_value(data))
                if hook is not None:
                    if is_async_callable(hook):
                        value = await hook(value)
                    else:
                        value = await maybe_await(await _hop(hook)(value))
            except FIELD_OUTCOMES as exc:
                _record_field_outcome(errors, field.field_name, exc)
            else:
                self.set_value(ret, field.source_attrs, value)
        if errors:
            raise ValidationError(errors)
        return ret

    def _mode_key(self) -> tuple[Any, ...] | None:
        key = []
        for name, field in self.fields.items():
            prototype = field.__dict__.get(PROTOTYPE_ATTR)
            if prototype is None:
                return None  # a field built for this instance only
            key.append((name, id(prototype), field.read_only))
        return tuple(key)

    def _own_async_core(self) -> tuple[Any, ...]:
        return (SerializerMixin.ato_internal_value,)

    def _own_sync_core(self) -> tuple[Any, ...]:
        return (SerializerMixin.to_internal_value,)

    def _compute_validation_mode(self) -> str:
        mode = super()._compute_validation_mode()
        if mode == ASYNC:
            return ASYNC
        thread = mode == THREAD
        for field in self._writable_fields:
            hook = getattr(self, "validate_" + field.field_name, None)
            if hook is not None:
                if is_async_callable(hook):
                    return ASYNC
                thread = True
            if isinstance(field, ValidationCoreMixin):
                nested = field._validation_mode()
                if nested == ASYNC:
                    return ASYNC
                thread = thread or nested == THREAD
            elif has_async_validators(field) or _is_list_of_async_serializers(field):
                return ASYNC
            else:
                thread = thread or needs_thread(field)
        return THREAD if thread else INLINE

    # -- representation ------------------------------------------------------------

    def to_representation(self, instance: Any) -> Any:
        """DRF's algorithm over a per-instance read plan (see ``representation``)."""
        return represent(read_plan(self), instance)

    # The representation ``read_plan`` reads with (``class_plain_representation``).
    _restflow_plan_representation = to_representation

    def _represent_plain(self, instance: Any, evaluate: bool = False) -> Any:
        if type(self).to_representation is not SerializerMixin.to_representation:
            return super()._represent_plain(instance)
        try:
            rows = represent_plain(self, (instance,))
        except SynchronousOnlyOperation:
            return NOT_PLAIN
        return rows if rows is NOT_PLAIN else rows[0]

    @property
    def data(self) -> Any:
        self._refuse_async_representation()
        return super().data  # type: ignore[misc]

    def _wrap_data(self, data: Any) -> Any:
        return ReturnDict(data, serializer=self)


class ModelSerializerMixin(SerializerMixin):
    """Default async persistence with the Django async ORM (serializers.md §8.3)."""

    if TYPE_CHECKING:
        Meta: Any

    async def acreate(self, validated_data: Any) -> Any:
        drf_serializers.raise_errors_on_nested_writes("create", self, validated_data)
        model_class = self.Meta.model
        info = model_meta.get_field_info(model_class)
        many_to_many = {
            name: validated_data.pop(name)
            for name, relation in info.relations.items()
            if relation.to_many and name in validated_data
        }
        try:
            instance = await model_class._default_manager.acreate(**validated_data)
        except TypeError as exc:
            raise TypeError(
                f"Got a `TypeError` when calling `{model_class.__name__}."
                f"{model_class._default_manager.name}.acreate()`. This may be because you have "
                f"a writable field on the serializer class that is not a valid argument to "
                f"`{model_class.__name__}.{model_class._default_manager.name}.acreate()`. You "
                f"may need to make the field read-only, or override the "
                f"{type(self).__name__}.acreate() method to handle this correctly.\n"
                f"Original exception was: {exc}"
            ) from exc
        for name, value in many_to_many.items():
            await getattr(instance, name).aset(value)
        return instance

    async def aupdate(self, instance: Any, validated_data: Any) -> Any:
        drf_serializers.raise_errors_on_nested_writes("update", self, validated_data)
        info = model_meta.get_field_info(instance)
        many_to_many = []
        for attr, value in validated_data.items():
            if attr in info.relations and info.relations[attr].to_many:
                many_to_many.append((attr, value))
            else:
                setattr(instance, attr, value)
        await instance.asave()
        for attr, value in many_to_many:
            await getattr(instance, attr).aset(value)
        return instance


def _is_list_of_async_serializers(field: Any) -> bool:
    """``ListField(child=S())`` (e.g. ``list[S | None]``) whose ``S`` has async code."""
    child = getattr(field, "child", None)
    return (
        isinstance(field, drf_fields.ListField)
        and isinstance(child, ValidationCoreMixin)
        and child._validation_mode() == ASYNC
    )


async def _arun_list_field(field: Any, data: Any) -> Any:
    """DRF's ``ListField.run_validation`` with each item validated by the child's async API."""
    (is_empty_value, data) = field.validate_empty_values(data)
    if is_empty_value:
        return data
    if html.is_html_input(data):
        data = html.parse_html_list(data, default=[])
    if isinstance(data, (str, Mapping)) or not hasattr(data, "__iter__"):
        field.fail("not_a_list", input_type=type(data).__name__)
    if not field.allow_empty and len(data) == 0:
        field.fail("empty")
    result = []
    errors: dict[int, Any] = {}
    for index, item in enumerate(data):
        try:
            result.append(await field.child.arun_validation(item))
        except ValidationError as exc:
            errors[index] = exc.detail
        except DjangoValidationError as exc:
            errors[index] = get_error_detail(exc)
    if errors:
        raise ValidationError(errors)
    await _run_collecting(field.run_validators, result, in_thread=False)
    return result


# Results computed ahead, in one worker-thread hop, for the item being validated: keyed
# by ``id(field)``, so nested serializers of the item never see entries of their parent.
_prefetched: contextvars.ContextVar[dict[int, tuple[Any, ...]] | None] = contextvars.ContextVar(
    "restflow_serializers_prefetched", default=None
)


def _prefetch_plan(child: Any) -> list[tuple[Any, Any]]:
    """The child's fields whose validation (and sync hook) would need a thread hop."""
    plan = []
    for field in child._writable_fields:
        if isinstance(field, ValidationCoreMixin) or _is_list_of_async_serializers(field):
            continue
        hook = getattr(child, "validate_" + field.field_name, None)
        sync_hook = None if hook is None or is_async_callable(hook) else hook
        if has_async_validators(field):
            sync_hook = None  # the hook must wait for the awaited validators
        if needs_thread(field) or sync_hook is not None:
            plan.append((field, sync_hook))
    return plan


def _prefetch(plan: list[tuple[Any, Any]], items: list[Any]) -> list[dict[int, tuple[Any, ...]]]:
    """Worker thread: validate the planned fields of every item, keeping exceptions."""
    results = []
    for item in items:
        entries: dict[int, tuple[Any, ...]] = {}
        if isinstance(item, Mapping):
            for field, hook in plan:
                with collect_awaitables() as pending:
                    try:
                        value = field.run_validation(field.get_value(item))
                        hooked = hook is not None and not pending
                        if hooked:
                            value = hook(value)
                    except Exception as exc:
                        entries[id(field)] = (exc, None, pending, False)
                    else:
                        entries[id(field)] = (None, value, pending, hooked)
        results.append(entries)
    return results


async def _consume_prefetched(entry: tuple[Any, ...]) -> tuple[Any, bool]:
    """Re-raise or return a prefetched result, after awaiting its validators' awaitables."""
    exc, value, pending, hooked = entry
    if exc is not None:
        if isinstance(exc, ValidationError) and pending and isinstance(exc.detail, list):
            await await_collected(pending, exc.detail)
        close_pending(pending)
        raise exc
    await await_collected(pending)
    return (await maybe_await(value) if hooked else value), hooked


def _discard_prefetched(entries: dict[int, tuple[Any, ...]]) -> None:
    for _exc, value, pending, hooked in entries.values():
        close_pending(pending)
        if hooked and inspect.isawaitable(value):
            close_pending([value])
    entries.clear()


def _validate_items(child: Any, data: list[Any]) -> tuple[list[Any], dict[int, Any]]:
    """A plain DRF child: every item validated in the same worker-thread call."""
    ret = []
    errors: dict[int, Any] = {}
    for index, item in enumerate(data):
        try:
            ret.append(child.run_validation(item))
        except ValidationError as exc:
            errors[index] = exc.detail
    return ret, errors


async def _arun_field_validation(field: Any, primitive_value: Any) -> Any:
    """One field on the async path: nested restflow serializers are awaited, DB-bound
    fields hop to a thread, awaitable validator results are awaited afterwards."""
    if isinstance(field, ValidationCoreMixin):
        return await field.arun_validation(primitive_value)
    if _is_list_of_async_serializers(field):
        return await _arun_list_field(field, primitive_value)
    return await _run_collecting(
        field.run_validation, primitive_value, in_thread=needs_thread(field)
    )


async def _run_collecting(func: Any, value: Any, *, in_thread: bool) -> Any:
    """``func(value)`` (in a worker thread or inline), then the awaitables its guarded
    validators returned: their errors join the sync validators' errors."""
    with collect_awaitables() as pending:
        try:
            result = await _hop(func)(value) if in_thread else func(value)
        except ValidationError as exc:
            if pending and isinstance(exc.detail, list):
                await await_collected(pending, exc.detail)
            close_pending(pending)
            raise
        except BaseException:
            close_pending(pending)
            raise
        await await_collected(pending)
    return result


def _list_errors_as_dict() -> bool:
    """Per-item errors keyed by index, as DRF's sync ``to_internal_value`` reports them:
    DRF 3.18 added ``LIST_SERIALIZER_ERRORS_AS_DICT`` (default true); older DRF has no such
    setting and always reports a list aligned to the input."""
    return bool(getattr(api_settings, "LIST_SERIALIZER_ERRORS_AS_DICT", False))


class ListSerializer(ValidationCoreMixin, drf_serializers.ListSerializer):
    """DRF's ``ListSerializer`` with the async API; the class ``many=True`` builds."""

    _empty_validated = list
    save = drf_serializers.ListSerializer.save  # DRF's list save; no single-object checks

    def run_child_validation(self, data: Any) -> Any:
        return self.child.run_validation(data)

    def to_representation(self, data: Any) -> Any:
        """DRF's list rendering, with the child's time zone looked up once per list."""
        child = self.child
        pinned = pin_time_zones(child) if isinstance(child, SerializerMixin) else []
        try:
            return super().to_representation(data)
        finally:
            unpin(pinned)

    # DRF's list rendering: what ``read_plan`` reads (``class_plain_representation``).
    _restflow_plan_representation = to_representation

    def _represent_plain(self, instance: Any, evaluate: bool = False) -> Any:
        if type(self).to_representation is not ListSerializer.to_representation:
            return super()._represent_plain(instance)
        plain_child = type(self.child).to_representation is SerializerMixin.to_representation
        try:
            return represent_list(self, instance, evaluate=evaluate, plain_child=plain_child)
        except SynchronousOnlyOperation:
            return NOT_PLAIN  # a value's own ``__str__`` queried after all

    async def ato_internal_value(self, data: Any) -> Any:
        if html.is_html_input(data):
            data = html.parse_html_list(data, default=[])
        self._check_list(data)
        child = self.child
        if isinstance(child, ValidationCoreMixin):
            ret, errors = await self._avalidate_items(child, data)
        else:
            ret, errors = await _hop(_validate_items)(child, data)
        if errors:
            if not _list_errors_as_dict():
                raise ValidationError([errors.get(index, {}) for index in range(len(data))])
            raise ValidationError(errors)
        return ret

    async def _avalidate_items(
        self, child: Any, data: list[Any]
    ) -> tuple[list[Any], dict[int, Any]]:
        """Each item through the child's async API; the thread work of all items (DB-bound
        fields, sync field hooks) is done up front in ONE hop (see ``_prefetch``)."""
        plan = _prefetch_plan(child) if child._validation_mode() == ASYNC else []
        prefetched = await _hop(_prefetch)(plan, data) if plan else None
        ret = []
        errors: dict[int, Any] = {}
        for index, item in enumerate(data):
            token = _prefetched.set(prefetched[index]) if prefetched else None
            try:
                ret.append(await child.arun_validation(item))
            except ValidationError as exc:
                errors[index] = exc.detail
            finally:
                if token is not None:
                    _prefetched.reset(token)
                    _discard_prefetched(prefetched[index])  # type: ignore[index]
        return ret, errors

    def _check_list(self, data: Any) -> None:
        checks: tuple[tuple[str, bool, dict[str, Any]], ...] = (
            ("not_a_list", not isinstance(data, list), {"input_type": type(data).__name__}),
            ("empty", isinstance(data, list) and not self.allow_empty and not data, {}),
            (
                "max_length",
                self.max_length is not None and len(data) > self.max_length,
                {"max_length": self.max_length},
            ),
            (
                "min_length",
                self.min_length is not None and len(data) < self.min_length,
                {"min_length": self.min_length},
            ),
        )
        for code, failed, params in checks:
            if failed:
                message = self.error_messages[code].format(**params)
                raise ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [message]}, code=code)

    def _own_async_core(self) -> tuple[Any, ...]:
        return (ListSerializer.ato_internal_value,)

    def _own_sync_core(self) -> tuple[Any, ...]:
        return (drf_serializers.ListSerializer.to_internal_value,)

    def _compute_validation_mode(self) -> str:
        mode = super()._compute_validation_mode()
        if mode == ASYNC:
            return ASYNC
        child = self.child
        if isinstance(child, ValidationCoreMixin):
            child_mode = child._validation_mode()
        elif has_async_validators(child):
            child_mode = ASYNC
        else:
            child_mode = THREAD if needs_thread(child) else INLINE
        if child_mode == ASYNC:
            return ASYNC
        if _overrides(type(self), "run_child_validation", (ListSerializer.run_child_validation,)):
            return THREAD
        return THREAD if THREAD in (mode, child_mode) else INLINE

    async def asave(self, **kwargs: Any) -> Any:
        assert "commit" not in kwargs, (
            "'commit' is not a valid keyword argument to the 'asave()' method."
        )
        validated_data = [{**attrs, **kwargs} for attrs in self.validated_data]
        if self.instance is not None:
            result = await self._adispatch("update", self.instance, validated_data)
            assert result is not None, "`aupdate()` did not return an object instance."
        else:
            result = await self._adispatch("create", validated_data)
            assert result is not None, "`acreate()` did not return an object instance."
        self.instance = result
        return result

    async def _adispatch(self, action: str, *args: Any) -> Any:
        cls = type(self)
        if action == "create" and not (
            _overrides(cls, "acreate", (ListSerializer.acreate,))
            or _overrides(cls, "create", (drf_serializers.ListSerializer.create,))
        ):
            child = self.child
            if isinstance(child, ValidationCoreMixin):
                return [await child._adispatch("create", attrs) for attrs in args[0]]
            return await _hop(self.create)(*args)
        return await super()._adispatch(action, *args)

    async def ato_representation(self, instance: Any) -> Any:
        """An async child ``to_representation`` awaited per item; otherwise the mixin's
        (on the loop when I/O-free, else one hop)."""
        child = self.child
        if is_async_callable(child.to_representation) and not _overrides(
            type(self),
            "to_representation",
            (ListSerializer.to_representation, drf_serializers.ListSerializer.to_representation),
        ):

            def items() -> list[Any]:
                if isinstance(instance, models.manager.BaseManager):
                    return list(instance.all())
                return list(instance)

            return [await child.to_representation(item) for item in await _hop(items)()]
        return await super().ato_representation(instance)

    @property
    def data(self) -> Any:
        self._refuse_async_representation()
        if not hasattr(self, "_data") and is_async_callable(self.child.to_representation):
            raise TypeError(
                "async user callable detected, use ato_representation for async support."
            )
        return super().data

    def _wrap_data(self, data: Any) -> Any:
        return ReturnList(data, serializer=self)


_DEFAULT_VALIDATE = (
    drf_serializers.Serializer.validate,
    drf_serializers.ListSerializer.validate,
)
_DEFAULT_ASYNC_SAVE = {
    "acreate": (ValidationCoreMixin.acreate, ModelSerializerMixin.acreate),
    "aupdate": (ValidationCoreMixin.aupdate, ModelSerializerMixin.aupdate),
}
_DEFAULT_SYNC_SAVE = {
    "create": (
        drf_serializers.BaseSerializer.create,
        drf_serializers.ModelSerializer.create,
        drf_serializers.ListSerializer.create,
    ),
    "update": (
        drf_serializers.BaseSerializer.update,
        drf_serializers.ModelSerializer.update,
        drf_serializers.ListSerializer.update,
    ),
}
