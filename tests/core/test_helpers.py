"""restflow.helpers (views.md §14)."""

from __future__ import annotations

import asyncio
import importlib.metadata
import sys
import warnings
from typing import Annotated, Literal, Optional

import pytest
from rest_framework import serializers

import restflow
from restflow.helpers import (
    RESERVED_SERIALIZER_ATTRS,
    Email,
    NotRequired,
    aauthenticate,
    auser,
    get_version,
    get_versions,
    getattr_multi_source,
    maybe_await,
    require_sync,
    resolve_field_from_type,
    run_sync,
    sort_dict,
)

MAP = {int: serializers.IntegerField, str: serializers.CharField}


def resolve(tp, **kwargs):
    kwargs.setdefault("type_map", MAP)
    kwargs.setdefault("list_field_class", serializers.ListField)
    kwargs.setdefault("choice_field_class", serializers.ChoiceField)
    return resolve_field_from_type(tp, **kwargs)


def test_literal_without_choice_class():
    """V-HELP-001"""
    with pytest.raises(AssertionError, match="unsupported"):
        resolve_field_from_type(Literal["a", "b"], type_map={}, choice_field_class=None)


def test_list_without_list_class():
    """V-HELP-002"""
    with pytest.raises(AssertionError, match="unsupported list"):
        resolve_field_from_type(list[str], type_map={}, list_field_class=None)


def test_annotated_is_unwrapped():
    """V-HELP-003"""
    assert isinstance(resolve(Annotated[int, "label"]), serializers.IntegerField)


@pytest.mark.parametrize("tp", [int | str, int | str | None])
def test_ambiguous_union(tp):
    """V-HELP-004"""
    with pytest.raises(AssertionError, match="multiple non-None members"):
        resolve(tp)


def test_optional_with_and_without_flag():
    """V-HELP-005"""
    field = resolve(Optional[int], allow_null_on_optional=True)  # noqa: UP045
    assert field.allow_null is True and field.required is False
    field = resolve(Optional[int])  # noqa: UP045
    assert field.allow_null is False and field.required is True


def test_not_required_optional():
    """V-HELP-006"""
    field = resolve(NotRequired[int | None], allow_null_on_optional=True)
    assert field.required is False and field.allow_null is True


def test_bare_list_and_optional_children():
    """V-HELP-007"""
    field = resolve(list)
    assert isinstance(field, serializers.ListField)
    assert isinstance(field.child, serializers.CharField)
    field = resolve(list[Optional[int]], allow_null_on_optional=True)  # noqa: UP045
    assert field.child.allow_null is True


def test_literal_choices_and_kwargs():
    """V-HELP-008"""
    field = resolve(Literal["a", "b"], help_text="pick")
    assert dict(field.choices) == {"a": "a", "b": "b"}
    assert field.help_text == "pick"


def test_list_field_hook_arguments():
    """V-HELP-009"""
    calls = []
    resolve(list[int], field_name="ids", list_field_hook=lambda *a: calls.append(a))
    kwargs, name, inner = calls[0]
    assert "child" in kwargs and name == "ids" and inner is int


class Nested(serializers.Serializer):
    x = serializers.IntegerField()


def _is_serializer(tp):
    return isinstance(tp, type) and issubclass(tp, serializers.Serializer)


def test_nested_list_gets_many():
    """V-HELP-010"""
    seen = []
    resolve(
        list[Nested],
        nested_predicate=_is_serializer,
        nested_factory=lambda tp, kw: seen.append((tp, kw)),
        required=False,
    )
    assert seen == [(Nested, {"required": False, "many": True})]


def test_unknown_type_message():
    """V-HELP-011"""
    with pytest.raises(AssertionError) as info:
        resolve(dict, error_message="bad filter type")
    assert str(info.value) == "bad filter type, not <class 'dict'>"


async def test_maybe_await():
    """V-HELP-012"""

    async def seven():
        return 7

    assert await maybe_await(seven()) == 7
    assert await maybe_await(7) == 7


def test_require_sync_closes_and_raises():
    """V-HELP-013"""

    async def hook():
        return 1

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        coro = hook()
        with pytest.raises(TypeError) as info:
            require_sync(coro, "afoo")
        assert coro.cr_frame is None  # closed
    assert str(info.value) == "async user callable detected, use afoo for async support."
    assert require_sync(5, "afoo") == 5


def test_run_sync_outside_and_inside_a_loop():
    """V-HELP-014"""

    async def three():
        return 3

    assert run_sync(three()) == 3
    assert run_sync(3) == 3

    async def inside():
        coro = three()
        with pytest.raises(RuntimeError):
            run_sync(coro)
        assert coro.cr_frame is None

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        asyncio.run(inside())


def test_sort_dict():
    """V-HELP-015"""
    assert list(sort_dict({"b": 1, "a": 2})) == ["a", "b"]
    with pytest.raises(TypeError):
        sort_dict({1: "x", "a": "y"})


def test_getattr_multi_source_presence_wins():
    """V-HELP-016"""

    class HasNone:
        a = None

    class P:
        a = 1

    class Without:
        pass

    class D:
        a = "d"

    assert getattr_multi_source([HasNone, P], "a") is None
    assert getattr_multi_source([Without, P], "a") == 1
    assert getattr_multi_source([D, P], "a", "d") == "d"
    assert getattr_multi_source(None, "a", "d") == "d"
    assert getattr_multi_source(P, "a") == 1
    assert getattr_multi_source([None, 0, P], "a") == 1


def test_markers():
    """V-HELP-017"""
    assert Email("x") == "x" and type(Email("x")) is str
    assert (
        frozenset(
            {"data", "errors", "validated_data", "instance", "initial_data", "fields", "context"}
        )
        == RESERVED_SERIALIZER_ATTRS
    )


def test_caller_choices_child_and_annotated_nested_win():
    """V-HELP-018"""
    field = resolve(Literal["a"], choices=[("x", "x")])
    assert dict(field.choices) == {"x": "x"}
    child = serializers.IntegerField()
    field = resolve(list[str], child=child)
    assert field.child is child
    seen = []
    resolve(
        list[Annotated[Nested, "m"]],
        nested_predicate=_is_serializer,
        nested_factory=lambda tp, kw: seen.append((tp, kw)),
    )
    assert seen == [(Nested, {"many": True})]


def test_version_api():
    """V-HELP-019 / S-SMOKE-001"""
    assert get_version() == importlib.metadata.version("restflow-core") != ""
    with pytest.raises(importlib.metadata.PackageNotFoundError):
        get_version("not-a-dist")
    versions = get_versions()
    assert "restflow-core" in versions
    for name in versions:
        importlib.metadata.version(name)
    assert not hasattr(restflow, "__version__")


async def _session_request(user):
    """A request carrying ``user``'s session cookie, through the session and auth middleware."""
    from asgiref.sync import sync_to_async
    from django.conf import settings
    from django.contrib.auth.middleware import AuthenticationMiddleware
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.test import AsyncRequestFactory, Client

    client = Client()
    await sync_to_async(client.force_login)(user)
    factory = AsyncRequestFactory()
    factory.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME]
    request = factory.get("/")
    SessionMiddleware(lambda r: None).process_request(request)
    AuthenticationMiddleware(lambda r: None).process_request(request)
    return request


@pytest.mark.django_db(transaction=True)
async def test_async_auth_shims():
    """V-HELP-020"""
    from asgiref.sync import sync_to_async
    from django.contrib.auth.models import User
    from django.test import AsyncRequestFactory

    user = await sync_to_async(User.objects.create_user)("ada", password="pw")
    assert (await aauthenticate(None, username="ada", password="pw")).pk == user.pk
    assert await aauthenticate(None, username="ada", password="bad") is None

    request = AsyncRequestFactory().get("/")
    request.user = user
    assert (await auser(request)).pk == user.pk
    bare = AsyncRequestFactory().get("/")
    assert (await auser(bare)).is_anonymous
    # The session user behind Django's middleware: a lazy object on 4.2 whose first use
    # queries the database; using the result on the loop must not need the database.
    session_user = await auser(await _session_request(user))
    assert session_user.username == "ada"
    assert session_user.is_authenticated
    if sys.version_info >= (3, 11):
        import typing

        assert NotRequired is typing.NotRequired
    else:  # typing.NotRequired is new in Python 3.11
        import typing_extensions

        assert NotRequired is typing_extensions.NotRequired


def _algorithm(log):
    """Doubles what each step returns; a failing step is handled by the algorithm itself."""
    try:
        first = yield "one"
        try:
            yield "boom"
        except KeyError as exc:
            log.append(f"handled {exc}")
        second = yield "two"
        return first + second
    finally:
        log.append("closed")


def _perform(step):
    if step == "boom":
        raise KeyError("boom")
    return len(step)


def test_drive_sends_results_and_throws_errors_into_the_algorithm():
    from restflow.helpers.steps import drive

    log = []
    assert drive(_algorithm(log), _perform) == 6
    assert log == ["handled 'boom'", "closed"]


async def test_adrive_is_the_same_algorithm_awaited():
    from restflow.helpers.steps import adrive

    async def perform(step):
        return _perform(step)

    log = []
    assert await adrive(_algorithm(log), perform) == 6
    assert log == ["handled 'boom'", "closed"]


def test_an_unhandled_step_error_leaves_through_the_algorithm():
    from restflow.helpers.steps import drive

    def fail(step):
        raise ValueError(step)

    log = []
    with pytest.raises(ValueError, match="one"):
        drive(_algorithm(log), fail)
    assert log == ["closed"]
