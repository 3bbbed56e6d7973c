"""Key fields, key constructors, hashing and settings (caching.md §2-§4)."""

from __future__ import annotations

import datetime
import hashlib
import warnings
from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.test import RequestFactory, override_settings
from rest_framework import serializers
from rest_framework.request import Request

from restflow.caching import (
    ArgsKeyField,
    CacheKeyField,
    ConstantKeyField,
    DefaultKeyConstructor,
    DjangoModelKeyField,
    DrfSerializerKeyField,
    InlineKeyConstructor,
    KeyConstructor,
    QueryParamsKeyField,
    RequestValueKeyField,
    ResponseCacheKeyConstructor,
    ViewKwargsKeyField,
)
from restflow.caching.hashing import hash_string
from restflow.caching.key_constructor import glob_escape
from restflow.settings import restflow_settings

M = __name__
H = hash_string


def drf_request(path="/"):
    return Request(RequestFactory().get(path))


class Payload(CacheKeyField):
    def __init__(self, value, **kw):
        super().__init__(**kw)
        self.value = value

    def get_key_payload(self, func, args, kwargs):
        return self.value


# -- key fields --------------------------------------------------------------------------


@pytest.mark.parametrize("value", [42, 3.14, True, None, [1, 2, 3], {"key": "value"}])
def test_constant_field_payload_is_str_of_value(value):
    """C-KEY-001"""
    assert ConstantKeyField("version", "1.0").get_key_payload(None, [], {}) == {"version": "1.0"}
    assert ConstantKeyField("k", value).get_key_payload(None, [], {}) == {"k": str(value)}


def test_dict_and_list_stringification():
    """C-KEY-002 C-KEY-003 C-KEY-007 C-KEY-008"""
    assert Payload({"b": 2, "a": 1}).get_cache_key_part(None, (), {}) == "a:1||b:2"
    assert Payload(["x", 1, None], sort_lists=True).get_cache_key_part(None, (), {}) == "1,null,x"
    field = ArgsKeyField("*", sort_lists=True)
    assert list(field.normalize({"b": 2, "a": 1})) == ["a", "b"]
    assert field.normalize(None) == "null"
    assert field.normalize([3, 1, 2]) == ["1", "2", "3"]
    assert ArgsKeyField("*", sort_lists=False).normalize([3, 1, 2]) == ["3", "1", "2"]


def test_datetime_rendering():
    """C-KEY-004"""
    assert Payload({"t": datetime.datetime(2024, 1, 1, 12)}).get_cache_key_part(None, (), {}) == (
        "t:2024-01-01T12:00:00"
    )

    def f(timestamp):
        return timestamp

    part = ArgsKeyField("timestamp").get_cache_key_part(
        f, (datetime.datetime(2024, 1, 15, 10, 30, 45),), {}
    )
    assert part == "timestamp:2024-01-15T10:30:45"


def test_hash_value_is_recursive():
    """C-KEY-005 C-KEY-006"""
    part = Payload({"a": 1}, hash_value=True).get_cache_key_part(None, (), {})
    assert len(part) == 64
    assert (
        len(ConstantKeyField("k", "v" * 1000, hash_value=True).get_cache_key_part(None, (), {}))
        <= 64
    )
    assert Payload(["0", "1"], hash_value=True).get_cache_key_part(None, (), {}) == H(
        H("0") + "," + H("1")
    )

    class K(KeyConstructor):
        u = ArgsKeyField("user_id", partition=True, hash_value=True)

    def g(user_id):
        return user_id

    assert (
        K().generate_key(g, (5,), {})
        == f"{M}.test_hash_value_is_recursive.<locals>.g::" + H("user_id:" + H("5")) + "::"
    )


def test_concrete_fields_do_not_sort_lists():
    """C-KEY-009"""

    def f(tags):
        return tags

    assert ArgsKeyField("tags").get_cache_key_part(f, ([3, 1, 2],), {}) == "tags:3,1,2"
    for field in (
        ConstantKeyField("a", 1),
        RequestValueKeyField("user.id"),
        QueryParamsKeyField(),
        ArgsKeyField(),
        ViewKwargsKeyField(),
    ):
        assert field.sort_lists is False


def test_args_field_binding():
    """C-KEY-010 C-KEY-011 C-KEY-012"""

    def f(a, b, c=10):
        return a

    assert ArgsKeyField().get_key_payload(f, (1, 2), {"c": 3}) == {"a": 1, "b": 2, "c": 3}
    assert ArgsKeyField(["a", "c"]).get_key_payload(f, (1, 2), {"c": 3}) == {"a": 1, "c": 3}

    def g(a, b=10):
        return a

    assert ArgsKeyField("*").get_key_payload(g, (1,), {}) == {"a": 1, "b": 10}
    assert ArgsKeyField("nonexistent").get_key_payload(g, (1,), {}) == {}
    with pytest.raises(TypeError):
        ArgsKeyField().get_key_payload(g, (1, 2, 3), {})


def test_args_field_path_and_normalizer():
    """C-KEY-013 C-KEY-014"""

    def f(user):
        return user

    assert ArgsKeyField("user", path="id").get_key_payload(f, (SimpleNamespace(id=99),), {}) == {
        "user": 99
    }
    nested = SimpleNamespace(profile={"org": SimpleNamespace(name="acme")})
    assert ArgsKeyField("user", "profile.org.name").get_key_payload(f, (nested,), {}) == {
        "user": "acme"
    }
    assert ArgsKeyField("user", "nope").get_key_payload(f, (nested,), {}) == {
        "user": "__restflow:missing__"
    }
    assert ArgsKeyField("user", path="").get_key_payload(f, (7,), {}) == {"user": 7}

    def v(value):
        return value

    assert ArgsKeyField("value", normalizer=str.upper).get_key_payload(v, ("hello",), {}) == {
        "value": "HELLO"
    }

    def a(a):
        return a

    assert ArgsKeyField("a", normalizer=lambda x: 1 / 0).get_key_payload(a, (123,), {}) == {
        "a": 123
    }


def test_request_value_field():
    """C-KEY-015 C-KEY-016 C-KEY-017"""
    request = SimpleNamespace(
        user=SimpleNamespace(
            id=123, username="bob", profile=SimpleNamespace(organization=SimpleNamespace(name="o"))
        )
    )

    def view(request):
        return request

    assert RequestValueKeyField("user.id").get_key_payload(view, (request,), {}) == {
        "user_id": "123"
    }
    assert RequestValueKeyField("user.profile.organization.name").get_key_payload(
        view, (request,), {}
    ) == {"user_profile_organization_name": "o"}
    assert RequestValueKeyField("user.idx").get_key_payload(view, (request,), {}) == {
        "user_idx": "__restflow:missing__"
    }

    def other(http_request):
        return http_request

    field = RequestValueKeyField("user.username", request_arg="http_request")
    assert field.get_key_payload(other, (), {"http_request": request}) == {"user_username": "bob"}
    assert field.get_key_payload(lambda: None, (), {}) == {}

    view_obj = SimpleNamespace(request=drf_request("/?page=4"))
    view_obj.request.user = SimpleNamespace(id=5)

    def method(self):
        return self

    assert RequestValueKeyField("user.id").get_key_payload(method, (view_obj,), {}) == {
        "user_id": "5"
    }
    assert QueryParamsKeyField().get_key_payload(method, (view_obj,), {}) == {"page": "4"}


def test_query_params_field():
    """C-KEY-018 C-KEY-019 C-KEY-020 C-KEY-021"""

    def view(request):
        return request

    request = drf_request("/?page=1&size=10&filter=active")
    assert QueryParamsKeyField().get_key_payload(view, (request,), {}) == {
        "page": "1",
        "size": "10",
        "filter": "active",
    }
    assert QueryParamsKeyField(["page", "size"]).get_key_payload(view, (request,), {}) == {
        "page": "1",
        "size": "10",
    }

    def other(http_request):
        return http_request

    assert QueryParamsKeyField("page", request_arg="http_request").get_key_payload(
        other, (request,), {}
    ) == {"page": "1"}
    repeated = drf_request("/?tag=c&tag=a&tag=b&page=2")
    payload = QueryParamsKeyField().get_key_payload(view, (repeated,), {})
    assert payload == {"tag": ["a", "b", "c"], "page": "2"}
    assert QueryParamsKeyField().get_key_payload(lambda: None, (), {}) == {}
    plain = SimpleNamespace(query_params={"q": "x"})
    assert QueryParamsKeyField().get_key_payload(view, (plain,), {}) == {"q": "x"}
    assert QueryParamsKeyField().get_key_payload(view, (), {"request": None}) == {}
    raw = RequestFactory().get("/?page=3")
    assert QueryParamsKeyField().get_key_payload(view, (raw,), {}) == {"page": "3"}
    assert QueryParamsKeyField().get_key_payload(view, (SimpleNamespace(),), {}) == {}


class Inner(serializers.Serializer):
    x = serializers.IntegerField()


class Outer(serializers.Serializer):
    name = serializers.CharField()
    inner = Inner()
    items = Inner(many=True)


def test_serializer_structure_field():
    """C-KEY-022 C-KEY-023"""
    payload = DrfSerializerKeyField(Outer).get_key_payload(None, (), {})
    structure = payload["serializer_structure"]
    assert structure["name"] == "Outer"
    assert structure["fields"]["name"]["type"] == "CharField"
    assert structure["fields"]["inner"]["nested_serializer"]["name"] == "Inner"
    assert structure["fields"]["items"]["type"] == "ListSerializer"
    assert structure["fields"]["items"]["list_child_serializer"]["name"] == "Inner"
    assert len(DrfSerializerKeyField(Outer).get_cache_key_part(None, (), {})) == 64

    class NeedsArg(serializers.Serializer):
        def __init__(self, required):
            super().__init__()

    for bad in ("not_a_class", NeedsArg):
        with pytest.raises(ValueError, match="Failed to initialize serializer class"):
            DrfSerializerKeyField(bad).get_key_payload(None, (), {})
    assert DrfSerializerKeyField(None).get_key_payload(None, (), {}) == {}


def test_model_structure_field():
    """C-KEY-024"""

    class Thing(models.Model):
        a = models.CharField(max_length=5)
        b = models.IntegerField()

        class Meta:
            app_label = "caching_tests_dynamic"

    fields = DjangoModelKeyField(Thing).get_key_payload(None, (), {})["model_structure"]["fields"]
    assert set(fields) == {"a", "b", "id"}
    assert fields["a"] == {"type": "CharField"}
    assert DjangoModelKeyField(None).get_key_payload(None, (), {}) == {}
    with pytest.raises(ValueError, match="Invalid model class"):
        DjangoModelKeyField("not_a_class").get_key_payload(None, (), {})


def test_view_kwargs_field_skips_self_and_request():
    """C-KEY-025"""

    def get(self, request, pk=None):
        return pk

    assert ViewKwargsKeyField("*").get_key_payload(get, (object(), "REQ"), {"pk": 7}) == {"pk": 7}


def test_unknown_field_kwargs_raise():
    """C-KEY-026 W-21"""
    with pytest.raises(TypeError):
        ArgsKeyField("a", partiton=True)
    with pytest.raises(TypeError):
        ConstantKeyField("a", 1, bogus=1)


def test_sets_and_mixed_keys_are_deterministic():
    """C-KEY-027 W-22"""
    assert Payload({"b", "a"}).get_cache_key_part(None, (), {}) == "a,b"
    assert Payload({1: "x", "b": "y"}).get_cache_key_part(None, (), {}) in ("1:x||b:y", "b:y||1:x")


# -- key constructors -----------------------------------------------------------------------


def test_only_fields_become_fields():
    """C-CON-001"""

    class K(KeyConstructor):
        a = ArgsKeyField("a")
        plain = 5

    assert list(K().fields) == ["a"]
    assert K.plain == 5


def test_prefix_and_suffix_layout():
    """C-CON-002 C-CON-003"""

    class K(KeyConstructor):
        user = RequestValueKeyField("user.id", partition=True)
        params = QueryParamsKeyField(["page"])

        class Meta:
            namespace = "ns"
            key_identifier = "test_prefix"

    request = drf_request("/?page=1")
    request.user = SimpleNamespace(id=123)

    def view(request):
        return request

    prefix = K().build_key_prefix(view, (request,), {})
    assert prefix.startswith("ns::test_prefix::")
    assert "user_id:123::" in prefix
    assert K().build_key_suffix(view, (request,), {}).endswith("page:1")

    class C(KeyConstructor):
        constant = ConstantKeyField("version", "1.0")
        params = QueryParamsKeyField(["page"])

    class CN(C):
        class Meta:
            namespace = "namespace"

    expected = f"{view.__module__}.{view.__qualname__}::version:1.0::page:1"
    assert C().generate_key(view, (request,), {}) == expected
    assert CN().generate_key(view, (request,), {}) == "namespace::" + expected


class C:
    def ins(self):
        return 1

    @classmethod
    def clsm(cls):
        return 1


def module_function():
    return 1


def test_function_identifier():
    """C-CON-004"""
    ident = KeyConstructor.get_function_identifier

    def f():
        return 1

    assert ident(f).endswith(".f")
    assert ident(C().ins).endswith(".C.ins")
    assert ".C.clsm" in ident(C.clsm)
    assert ident(module_function) == f"{M}.module_function"


def test_build_partition_none():
    """C-CON-005"""
    assert DefaultKeyConstructor().build_partition(module_function, None, None) == ""


def test_field_override_and_removal():
    """C-CON-006"""

    class Base(KeyConstructor):
        dup = ConstantKeyField("dup", "base")
        other = ConstantKeyField("o", "1")

    class Child(Base):
        dup = ConstantKeyField("dup", "dict")

    class Removed(Base):
        dup = None

    assert Child().fields["dup"].value == "dict"
    assert "dup" not in Removed().fields
    assert "other" in Removed().fields


def test_default_constructor():
    """C-CON-007"""
    fields = DefaultKeyConstructor().fields
    assert list(fields) == ["arguments"]
    assert isinstance(fields["arguments"], ArgsKeyField) and fields["arguments"].arguments == "*"

    def f(a, b, c=0):
        return a

    assert ":" in DefaultKeyConstructor().generate_key(f, (1, 2), {"c": 3})


def test_meta_validation():
    """C-CON-008 C-CON-009 C-CON-010"""
    for option, value, message in (
        ("version", 1.5, "version must be an integer"),
        ("version", "-1", "version must be an integer"),
        ("version", "v2", "version must be an integer"),
        ("namespace", 42, "namespace must be a string"),
        ("key_identifier", 42, "key_identifier must be a string"),
    ):
        with pytest.raises(TypeError, match=message):
            type("K", (KeyConstructor,), {"Meta": type("Meta", (), {option: value})})

    bad_len = type(
        "K", (KeyConstructor,), {"Meta": type("Meta", (), {"max_key_suffix_length": "x"})}
    )
    with pytest.raises(TypeError, match="max_key_suffix_length must be an integer"):
        _ = bad_len._meta.max_key_suffix_length
    bad_hash = type(
        "K", (KeyConstructor,), {"Meta": type("Meta", (), {"hash_suffix_on_overflow": "yes"})}
    )
    with pytest.raises(TypeError, match="hash_suffix_on_overflow must be a boolean"):
        _ = bad_hash._meta.hash_suffix_on_overflow
    seven = type("K", (KeyConstructor,), {"Meta": type("Meta", (), {"version": "7"})})
    assert seven._meta.version == 7 and seven().get_version() == 7


def test_unknown_meta_option_warns():
    """W-21"""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        type("K", (KeyConstructor,), {"Meta": type("Meta", (), {"identifier": "x"})})
    assert any("identifier" in str(w.message) for w in caught)


def test_subclass_meta_can_reset_to_defaults():
    """C-CON-011 W-20"""

    class Base(KeyConstructor):
        class Meta:
            version = 3
            namespace = "base"

    class Child(Base):
        class Meta:
            version = 1
            namespace = ""

    class Inherits(Base):
        class Meta:
            key_identifier = "x"

    assert (Child._meta.version, Child._meta.namespace) == (1, "")
    assert (Inherits._meta.version, Inherits._meta.namespace) == (3, "base")


def test_partition_only_key_equals_prefix():
    """C-CON-012"""

    class K(KeyConstructor):
        u = ArgsKeyField("user_id", partition=True)

    class KS(K):
        s = ArgsKeyField("q")

    def g(user_id, q=None):
        return user_id

    key = K().generate_key(g, (5,), {})
    assert key == K().build_key_prefix(g, (5,), {}) and key.endswith("::")
    assert key == f"{M}.test_partition_only_key_equals_prefix.<locals>.g::user_id:5::"
    assert KS().generate_key(g, (5,), {"q": "z"}).startswith(KS().build_key_prefix(g, (5,), {}))


def test_suffix_overflow():
    """C-CON-013 C-CON-014 W-19"""

    def f(x):
        return x

    class Hashing(KeyConstructor):
        x = ArgsKeyField("x")

        class Meta:
            max_key_suffix_length = 10
            hash_suffix_on_overflow = True

    class Keeping(Hashing):
        class Meta:
            hash_suffix_on_overflow = False

    prefix = f"{M}.test_suffix_overflow.<locals>.f::"
    assert Hashing().generate_key(f, (123456789,), {}) == prefix + H("x:123456789")
    assert Keeping().generate_key(f, (123456789,), {}) == prefix + "x:123456789"

    class Plain(KeyConstructor):
        x = ArgsKeyField("x")

    inline = InlineKeyConstructor({"x": ArgsKeyField("x")})
    settings = {"CACHE_SETTINGS": {"MAX_KEY_SUFFIX_LENGTH": 5, "HASH_SUFFIX_ON_OVERFLOW": True}}
    with override_settings(RESTFLOW_SETTINGS=settings):
        assert Plain().generate_key(f, (123456,), {}) == prefix + H("x:123456")
        assert inline().generate_key(f, (123456,), {}) == prefix + H("x:123456")
    assert Plain().generate_key(f, (123456,), {}) == prefix + "x:123456"


def test_inline_constructor_cache():
    """C-CON-015 C-CON-016"""
    fields = {"a": ConstantKeyField("a", "1")}
    first = InlineKeyConstructor(fields, version="1", namespace="ns", key_identifier="kid")
    assert first is InlineKeyConstructor(fields, version="1", namespace="ns", key_identifier="kid")
    assert issubclass(first, KeyConstructor) and first.__name__.startswith("Inline_")
    assert isinstance(first(), KeyConstructor)
    constant = InlineKeyConstructor({"u": ConstantKeyField("u", 1)})
    partition = InlineKeyConstructor({"u": ArgsKeyField("u", partition=True)})
    assert constant is not partition
    assert constant().has_only_partition_fields is False
    assert partition().has_only_partition_fields is True


def test_constructor_without_fields():
    """C-CON-017"""

    class K(KeyConstructor):
        class Meta:
            namespace = "n"
            key_identifier = "kid"

    assert K().generate_key(module_function, (), {}) == "n::kid::"


def test_join_keeps_middle_empties():
    """C-CON-018"""

    class K(KeyConstructor):
        a = Payload({"a": 1})
        b = Payload({})
        c = Payload({"c": 3})
        d = Payload({})

    assert K().build_key_suffix(None, (), {}) == "a:1::::c:3"


def test_response_constructor_fields():
    """C-CON-019"""
    fields = ResponseCacheKeyConstructor().get_fields()
    assert set(fields) == {"query_params", "path_params"}
    assert (
        isinstance(fields["query_params"], QueryParamsKeyField)
        and fields["query_params"].hash_value
    )
    assert isinstance(fields["path_params"], ViewKwargsKeyField) and fields["path_params"].partition
    assert ResponseCacheKeyConstructor._meta.namespace == "ResponseCache"
    assert ResponseCacheKeyConstructor._meta.version == 1


def get_user(user_id, tenant="t1", q=None, tags=()):
    return user_id


def test_worked_examples_of_the_key_format():
    """C-BE-015 — the exact bytes of §4.3."""

    class UserKey(KeyConstructor):
        tenant = ArgsKeyField("tenant", partition=True)
        user = ArgsKeyField("user_id", partition=True)
        q = ArgsKeyField(["q", "tags"])
        v = ConstantKeyField("v", "1")

        class Meta:
            namespace = "users"

    kc = UserKey()
    assert kc.generate_key(get_user, (5,), {"q": "hello world", "tags": [3, 1, 2]}) == (
        f"users::{M}.get_user::tenant:t1::user_id:5::q:hello world||tags:3,1,2::v:1"
    )
    assert kc.build_key_prefix(get_user, None, None) == f"users::{M}.get_user::"
    assert kc.build_key_prefix(get_user, (5,), {}) == f"users::{M}.get_user::tenant:t1::user_id:5::"
    assert DefaultKeyConstructor().generate_key(get_user, (1,), {}) == (
        f"{M}.get_user::q:null||tags:||tenant:t1||user_id:1"
    )
    assert DefaultKeyConstructor().generate_key(module_function, (), {}) == f"{M}.module_function::"


def test_response_key_worked_examples():
    """C-BE-015 — ResponseCacheKeyConstructor examples of §4.3."""

    class V:
        def get(self, request, pk=None):
            return pk

    kc = ResponseCacheKeyConstructor()
    request = drf_request("/?b=2&a=1&a=0")
    ident = f"{M}.test_response_key_worked_examples.<locals>.V.get"
    expected_hash = H("a:" + H(H("0") + "," + H("1")) + "||b:" + H("2"))
    assert (
        kc.generate_key(V.get, (V(), request), {"pk": 5})
        == f"ResponseCache::{ident}::pk:5::{expected_hash}"
    )
    assert (
        kc.generate_key(V.get, (V(), drf_request("/")), {})
        == f"ResponseCache::{ident}::pk:null::{H('')}"
    )


# -- hashing and settings ----------------------------------------------------------------------


def test_hash_defaults_and_algorithms():
    """C-SET-001 C-SET-002"""
    assert hash_string("hello") == hashlib.sha256(b"hello").hexdigest()
    with override_settings(RESTFLOW_SETTINGS={"CACHE_SETTINGS": {"KEY_HASH_ALGORITHM": "blake2b"}}):
        assert hash_string("hello") == hashlib.blake2b(b"hello").hexdigest()
    with override_settings(
        RESTFLOW_SETTINGS={"CACHE_SETTINGS": {"KEY_HASH_ALGORITHM": lambda s: f"H:{s}"}}
    ):
        assert hash_string("hello") == "H:hello"
    with override_settings(RESTFLOW_SETTINGS={"CACHE_SETTINGS": {"KEY_HASH_ALGORITHM": "nope"}}):
        with pytest.raises(ImproperlyConfigured):
            hash_string("hello")


def test_settings_defaults_and_overrides():
    """C-SET-003 C-SET-004 C-SET-005 C-SET-006"""
    cs = restflow_settings.CACHE_SETTINGS
    assert cs.DEFAULT_DISPATCHER == "inline"
    assert cs.MAX_KEY_SUFFIX_LENGTH == 250
    assert cs.HASH_SUFFIX_ON_OVERFLOW is False
    assert cs.DISPATCHER_RAISE_EXCEPTION is False
    override = {"CACHE_SETTINGS": {"DEFAULT_DISPATCHER": "threadpool", "MAX_KEY_SUFFIX_LENGTH": 10}}
    with override_settings(RESTFLOW_SETTINGS=override):
        assert cs.DEFAULT_DISPATCHER == "threadpool" and cs.MAX_KEY_SUFFIX_LENGTH == 10
        assert cs.HASH_SUFFIX_ON_OVERFLOW is False
    assert cs.DEFAULT_DISPATCHER == "inline" and cs.MAX_KEY_SUFFIX_LENGTH == 250
    with pytest.raises(AttributeError, match="Invalid restflow setting"):
        _ = cs.NOT_A_REAL_KEY
    for broken in ("not a dict", {"CACHE_SETTINGS": "oops"}):
        with override_settings(RESTFLOW_SETTINGS=broken):
            assert restflow_settings.CACHE_SETTINGS.MAX_KEY_SUFFIX_LENGTH == 250


def test_dispatcher_settings_blocks():
    """C-SET-007 C-SET-008 C-SET-009 C-SET-010"""
    from restflow.caching import Dispatcher, ThreadPoolDispatcher
    from restflow.caching.dispatchers.base import get_dispatcher_settings

    celery = get_dispatcher_settings("celery")
    assert celery["TASK_NAME"] == "restflow.caching.tasks.task_run_cache_rules"
    assert celery["QUEUE"] is None
    block = {"CACHE_SETTINGS": {"DISPATCHER_SETTINGS": {"celery": {"QUEUE": "q1"}}}}
    with override_settings(RESTFLOW_SETTINGS=block):
        assert get_dispatcher_settings("celery")["QUEUE"] == "q1"
        assert get_dispatcher_settings("celery")["TASK_NAME"].endswith("task_run_cache_rules")
    block = {"CACHE_SETTINGS": {"DISPATCHER_SETTINGS": {"celery": {"TASK_NAME": "x.y"}}}}
    with override_settings(RESTFLOW_SETTINGS=block):
        assert get_dispatcher_settings("celery") == {
            "TASK_NAME": "x.y",
            "QUEUE": None,
            "RAISE_EXCEPTION": None,
        }
    assert ThreadPoolDispatcher.settings()["MAX_WORKERS"] == 4
    block = {"CACHE_SETTINGS": {"DISPATCHER_SETTINGS": {"threadpool": {"MAX_WORKERS": 16}}}}
    with override_settings(RESTFLOW_SETTINGS=block):
        assert ThreadPoolDispatcher.settings()["MAX_WORKERS"] == 16

    class Custom(Dispatcher):
        name = "custom_settings_probe"

        def dispatch(self, **kw):
            return None

    assert Custom.settings() == {}
    block = {"CACHE_SETTINGS": {"DISPATCHER_SETTINGS": {"custom_settings_probe": {"FOO": "bar"}}}}
    with override_settings(RESTFLOW_SETTINGS=block):
        assert Custom.settings() == {"FOO": "bar"}
    assert "RAISE_EXCEPTION" in get_dispatcher_settings("inline")
    assert "RAISE_EXCEPTION" in get_dispatcher_settings("asyncio")
    assert "MAX_WORKERS" in get_dispatcher_settings("threadpool")
    assert {"QUEUE", "FUNCTION_PATH"} <= set(get_dispatcher_settings("django_rq"))
    assert {"QUEUE", "ACTOR_NAME"} <= set(get_dispatcher_settings("dramatiq"))
    assert {"CLUSTER", "FUNCTION_PATH"} <= set(get_dispatcher_settings("django_q"))


def test_glob_escape():
    """W-2"""
    assert glob_escape("a*b?c[d]e\\") == "a\\*b\\?c\\[d\\]e\\\\"
