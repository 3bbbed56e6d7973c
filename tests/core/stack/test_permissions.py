"""Permissions and their algebra (stack.md §2): S-PERM-*, weaknesses 1, 5, 16, 17."""

from __future__ import annotations

import asyncio
import inspect
import threading
from base64 import b64encode
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from rest_framework import permissions as drf

from restflow import permissions as rf
from restflow.permissions.permissions import AsyncOperand, AsyncSingleOperand
from restflow.test import AsyncAPIClient

URLS = "tests.core.stack.urls"


def user(*, staff=False, authenticated=True, pk=1):
    return SimpleNamespace(is_authenticated=authenticated, is_staff=staff, pk=pk)


def req(method="GET", u=None):
    return SimpleNamespace(method=method, user=u if u is not None else AnonymousUser())


class Allow(rf.BasePermission):
    async def ahas_permission(self, request, view):
        return True

    async def ahas_object_permission(self, request, view, obj):
        return True


class Deny(rf.BasePermission):
    async def ahas_permission(self, request, view):
        return False

    async def ahas_object_permission(self, request, view, obj):
        return False


class SyncAllow(rf.BasePermission):
    def has_permission(self, request, view):
        return True


class SyncDeny(rf.BasePermission):
    def has_permission(self, request, view):
        return False


A, F = Allow, Deny


async def perm(holder, request=None):
    return await holder().ahas_permission(request or req(), None)


async def obj_perm(holder, request=None, obj="o"):
    return await holder().ahas_object_permission(request or req(), None, obj)


async def test_allow_any():
    """S-PERM-001"""
    assert await rf.AllowAny().ahas_permission(req(), None) is True


async def test_is_authenticated():
    """S-PERM-002"""
    assert await rf.IsAuthenticated().ahas_permission(req(u=user()), None) is True
    assert await rf.IsAuthenticated().ahas_permission(req(), None) is False


async def test_is_admin_user():
    """S-PERM-003"""
    assert await rf.IsAdminUser().ahas_permission(req(u=user(staff=True)), None) is True
    assert await rf.IsAdminUser().ahas_permission(req(u=user()), None) is False


async def test_is_authenticated_or_read_only():
    """S-PERM-004"""
    assert await rf.IsAuthenticatedOrReadOnly().ahas_permission(req("GET"), None) is True
    assert await rf.IsAuthenticatedOrReadOnly().ahas_permission(req("POST"), None) is False


async def test_and_of_builtins():
    """S-PERM-005"""
    both = rf.IsAuthenticated & rf.IsAdminUser
    assert await perm(both, req(u=user(staff=True))) is True
    assert await perm(both, req(u=user())) is False
    assert await perm(both, req()) is False


async def test_or_of_builtins():
    """S-PERM-006"""
    assert await perm(rf.IsAuthenticated | rf.IsAdminUser, req(u=user())) is True


async def test_not_of_builtin():
    """S-PERM-007"""
    assert await perm(~rf.IsAuthenticated, req()) is True


async def test_sync_only_permission_async_hook():
    """S-PERM-008"""
    assert await SyncAllow().ahas_permission(req(), None) is True
    assert await SyncDeny().ahas_permission(req(), None) is False


async def test_sync_only_object_permission_async_hook():
    """S-PERM-009"""

    class OnlyAllowed(rf.BasePermission):
        def has_object_permission(self, request, view, obj):
            return obj == "allowed"

    assert await OnlyAllowed().ahas_object_permission(req(), None, "allowed") is True
    assert await OnlyAllowed().ahas_object_permission(req(), None, "other") is False


async def test_mixed_sync_and_builtin():
    """S-PERM-010"""
    staff = req(u=user(staff=True))
    assert await perm(SyncAllow & rf.IsAdminUser, staff) is True
    assert await perm(SyncDeny | rf.IsAdminUser, staff) is True


async def test_and_deny_first():
    """S-PERM-011"""
    assert await perm(Deny & Allow) is False
    assert await obj_perm(Deny & Allow) is False


async def test_and_allow_object():
    """S-PERM-012"""
    assert await obj_perm(Allow & Allow) is True


async def test_or_either_order():
    """S-PERM-013"""
    for holder in (Allow | Deny, Deny | Allow):
        assert await perm(holder) is True
        assert await obj_perm(holder) is True


async def test_not_object():
    """S-PERM-014"""
    assert await obj_perm(~Allow) is False
    assert await obj_perm(~Deny) is True


def test_helper_returns_sync_value_directly():
    """S-PERM-015"""

    class Plain:
        def has_permission(self, request, view):
            return True

    assert rf.has_permission(Plain(), req(), None) is True


async def test_object_helper_awaitable_for_restflow_plain_for_sync():
    """S-PERM-016"""
    pending = rf.has_object_permission(Deny(), req(), None, "o")
    assert inspect.isawaitable(pending)
    assert await pending is False

    class Plain:
        def has_object_permission(self, request, view, obj):
            return obj == "o"

    assert rf.has_object_permission(Plain(), req(), None, "o") is True


async def test_reflected_operators():
    """S-PERM-017"""
    anded = rf.IsAuthenticated.__rand__(rf.IsAdminUser)
    ored = rf.IsAuthenticated.__ror__(rf.IsAdminUser)
    assert isinstance(anded, AsyncOperand) and isinstance(ored, AsyncOperand)
    assert anded == AsyncOperand(rf.AND, rf.IsAdminUser, rf.IsAuthenticated)
    staff = req(u=user(staff=True))
    assert await perm(anded, staff) is True
    assert await perm(anded, req(u=user())) is False
    assert await perm(ored, req(u=user())) is True


async def test_three_way_chains():
    """S-PERM-018"""
    assert await perm(A & A & A) is True
    assert await perm(A & F & A) is False
    assert await perm(F | F | F) is False
    assert await perm(F | F | A) is True


async def test_grouped_chains():
    """S-PERM-019"""
    assert await perm((A & F) | A) is True
    assert await perm((F | A) & F) is False


async def test_negations():
    """S-PERM-020"""
    assert await perm(~~A) is True
    assert await perm(~(A & F)) is True
    assert await perm(~F & A) is True


async def test_mixed_sync_async_chains():
    """S-PERM-021"""
    assert await perm(SyncAllow & A & SyncAllow) is True
    assert await perm(A & SyncDeny) is False


async def test_object_chains():
    """S-PERM-022"""
    assert await obj_perm(A & A & A) is True
    assert await obj_perm(F | A | F) is True
    assert await obj_perm(~A) is False


async def test_allow_any_or_deny_anonymous():
    """S-PERM-023"""
    assert await perm(rf.AllowAny | F, req()) is True


class IsOwner(rf.BasePermission):
    def has_object_permission(self, request, view, obj):
        return obj.owner == "me"


async def test_admin_or_owner():
    """S-PERM-024"""
    holder = rf.IsAdminUser | IsOwner
    mine, theirs = SimpleNamespace(owner="me"), SimpleNamespace(owner="you")
    assert await obj_perm(holder, req(u=user()), mine) is True
    assert await obj_perm(holder, req(u=user(staff=True)), theirs) is True
    assert await obj_perm(holder, req(u=user()), theirs) is False
    # the sync (DRF) branch agrees
    assert holder().has_object_permission(req(u=user()), None, theirs) is False
    assert holder().has_object_permission(req(u=user()), None, mine) is True


async def test_or_object_falls_through():
    """S-PERM-025"""

    class RequestYesObjectNo(rf.BasePermission):
        async def ahas_object_permission(self, request, view, obj):
            return False

    assert await obj_perm(RequestYesObjectNo | Allow) is True
    assert await obj_perm(RequestYesObjectNo | Deny) is False


async def test_short_circuit():
    """S-PERM-026"""
    calls: list[str] = []

    class RecAllow(rf.BasePermission):
        async def ahas_permission(self, request, view):
            calls.append("allow")
            return True

    class RecDeny(rf.BasePermission):
        async def ahas_permission(self, request, view):
            calls.append("deny")
            return False

    assert await perm(RecAllow | RecDeny) is True
    assert calls == ["allow"]
    calls.clear()
    assert await perm(RecDeny & RecAllow) is False
    assert calls == ["deny"]


def test_instances_do_not_compose():
    """S-PERM-027"""
    with pytest.raises(TypeError):
        rf.IsAuthenticated() & rf.IsAdminUser()


async def test_drf_class_mixed_with_restflow_class():
    """S-PERM-028"""
    holder = drf.IsAdminUser & rf.IsAuthenticated
    assert isinstance(holder, AsyncOperand)
    instance = holder()
    assert hasattr(instance, "ahas_permission")
    assert await instance.ahas_permission(req(u=user(staff=True)), None) is True
    assert isinstance(rf.IsAuthenticated | drf.IsAdminUser, AsyncOperand)


def test_holders_equal_and_hash():
    """S-PERM-029, W-16"""
    assert (A & F) == (A & F)
    assert hash(A & F) == hash(A & F)
    assert (A & F) != (F & A)
    assert (A & F) != (A | F)
    assert ~A == ~A and hash(~A) == hash(~A)
    assert isinstance(~A, AsyncSingleOperand)
    assert len({A & F, A & F, ~A, ~A}) == 2


@pytest.mark.urls(URLS)
async def test_async_only_permission_enforced_on_sync_view(envelope):
    """S-PERM-030, W-01 (async-only permission never defaults to allow on sync views)"""
    response = await AsyncAPIClient().get("/perms/async-only-deny/")
    assert response.status_code == 403
    assert b"protected body" not in response.content


def test_async_only_permission_sync_hooks_and_combinators():
    """S-PERM-030, W-01: the sync hooks and DRF's sync combinator branch run the async hook."""
    assert Deny().has_permission(req(), None) is False
    assert Deny().has_object_permission(req(), None, "o") is False
    assert (Deny & Allow)().has_permission(req(), None) is False
    assert (Deny | Deny)().has_permission(req(), None) is False
    assert (~Allow)().has_permission(req(), None) is False
    assert Allow().has_permission(req(), None) is True


async def test_async_only_permission_sync_hook_inside_loop_raises():
    """S-PERM-030: sync hook from a thread running a loop is refused loudly, not allowed."""
    with pytest.raises(RuntimeError):
        Deny().has_permission(req(), None)


@pytest.mark.urls(URLS)
@pytest.mark.django_db(transaction=True)
async def test_drf_model_permissions_on_async_view_cold_cache(envelope):
    """S-PERM-031, W-05 (sync-only operands run off the loop)"""
    from django.contrib.auth.models import Permission

    from tests.core.stack.users import acreate_user

    bob = await acreate_user("bob", password="pw")
    auth = {"HTTP_AUTHORIZATION": "Basic " + b64encode(b"bob:pw").decode()}
    client = AsyncAPIClient()
    assert (await client.post("/perms/drf-model/", {}, **auth)).status_code == 403
    add = await Permission.objects.aget(
        codename="add_item", content_type__app_label="core_stack_tests"
    )
    await bob.user_permissions.aadd(add)
    assert (await client.post("/perms/drf-model/", {}, **auth)).status_code == 201
    assert (await client.get("/perms/drf-model/", **auth)).status_code == 200


@pytest.mark.urls(URLS)
@pytest.mark.django_db(transaction=True)
async def test_restflow_model_permissions_on_async_view(envelope):
    """S-PERM-032"""
    from django.contrib.auth.models import Permission

    from tests.core.stack.users import acreate_user

    carol = await acreate_user("carol", password="pw")
    auth = {"HTTP_AUTHORIZATION": "Basic " + b64encode(b"carol:pw").decode()}
    client = AsyncAPIClient()
    assert (await client.get("/perms/model/", **auth)).status_code == 200
    denied = await client.post("/perms/model/", {}, **auth)
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "permission_denied"
    await carol.user_permissions.aadd(
        await Permission.objects.aget(
            codename="add_item", content_type__app_label="core_stack_tests"
        )
    )
    assert (await client.post("/perms/model/", {}, **auth)).status_code == 201


async def test_model_permissions_run_off_the_loop():
    """S-PERM-031, W-05: DjangoModelPermissions' sync hook runs in a worker thread."""
    seen = []

    class Recording(rf.DjangoModelPermissions):
        def has_permission(self, request, view):
            seen.append(threading.current_thread())
            return True

    assert await Recording().ahas_permission(req(), None) is True
    assert seen and seen[0] is not threading.main_thread()
    seen.clear()
    # and a DRF-native operand inside a restflow combinator
    from rest_framework.permissions import DjangoModelPermissions as DrfModel

    class DrfRecording(DrfModel):
        def has_permission(self, request, view):
            seen.append(threading.current_thread())
            return False

    assert await perm(rf.AllowAny & DrfRecording) is False
    assert seen and seen[0] is not threading.main_thread()


async def test_default_hooks_do_not_hop_threads(monkeypatch):
    """W-17: inherited True defaults and DRF's I/O-free built-ins answer on the loop."""
    from restflow.permissions import permissions as module

    def forbidden(*args, **kwargs):
        raise AssertionError("thread hop")

    monkeypatch.setattr(module, "sync_to_async", forbidden)
    request = req(u=user(staff=True))
    for permission in (
        rf.AllowAny(),
        rf.IsAuthenticated(),
        rf.IsAdminUser(),
        rf.IsAuthenticatedOrReadOnly(),
    ):
        assert await permission.ahas_permission(request, None) is True
        assert await permission.ahas_object_permission(request, None, "o") is True
    assert await rf.DjangoModelPermissions().ahas_object_permission(request, None, "o") is True
    assert await perm(drf.IsAuthenticated & rf.IsAdminUser, request) is True


class _ObjectPermsBackend:
    """Object-permission backend for S-PERM-033: grants per (user, perm, obj) from a dict."""

    grants: dict = {}

    def authenticate(self, request, **kwargs):
        return None

    def has_perm(self, user_obj, perm, obj=None):
        return obj is not None and perm in self.grants.get((user_obj.pk, obj.pk), set())


@pytest.mark.django_db(transaction=True)
async def test_object_permissions_404_and_403(envelope, settings):
    """S-PERM-033"""
    from django.contrib.auth.models import User
    from rest_framework import serializers

    from restflow.test import AsyncAPIRequestFactory
    from restflow.views import AsyncRetrieveUpdateAPIView
    from tests.core.stack.app.models import Item
    from tests.core.stack.users import acreate_user

    settings.AUTHENTICATION_BACKENDS = [
        "django.contrib.auth.backends.ModelBackend",
        f"{__name__}._ObjectPermsBackend",
    ]
    dave = await acreate_user("dave", password="pw")
    item = await Item.objects.acreate(name="x")
    from django.contrib.auth.models import Permission

    for codename in ("view_item", "change_item"):
        await dave.user_permissions.aadd(
            await Permission.objects.aget(
                codename=codename, content_type__app_label="core_stack_tests"
            )
        )

    class Serializer(serializers.ModelSerializer):
        class Meta:
            model = Item
            fields = ["id", "name"]

    class ViewRequiresPerm(rf.DjangoObjectPermissions):
        perms_map = {
            **rf.DjangoObjectPermissions.perms_map,
            "GET": ["%(app_label)s.view_%(model_name)s"],
        }

    class View(AsyncRetrieveUpdateAPIView):
        queryset = Item.objects.all()
        serializer_class = Serializer
        permission_classes = [ViewRequiresPerm]

    factory = AsyncAPIRequestFactory()

    async def call(method, body=None):
        from restflow.test import force_authenticate

        request = getattr(factory, method)(f"/items/{item.pk}/", body)
        force_authenticate(request, user=await User.objects.aget(pk=dave.pk))
        return await View.as_view()(request, pk=item.pk)

    _ObjectPermsBackend.grants = {}
    response = await call("get")
    assert response.status_code == 404
    assert response.data["error"]["code"] == "not_found"
    _ObjectPermsBackend.grants = {(dave.pk, item.pk): {"core_stack_tests.view_item"}}
    assert (await call("get")).status_code == 200
    response = await call("put", {"name": "y"})
    assert response.status_code == 403
    assert response.data["error"]["code"] == "permission_denied"


@pytest.mark.urls(URLS)
async def test_permission_message_without_authenticators(envelope):
    """S-PERM-034"""
    response = await AsyncAPIClient().get("/errors/custom-denial/")
    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "permission_denied",
        "message": "Custom denial.",
        "details": {},
    }


@pytest.mark.urls(URLS)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", ["async", "sync"])
async def test_auth_matrix_basic_token_multi(envelope, mode):
    """S-PERM-035 (Basic, Token and both; JWT is covered in tests/integration)"""
    from tests.core.stack.app.models import ApiToken
    from tests.core.stack.users import acreate_user

    erin = await acreate_user("erin", password="pw")
    await ApiToken.objects.acreate(key="good-token", user=erin)
    basic_ok = "Basic " + b64encode(b"erin:pw").decode()
    basic_bad = "Basic " + b64encode(b"erin:nope").decode()
    cases = {
        "basic": [(None, 401), (basic_bad, 401), (basic_ok, 200)],
        "token": [(None, 401), ("Token unknown", 401), ("Token good-token", 200)],
        "multi": [
            (None, 401),
            (basic_bad, 401),
            ("Token unknown", 401),
            (basic_ok, 200),
            ("Token good-token", 200),
        ],
    }
    client = AsyncAPIClient()
    for kind, expectations in cases.items():
        for header, status in expectations:
            extra = {"HTTP_AUTHORIZATION": header} if header else {}
            response = await client.get(f"/auth/{kind}/{mode}/", **extra)
            assert response.status_code == status, (kind, header, response.content)
            if status == 401:
                assert response["WWW-Authenticate"]
            else:
                assert response.json() == {"user": "erin"}


@pytest.mark.urls(URLS)
async def test_unknown_scheme_on_multi_authenticator_view(envelope):
    """S-PERM-036"""
    response = await AsyncAPIClient().get(
        "/auth/multi/async/", HTTP_AUTHORIZATION="OAuth some-token"
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


async def test_combinator_results_are_real_bools():
    """S-PERM-018: results are real bools even when hooks return truthy values."""

    class Truthy(rf.BasePermission):
        async def ahas_permission(self, request, view):
            return "yes"

    assert await perm(Truthy & Truthy) is True
    assert await perm(~Truthy) is False


async def test_concurrent_permission_checks_do_not_interfere():
    """S-PERM-021: evaluation holds no shared state between requests."""
    holder = (A & SyncAllow) | F
    results = await asyncio.gather(*(perm(holder) for _ in range(20)))
    assert results == [True] * 20
