"""Viewsets and routers (B-VS), ActionConfig (B-AC), the serializer split (B-SPLIT)
and the model mixins (B-MIX)."""

from __future__ import annotations

import dataclasses
import inspect

import pytest
from asgiref.sync import iscoroutinefunction
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from rest_framework import serializers
from rest_framework.authentication import BaseAuthentication, BasicAuthentication
from rest_framework.decorators import action
from rest_framework.pagination import LimitOffsetPagination, PageNumberPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, IsAdminUser, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.routers import DefaultRouter
from rest_framework.test import APIRequestFactory
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from restflow.responses import Response
from restflow.views import (
    ActionConfig,
    AsyncModelViewSet,
    AsyncViewSet,
    GenericViewSet,
    ModelViewSet,
)
from tests.core.views.app.models import Item, Owned
from tests.core.views.app.serializers import (
    ItemSerializer,
    OwnedSerializer,
    ReadItemSerializer,
    SlimItemSerializer,
    WriteItemSerializer,
)
from tests.core.views.conftest import arun, call

rf = APIRequestFactory()
URLS = override_settings(ROOT_URLCONF="tests.core.views.urls")


class Open:
    queryset = Item.objects.all()
    serializer_class = ItemSerializer
    authentication_classes: list = []
    permission_classes: list = []
    pagination_class = None


class Items(Open, AsyncModelViewSet):
    pass


class SyncItems(Open, ModelViewSet):
    pass


def seed(n=3):
    return [Item.objects.create(integer_field=i, string_field=f"s{i}") for i in range(n)]


def view_for(cls, action_name, method="get", path="/", data=None, **attrs):
    """An initialized viewset instance with ``action`` resolved for the request."""
    view = type(cls.__name__ + "T", (cls,), attrs)()
    view.action_map = {method: action_name} if action_name else {}
    view.args, view.kwargs = (), {}
    view.request = view.initialize_request(getattr(rf, method)(path, data, format="json"))
    view.format_kwarg = None
    return view


# Viewsets -------------------------------------------------------------------------------


def test_async_as_view_is_coroutine_function():
    """V-VS-001 W4"""
    view = Items.as_view({"get": "list"})
    assert inspect.iscoroutinefunction(view) and iscoroutinefunction(view)


@pytest.mark.django_db
@URLS
def test_async_viewset_through_sync_client():
    """V-VS-002"""
    seed(2)
    response = Client().get("/async-items/")
    assert response.status_code == 200 and len(response.json()) == 2


def test_as_view_argument_errors():
    """V-VS-003 V-VS-004 V-VS-005 V-VS-006"""
    with pytest.raises(TypeError, match="actions"):
        AsyncViewSet.as_view()
    with pytest.raises(TypeError, match="get"):
        Items.as_view({"get": "list"}, get="list")
    with pytest.raises(TypeError, match="invalid keyword"):
        Items.as_view({"get": "list"}, bogus_kwarg=True)
    with pytest.raises(TypeError, match="mutually exclusive"):
        Items.as_view({"get": "list"}, name="A", suffix="B")


def test_actions_copied_and_class_untouched():
    """V-VS-007 V-VS-008"""
    actions = {"get": "list"}
    view = Items.as_view(actions, name="x", basename="y")
    assert actions == {"get": "list"}
    assert view.actions == {"get": "list", "head": "list"}
    assert "name" not in Items.__dict__ and "basename" not in Items.__dict__


@pytest.mark.django_db
def test_model_viewset_crud():
    """V-VS-009"""
    item = seed(1)[0]
    listing = Items.as_view({"get": "list", "post": "create"})
    detail = Items.as_view({"get": "retrieve", "put": "update", "delete": "destroy"})
    assert call(listing, rf.get("/")).status_code == 200
    assert call(detail, rf.get("/"), pk=item.pk).status_code == 200
    created = call(listing, rf.post("/", {"integer_field": 7}, format="json"))
    assert created.status_code == 201 and Item.objects.count() == 2
    updated = call(detail, rf.put("/", {"integer_field": 8}, format="json"), pk=item.pk)
    assert updated.status_code == 200 and Item.objects.get(pk=item.pk).integer_field == 8
    assert call(detail, rf.delete("/"), pk=item.pk).status_code == 204
    assert Item.objects.count() == 1


@pytest.mark.django_db
@URLS
def test_router_with_async_viewset():
    """V-VS-010 V-VS-011"""
    router = DefaultRouter()
    router.register("items", Items, basename="item")
    list_callback = next(p.callback for p in router.urls if p.name == "item-list")
    assert inspect.iscoroutinefunction(list_callback)
    item = seed(1)[0]
    client = Client()
    assert client.get("/async-items/").status_code == 200
    assert client.get(f"/async-items/{item.pk}/").status_code == 200
    assert client.post(f"/async-items/{item.pk}/").status_code == 405
    assert client.head("/async-items/").status_code == 200
    assert client.get("/ro-items/").status_code == 200
    assert client.post("/ro-items/", {}).status_code == 405


def test_async_viewset_custom_mapping():
    """V-VS-012"""

    class Custom(AsyncViewSet):
        authentication_classes: list = []
        permission_classes: list = []

        async def list(self, request):
            return Response({"list": True})

        async def custom_action(self, request):
            return Response({"custom": True})

    assert call(Custom.as_view({"get": "list"}), rf.get("/")).data == {"list": True}
    assert call(Custom.as_view({"get": "custom_action"}), rf.get("/")).data == {"custom": True}


@pytest.mark.django_db
@URLS
def test_extra_actions_async_and_sync():
    """V-VS-013 V-VS-014"""
    client = Client()
    response = client.post("/async-items/custom/", {}, content_type="application/json")
    assert response.json() == {"action": "custom", "serializer": "SlimItemSerializer"}
    item = seed(1)[0]
    response = client.get(f"/async-items/{item.pk}/sync_detail/")
    assert response.json() == {"detail": True, "basename": "async-item", "count": 1}


@pytest.mark.django_db
def test_options_on_async_viewset():
    """V-VS-015"""
    response = call(
        Items.as_view({"get": "list", "post": "create"}, suffix="List"), rf.options("/")
    )
    assert response.status_code == 200
    assert response.data["name"] == "Items List"
    assert "integer_field" in response.data["actions"]["POST"]
    assert "string_field" in response.data["actions"]["POST"]

    class Described(Items):
        action_configs = {"metadata": ActionConfig(serializer_class=SlimItemSerializer)}

    response = call(Described.as_view({"get": "list", "post": "create"}), rf.options("/"))
    assert "string_field" not in response.data["actions"]["POST"]


@pytest.mark.django_db
@URLS
def test_sync_viewsets_with_router():
    """V-VS-016"""
    item = seed(1)[0]
    client = Client()
    assert client.get("/sync-items/").status_code == 200
    assert client.get(f"/sync-items/{item.pk}/").status_code == 200
    assert client.post(f"/sync-items/{item.pk}/").status_code == 405
    assert client.get("/plain/").json() == [{"plain": True}]
    assert client.get("/plain/3/").json() == {"pk": "3"}
    assert client.get("/generic/").status_code == 200
    assert client.get(f"/generic/{item.pk}/").status_code == 200
    assert client.post("/generic/", {}).status_code == 405


def test_options_on_sync_model_viewset_without_serializer():
    """V-VS-017 W12"""

    class Configured(ModelViewSet):
        queryset = Item.objects.all()
        authentication_classes: list = []
        permission_classes: list = []
        action_configs = {"list": ActionConfig(serializer_class=ItemSerializer)}

    response = call(Configured.as_view({"get": "list", "post": "create"}), rf.options("/"))
    assert response.status_code == 200 and "actions" not in response.data


@pytest.mark.django_db
def test_create_requires_authentication_via_action_config():
    """V-VS-018"""
    user = User.objects.create_user("u", password="p")

    class Guarded(Items):
        authentication_classes = [BasicAuthentication]
        action_configs = {"create": ActionConfig(permission_classes=[IsAuthenticated])}

    view = Guarded.as_view({"post": "create"})
    assert call(view, rf.post("/", {"integer_field": 1}, format="json")).status_code in (401, 403)
    import base64

    token = base64.b64encode(b"u:p").decode()
    request = rf.post("/", {"integer_field": 1}, format="json", HTTP_AUTHORIZATION=f"Basic {token}")
    assert call(view, request).status_code == 201
    assert Item.objects.filter(integer_field=1).exists() and user


# ActionConfig ---------------------------------------------------------------------------


class Configured(Items):
    action_configs = {
        "list": ActionConfig(serializer_class=SlimItemSerializer, permission_classes=[AllowAny]),
        "retrieve": ActionConfig(serializer_class=ReadItemSerializer),
        "create": ActionConfig(serializer_class=WriteItemSerializer),
        "update": ActionConfig(),
    }


def test_per_action_serializer_classes():
    """V-AC-001 V-AC-002 V-AC-003"""
    assert view_for(Configured, "list").get_serializer_class() is SlimItemSerializer
    assert view_for(Configured, "retrieve").get_serializer_class() is ReadItemSerializer
    assert view_for(Configured, "create", "post").get_serializer_class() is WriteItemSerializer
    assert view_for(Configured, "destroy", "delete").get_serializer_class() is ItemSerializer
    assert view_for(Configured, "update", "put").get_serializer_class() is ItemSerializer
    plain = view_for(Configured, None)
    assert plain.action is None
    assert plain.get_serializer_class() is ItemSerializer
    assert plain.get_permissions() == []


def test_per_action_permissions_and_throttles():
    """V-AC-004 V-AC-005"""

    class Always(BaseThrottle):
        def allow_request(self, request, view):
            return True

    class Cfg(Items):
        permission_classes = [IsAuthenticated]
        throttle_classes: list = []
        action_configs = {
            "list": ActionConfig(permission_classes=[AllowAny], throttle_classes=[Always])
        }

    permissions = view_for(Cfg, "list").get_permissions()
    assert len(permissions) == 1 and isinstance(permissions[0], AllowAny)
    assert isinstance(view_for(Cfg, "retrieve").get_permissions()[0], IsAuthenticated)
    assert isinstance(view_for(Cfg, "list").get_throttles()[0], Always)
    assert view_for(Cfg, "retrieve").get_throttles() == []


def test_per_action_renderers():
    """V-AC-006"""

    class Cfg(Items):
        action_configs = {"list": ActionConfig(renderer_classes=[JSONRenderer])}

    renderers = view_for(Cfg, "list").get_renderers()
    assert len(renderers) == 1 and isinstance(renderers[0], JSONRenderer)
    response = call(Cfg.as_view({"get": "list"}), rf.get("/", HTTP_ACCEPT="text/html"))
    assert response.status_code == 406


@pytest.mark.django_db
@pytest.mark.parametrize("base", [Items, SyncItems])
def test_per_action_parsers_govern_parsing(base):
    """V-AC-007 W3"""
    cfg = type(
        "Cfg",
        (base,),
        {"action_configs": {"create": ActionConfig(parser_classes=[MultiPartParser])}},
    )
    response = call(
        cfg.as_view({"post": "create"}), rf.post("/", {"integer_field": 1}, format="json")
    )
    assert response.status_code == 415
    assert not Item.objects.exists()


@pytest.mark.django_db
def test_per_action_pagination():
    """V-AC-008"""

    class Four(LimitOffsetPagination):
        default_limit = 4

    class Cfg(Items):
        action_configs = {"list": ActionConfig(pagination_class=Four)}

    seed(6)
    view = view_for(Cfg, "list")
    assert view.get_pagination_class() is Four and isinstance(view.paginator, Four)
    assert view_for(Cfg, "retrieve").paginator is None
    assert len(arun(view.apaginated_response, Item.objects.all()).data["results"]) == 4
    assert len(call(Cfg.as_view({"get": "list"}), rf.get("/")).data["results"]) == 4


def test_per_action_static_queryset_is_cloned():
    """V-AC-009"""
    calls = []

    class Counting:
        def all(self):
            calls.append(1)
            return ["clone"]

    class Cfg(Items):
        action_configs = {"list": ActionConfig(queryset=Counting())}

    view = view_for(Cfg, "list")
    assert view.get_queryset() == ["clone"] and view.get_queryset() == ["clone"]
    assert len(calls) == 2
    assert view_for(Cfg, "retrieve").get_queryset().model is Item


def test_per_action_callable_and_plain_queryset():
    """V-AC-010 V-AC-011"""
    marker = ["a"]

    class Cfg(Items):
        action_configs = {
            "list": ActionConfig(queryset=lambda view: [view.request.method]),
            "retrieve": ActionConfig(queryset=marker),
        }

    assert view_for(Cfg, "list").get_queryset() == ["GET"]
    assert view_for(Cfg, "retrieve").get_queryset() is marker


def test_no_queryset_anywhere():
    """V-AC-012"""

    class Bare(AsyncViewSet):
        pass

    with pytest.raises(AssertionError, match="queryset"):
        view_for(Bare, "list").get_queryset()


def test_action_config_frozen_and_equal():
    """V-AC-013 W16"""
    config = ActionConfig(permission_classes=[AllowAny])
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.serializer_class = ItemSerializer
    assert config == ActionConfig(permission_classes=[AllowAny])
    assert config.permission_classes == (AllowAny,)
    assert [f.name for f in dataclasses.fields(ActionConfig)] == [
        "serializer_class",
        "request_serializer_class",
        "response_serializer_class",
        "permission_classes",
        "throttle_classes",
        "parser_classes",
        "renderer_classes",
        "pagination_class",
        "queryset",
    ]


def test_directional_serializer_precedence():
    """V-AC-014 V-AC-015"""

    class Cfg(Items):
        action_configs = {
            "create": ActionConfig(
                request_serializer_class=WriteItemSerializer,
                response_serializer_class=ReadItemSerializer,
            ),
            "list": ActionConfig(serializer_class=SlimItemSerializer),
        }

    create = view_for(Cfg, "create", "post")
    assert create.get_request_serializer_class() is WriteItemSerializer
    assert create.get_response_serializer_class() is ReadItemSerializer
    listing = view_for(Cfg, "list")
    assert listing.get_request_serializer_class() is SlimItemSerializer
    assert listing.get_response_serializer_class() is SlimItemSerializer

    class ClassLevel(Items):
        request_serializer_class = WriteItemSerializer
        action_configs = {"create": ActionConfig(serializer_class=SlimItemSerializer)}

    assert (
        view_for(ClassLevel, "create", "post").get_request_serializer_class() is WriteItemSerializer
    )


def test_action_config_beats_action_kwargs():
    """V-AC-016"""

    class Cfg(Items):
        action_configs = {"custom": ActionConfig(serializer_class=ReadItemSerializer)}

        @action(detail=False, methods=["post"], serializer_class=SlimItemSerializer)
        async def custom(self, request):
            return Response({"cls": self.get_serializer_class().__name__})

    view = Cfg.as_view({"post": "custom"}, serializer_class=SlimItemSerializer)
    assert call(view, rf.post("/", {}, format="json")).data == {"cls": "ReadItemSerializer"}


def test_subclass_get_queryset_wins():
    """V-AC-017"""

    class Cfg(Items):
        action_configs = {"list": ActionConfig(queryset=["config"])}

        def get_queryset(self):
            return ["subclass"]

    assert view_for(Cfg, "list").get_queryset() == ["subclass"]


@pytest.mark.parametrize("base", [Items, SyncItems])
def test_action_configs_validated_at_as_view(base):
    """V-AC-018 W14"""
    typo = type("Typo", (base,), {"action_configs": {"lsit": ActionConfig()}})
    with pytest.raises(ImproperlyConfigured, match="'lsit' does not match any action"):
        typo.as_view({"get": "list"})
    wrong = type("Wrong", (base,), {"action_configs": {"list": {"serializer_class": None}}})
    with pytest.raises(ImproperlyConfigured, match="must be an ActionConfig instance"):
        wrong.as_view({"get": "list"})
    ok = type("Ok", (base,), {"action_configs": {"metadata": ActionConfig()}})
    assert ok.as_view({"get": "list"})


class OncePerMinute(SimpleRateThrottle):
    rate = "1/min"
    cache_format = "views-test-%(scope)s-%(ident)s"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": f"{id(view.__class__)}-{view.action}", "ident": "x"}


class Staff(BaseAuthentication):
    def authenticate(self, request):
        name = request.META.get("HTTP_X_USER")
        return (User.objects.get(username=name), None) if name else None


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["sync", "async"])
def test_action_configs_end_to_end(kind):
    """V-AC-019"""
    from django.core.cache import cache

    cache.clear()
    User.objects.create_user("regular")
    User.objects.create_user("boss", is_staff=True)
    base = Items if kind == "async" else SyncItems
    cls = type(
        f"E2E{kind}",
        (base,),
        {
            "authentication_classes": [Staff],
            "action_configs": {
                "list": ActionConfig(serializer_class=SlimItemSerializer),
                "retrieve": ActionConfig(throttle_classes=[OncePerMinute]),
                "destroy": ActionConfig(permission_classes=[IsAdminUser]),
            },
        },
    )
    items = seed(2)
    listing = cls.as_view({"get": "list"})
    detail = cls.as_view({"get": "retrieve", "delete": "destroy"})
    rows = call(listing, rf.get("/")).data
    assert rows and all("string_field" not in row for row in rows)
    assert call(listing, rf.get("/")).status_code == 200
    assert "string_field" in call(detail, rf.get("/"), pk=items[0].pk).data
    assert call(detail, rf.get("/"), pk=items[0].pk).status_code == 429
    assert call(detail, rf.delete("/", HTTP_X_USER="regular"), pk=items[0].pk).status_code == 403
    assert call(detail, rf.delete("/", HTTP_X_USER="boss"), pk=items[0].pk).status_code == 204


# Serializer split -----------------------------------------------------------------------


class Split:
    request_serializer_class = WriteItemSerializer
    response_serializer_class = ReadItemSerializer
    serializer_class = None


@pytest.mark.django_db
@pytest.mark.parametrize("base", [Items, SyncItems])
def test_split_directions(base):
    """V-SPLIT-001 V-SPLIT-004"""
    cls = type("S", (Split, base), {})
    listing = cls.as_view({"get": "list", "post": "create"})
    detail = cls.as_view({"put": "update", "patch": "partial_update"})
    created = call(listing, rf.post("/", {"integer_field": 2, "secret": "s"}, format="json"))
    assert created.status_code == 201
    assert created.data["doubled"] == 4 and "secret" not in created.data
    pk = created.data["id"]
    updated = call(detail, rf.put("/", {"integer_field": 3}, format="json"), pk=pk)
    assert updated.status_code == 200 and updated.data["doubled"] == 6
    patched = call(detail, rf.patch("/", {"integer_field": 5}, format="json"), pk=pk)
    assert patched.data["doubled"] == 10
    assert call(listing, rf.get("/")).data[0]["doubled"] == 10


def test_split_explicit_class_and_single_direction():
    """V-SPLIT-002 V-SPLIT-003"""
    view = view_for(type("S", (Split, Items), {}), "create", "post", data={"integer_field": 1})
    assert isinstance(view.get_serializer(serializer_class=SlimItemSerializer), SlimItemSerializer)
    assert isinstance(view.get_serializer(direction="request"), WriteItemSerializer)
    one = view_for(type("One", (Items,), {"request_serializer_class": WriteItemSerializer}), "list")
    assert one.get_response_serializer_class() is ItemSerializer
    assert one.get_request_serializer_class() is WriteItemSerializer


class InlineWrite(serializers.Serializer):
    integer_field = serializers.IntegerField()

    def create(self, validated_data):
        return Item.objects.create(**validated_data)


class InlineRead(serializers.Serializer):
    id = serializers.IntegerField()
    integer_field = serializers.IntegerField()


class HyperRead(serializers.ModelSerializer):
    self_link = serializers.SerializerMethodField()

    class Meta:
        model = Item
        fields = ["id", "self_link"]

    def get_self_link(self, obj):
        return f"/items/{obj.pk}/"


@pytest.mark.django_db
@pytest.mark.parametrize("base", [Items, SyncItems])
@pytest.mark.parametrize("write", [WriteItemSerializer, InlineWrite])
@pytest.mark.parametrize("read", [ReadItemSerializer, InlineRead, HyperRead])
def test_split_combinations_round_trip(base, write, read):
    """V-SPLIT-005 (restflow serializer variants live in tests/serializers: restflow-core
    cannot depend on restflow-serializers)."""
    cls = type("C", (base,), {"request_serializer_class": write, "response_serializer_class": read})
    response = call(
        cls.as_view({"post": "create"}), rf.post("/", {"integer_field": 1}, format="json")
    )
    assert response.status_code == 201 and response.data["id"]


@pytest.mark.django_db
@pytest.mark.parametrize("base", [Items, SyncItems])
def test_split_invalid_body(base):
    """V-SPLIT-006"""
    cls = type("S", (Split, base), {})
    response = call(
        cls.as_view({"post": "create"}), rf.post("/", {"integer_field": "x"}, format="json")
    )
    assert response.status_code == 400


# Mixins ---------------------------------------------------------------------------------


class AsyncSaving(ItemSerializer):
    calls: list = []

    async def ais_valid(self, *, raise_exception=False):
        AsyncSaving.calls.append("ais_valid")
        return await _in_worker(self.is_valid)(raise_exception=raise_exception)

    async def asave(self, **kwargs):
        AsyncSaving.calls.append("asave")
        return await _in_worker(self.save)(**kwargs)


def _in_worker(fn):
    from asgiref.sync import sync_to_async

    return sync_to_async(fn, thread_sensitive=True)


@pytest.mark.django_db
def test_create_uses_asave_and_ais_valid_or_plain():
    """V-MIX-001 V-MIX-002 V-MIX-013"""
    AsyncSaving.calls = []
    cls = type("A", (Items,), {"serializer_class": AsyncSaving})
    response = call(
        cls.as_view({"post": "create"}), rf.post("/", {"integer_field": 1}, format="json")
    )
    assert response.status_code == 201 and AsyncSaving.calls == ["ais_valid", "asave"]
    plain = call(
        Items.as_view({"post": "create"}), rf.post("/", {"integer_field": 2}, format="json")
    )
    assert plain.status_code == 201
    assert Item.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("base", [Items, SyncItems])
def test_create_without_save_echoes_validated_data(base):
    """V-MIX-003 V-MIX-012 W7"""

    class NoSave(base):
        request_serializer_class = WriteItemSerializer
        response_serializer_class = ReadItemSerializer

        def perform_create(self, serializer):
            pass

    response = call(
        NoSave.as_view({"post": "create"}),
        rf.post("/", {"integer_field": 4, "string_field": "a"}, format="json"),
    )
    assert response.status_code == 201
    assert response.data == {"integer_field": 4, "string_field": "a"}
    assert not Item.objects.exists()


class WithUrl(ItemSerializer):
    url = serializers.SerializerMethodField()

    class Meta(ItemSerializer.Meta):
        fields = [*ItemSerializer.Meta.fields, "url"]

    def get_url(self, obj):
        return f"http://testserver/items/{obj.pk}/"


@pytest.mark.django_db
@pytest.mark.parametrize("base", [Items, SyncItems])
def test_location_header(base):
    """V-MIX-004"""
    cls = type("L", (base,), {"serializer_class": WithUrl})
    response = call(
        cls.as_view({"post": "create"}), rf.post("/", {"integer_field": 1}, format="json")
    )
    assert response["Location"] == response.data["url"]
    plain = call(
        base.as_view({"post": "create"}), rf.post("/", {"integer_field": 1}, format="json")
    )
    assert "Location" not in plain


@pytest.mark.django_db
def test_async_update_resets_prefetch_and_uses_asave():
    """V-MIX-005 V-MIX-006"""
    item = seed(1)[0]
    AsyncSaving.calls = []
    seen = {}

    class Prefetching(Items):
        serializer_class = AsyncSaving

        async def aget_object(self):
            obj = await Item.objects.aget(pk=item.pk)
            obj._prefetched_objects_cache = {"notes": []}
            seen["obj"] = obj
            return obj

    response = call(
        Prefetching.as_view({"put": "update"}),
        rf.put("/", {"integer_field": 9}, format="json"),
        pk=item.pk,
    )
    assert response.status_code == 200
    assert seen["obj"]._prefetched_objects_cache == {}
    assert "asave" in AsyncSaving.calls


@pytest.mark.django_db
def test_destroy_uses_adelete_or_delete():
    """V-MIX-007"""
    calls = []

    class Deletable:
        def __init__(self, asynchronous):
            if asynchronous:
                self.adelete = self._adelete

        async def _adelete(self):
            calls.append("adelete")

        def delete(self):
            calls.append("delete")

    for asynchronous in (True, False):

        class Destroy(Items):
            async def aget_object(self, _a=asynchronous):
                return Deletable(_a)

        response = call(Destroy.as_view({"delete": "destroy"}), rf.delete("/"), pk=1)
        assert response.status_code == 204 and not response.content
    assert calls == ["adelete", "delete"]


@pytest.mark.django_db
def test_list_sync_filter_fallback_and_sync_paginator():
    """V-MIX-008 V-MIX-009"""
    seed(5)

    class Filtered(Items):
        afilter_queryset = None

        def filter_queryset(self, queryset):
            return queryset.filter(integer_field__gte=Item.objects.count() - 2)

    assert len(call(Filtered.as_view({"get": "list"}), rf.get("/")).data) == 2

    class Two(PageNumberPagination):
        page_size = 2

        def get_paginated_response(self, data):
            return Response({"custom": True, "rows": data})

    cls = type("P", (Items,), {"pagination_class": Two})
    data = call(cls.as_view({"get": "list"}), rf.get("/")).data
    assert data["custom"] is True and len(data["rows"]) == 2


@pytest.mark.django_db
def test_sync_perform_create_override_on_async_viewset():
    """V-MIX-010 W2"""
    owner = User.objects.create_user("owner")

    class Owning(AsyncModelViewSet):
        queryset = Owned.objects.all()
        serializer_class = OwnedSerializer
        authentication_classes: list = []
        permission_classes: list = []

        def perform_create(self, serializer):
            serializer.save(owner=User.objects.get(username="owner"))

    response = call(Owning.as_view({"post": "create"}), rf.post("/", {"title": "t"}, format="json"))
    assert response.status_code == 201 and response.data["owner"] == owner.pk
    assert Owned.objects.get().owner == owner


@pytest.mark.django_db
def test_sync_perform_update_and_destroy_overrides_on_async_viewset():
    """W2"""
    item = seed(1)[0]
    calls = []

    class Hooks(Items):
        def perform_update(self, serializer):
            calls.append("update")
            serializer.save(string_field="forced")

        def perform_destroy(self, instance):
            calls.append("destroy")
            instance.delete()

    detail = Hooks.as_view({"patch": "partial_update", "delete": "destroy"})
    assert (
        call(detail, rf.patch("/", {"integer_field": 1}, format="json"), pk=item.pk).data[
            "string_field"
        ]
        == "forced"
    )
    assert call(detail, rf.delete("/"), pk=item.pk).status_code == 204
    assert calls == ["update", "destroy"]


@pytest.mark.django_db
def test_sync_model_viewset_crud():
    """V-MIX-011"""
    listing = SyncItems.as_view({"post": "create"})
    detail = SyncItems.as_view({"put": "update", "patch": "partial_update", "delete": "destroy"})
    created = call(listing, rf.post("/", {"integer_field": 1, "string_field": "a"}, format="json"))
    assert created.status_code == 201
    pk = created.data["id"]
    assert call(detail, rf.put("/", {"integer_field": 2}, format="json"), pk=pk).status_code == 200
    patched = call(detail, rf.patch("/", {"integer_field": 3}, format="json"), pk=pk)
    assert patched.status_code == 200 and patched.data["integer_field"] == 3
    assert call(detail, rf.delete("/"), pk=pk).status_code == 204
    assert not Item.objects.exists()


@pytest.mark.django_db
def test_get_serializer_context_override_reaches_retrieve():
    """V-HLP-006 W2"""

    class ContextSerializer(ItemSerializer):
        marker = serializers.SerializerMethodField()

        class Meta(ItemSerializer.Meta):
            fields = [*ItemSerializer.Meta.fields, "marker"]

        def get_marker(self, obj):
            return self.context.get("marker")

    item = seed(1)[0]
    for base in (Items, SyncItems, GenericViewSet):
        if base is GenericViewSet:
            continue

        class WithContext(base):
            serializer_class = ContextSerializer

            def get_serializer_context(self):
                return {**super().get_serializer_context(), "marker": "seen"}

        response = call(WithContext.as_view({"get": "retrieve"}), rf.get("/"), pk=item.pk)
        assert response.data["marker"] == "seen"
