"""Smoke guarantees with every distribution installed (stack.md §7): S-SMOKE-001..010.

Plus the cross-distribution rows of the stack checklist that need another distribution:
JWT in the authentication matrix (S-PERM-035) and the restflow serializers in the
pagination matrix (S-PAG-036).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import inspect
import os
import subprocess
import sys
import textwrap
from base64 import b64encode
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PUBLIC_NAMES = {
    "restflow.pagination": "BasePagination CursorPagination FastPageNumberPagination LimitOffsetPagination PageNumberPagination",  # noqa: E501
    "restflow.permissions": "AND NOT OR AllowAny BasePermission DjangoModelPermissions DjangoModelPermissionsOrAnonReadOnly DjangoObjectPermissions IsAdminUser IsAuthenticated IsAuthenticatedOrReadOnly",  # noqa: E501
    "restflow.throttling": "AnonRateThrottle BaseThrottle ScopedRateThrottle SimpleRateThrottle UserRateThrottle",  # noqa: E501
    "restflow.exceptions": "APIException ErrorCode exception_handler format_error",
    "restflow.test": "AsyncAPIClient AsyncAPILiveServerTestCase AsyncAPIRequestFactory AsyncAPISimpleTestCase AsyncAPITestCase AsyncAPITransactionTestCase force_authenticate",  # noqa: E501
    "restflow.authentication": "AccessToken BaseAuthentication BasicAuthentication JWTAuthentication RefreshToken RemoteUserAuthentication SessionAuthentication TokenAuthentication TokenError",  # noqa: E501
    "restflow.authentication.views": "TokenBlacklistView TokenObtainView TokenRefreshView",
    "restflow.responses": "NDJSONResponse Response SSEResponse StreamingJSONListResponse",
    "restflow.serializers": "HyperlinkedModelSerializer InlineSerializer ModelSerializer Serializer SerializerFieldMap DecimalField Field get_field_from_type",  # noqa: E501
    "restflow.caching": "CACHE_MISSING ArgsKeyField AsyncIODispatcher CachedResponseWrapper CachedWrapper CacheKeyField CacheRegister CacheStatus CeleryDispatcher ConstantKeyField DefaultKeyConstructor Dispatcher DjangoModelKeyField DjangoQDispatcher DjangoRqDispatcher DramatiqDispatcher DrfSerializerKeyField InlineDispatcher InlineKeyConstructor InvalidationRule KeyConstructor QueryParamsKeyField RequestValueKeyField ResponseCacheKeyConstructor ThreadPoolDispatcher ViewKwargsKeyField cache_response cache_result register_dispatcher registered_dispatcher_names set_response_cache_header",  # noqa: E501
    "restflow.filters": "BooleanField ChoiceField DateField DateTimeField DecimalField DurationField Email EmailField Field FilterSet FloatField InlineFilterSet IntegerField IPAddress IPAddressField ListField MultipleChoiceField OrderField RelatedField RestflowFilterBackend StringField TimeField UUIDField",  # noqa: E501
    "restflow.views": "APIView ActionConfig AsyncAPIView AsyncCreateAPIView AsyncCreateModelMixin AsyncDestroyAPIView AsyncDestroyModelMixin AsyncGenericAPIView AsyncGenericViewSet AsyncListAPIView AsyncListCreateAPIView AsyncListModelMixin AsyncModelViewSet AsyncReadOnlyModelViewSet AsyncRetrieveAPIView AsyncRetrieveDestroyAPIView AsyncRetrieveModelMixin AsyncRetrieveUpdateAPIView AsyncRetrieveUpdateDestroyAPIView AsyncUpdateAPIView AsyncUpdateModelMixin AsyncViewSet PostFetch",  # noqa: E501
}


def test_versions():
    """S-SMOKE-001"""
    from restflow.helpers import get_version, get_versions

    core = importlib.metadata.version("restflow-core")
    assert core and importlib.metadata.version("drf-restflow")
    assert get_version() == core
    assert get_versions()["restflow-core"] == core


@pytest.mark.parametrize("module", sorted(PUBLIC_NAMES))
def test_public_names_import(module):
    """S-SMOKE-002"""
    imported = importlib.import_module(module)
    for name in PUBLIC_NAMES[module].split():
        assert getattr(imported, name, None) is not None, f"{module}.{name}"


def test_cache_registry_singleton():
    """S-SMOKE-003"""
    from restflow.caching import CacheRegister
    from restflow.caching.registry import CacheRegistry

    assert CacheRegistry() is CacheRegister


def test_cache_result_wrapper():
    """S-SMOKE-004"""
    from restflow.caching import CachedWrapper, ConstantKeyField, cache_result

    def lookup(x):
        return x

    wrapped = cache_result({"fields": {"v": ConstantKeyField("v", "1")}}, ttl=60)(lookup)
    assert isinstance(wrapped, CachedWrapper)
    assert wrapped.is_cached_function is True
    assert wrapped.__name__ == "lookup"


def test_empty_filterset_has_fields():
    """S-SMOKE-005"""
    from restflow.filters import FilterSet

    class Empty(FilterSet):
        pass

    assert hasattr(Empty(data={}), "fields")


def test_annotated_serializer_validates():
    """S-SMOKE-006"""
    from restflow.serializers import Serializer

    class Person(Serializer):
        name: str
        age: int

    serializer = Person(data={"name": "x", "age": 1})
    assert serializer.is_valid(), serializer.errors
    assert dict(serializer.validated_data) == {"name": "x", "age": 1}


def test_async_views_are_async():
    """S-SMOKE-007"""
    from restflow.views import AsyncAPIView, AsyncModelViewSet

    class Mine(AsyncAPIView):
        pass

    assert Mine.view_is_async is True
    assert inspect.iscoroutinefunction(AsyncModelViewSet.as_view({"get": "list"}))


def test_builtin_dispatchers_registered():
    """S-SMOKE-008"""
    from restflow.caching import registered_dispatcher_names

    builtins = {"inline", "celery", "threadpool", "asyncio", "django_rq", "dramatiq", "django_q"}
    assert builtins <= set(registered_dispatcher_names())


USER_CLASSES = """
from restflow.authentication import BaseAuthentication
from restflow.pagination import PageNumberPagination
from restflow.permissions import BasePermission
from restflow.throttling import SimpleRateThrottle


class ProjectAuthentication(BaseAuthentication):
    def authenticate(self, request):
        return None


class ProjectPermission(BasePermission):
    pass


class ProjectThrottle(SimpleRateThrottle):
    scope = "project"


class ProjectPagination(PageNumberPagination):
    page_size = 10
"""

RESOLUTION = """
from django.conf import settings
settings.configure(
    DEBUG=True,
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework"],
    REST_FRAMEWORK={
        "DEFAULT_AUTHENTICATION_CLASSES": ["project_api.ProjectAuthentication"],
        "DEFAULT_PERMISSION_CLASSES": ["project_api.ProjectPermission"],
        "DEFAULT_THROTTLE_CLASSES": ["project_api.ProjectThrottle"],
        "DEFAULT_THROTTLE_RATES": {"project": "10/min"},
        "DEFAULT_PAGINATION_CLASS": "project_api.ProjectPagination",
        "EXCEPTION_HANDLER": "restflow.exceptions.exception_handler",
    },
)
import django
django.setup()
import rest_framework.generics
print("RESOLVED")
"""

ISOLATION = """
import sys
from django.conf import settings
settings.configure(INSTALLED_APPS=[])
import restflow.exceptions, restflow.pagination, restflow.permissions, restflow.throttling
assert "rest_framework.views" not in sys.modules
print("ISOLATED")
"""


def _fresh(code: str, extra: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), *([str(extra)] if extra else [])]),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=str(ROOT),
    )


def test_drf_resolves_restflow_classes_in_fresh_interpreter(tmp_path):
    """S-SMOKE-009"""
    (tmp_path / "project_api.py").write_text(USER_CLASSES)
    result = _fresh(RESOLUTION, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "RESOLVED" in result.stdout


def test_stack_modules_do_not_import_drf_views():
    """S-SMOKE-010"""
    result = _fresh(ISOLATION)
    assert result.returncode == 0, result.stderr
    assert "ISOLATED" in result.stdout


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", ["async", "sync"])
async def test_jwt_in_authentication_matrix(settings, mode):
    """S-PERM-035 (JWT rows): no header / invalid token → 401; valid → 200 with the username."""
    from django.contrib.auth.models import User
    from rest_framework.response import Response
    from rest_framework.views import APIView as DrfAPIView

    from restflow.authentication import AccessToken, BasicAuthentication, JWTAuthentication
    from restflow.permissions import IsAuthenticated
    from restflow.test import AsyncAPIRequestFactory
    from restflow.views import AsyncAPIView
    from tests.core.stack.app.models import ApiToken
    from tests.core.stack.views import StackTokenAuthentication

    settings.RESTFLOW_SETTINGS = {
        "JWT": {"SIGNING_KEY": "smoke-signing-key-" + "x" * 32, "BLACKLIST_ALLOW_LOCMEM": True}
    }
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "EXCEPTION_HANDLER": "restflow.exceptions.exception_handler",
    }
    user = await User.objects.acreate_user("jwt-user", password="pw")
    token = str(await _in_worker(AccessToken.for_user)(user))
    await ApiToken.objects.acreate(key="smoke-token", user=user)
    basic = "Basic " + b64encode(b"jwt-user:pw").decode()

    def body(request):
        return Response({"user": request.user.get_username()})

    base = AsyncAPIView if mode == "async" else DrfAPIView
    handler = (
        (lambda self, request: _async_body(body, request))
        if mode == "async"
        else (lambda self, request: body(request))
    )
    results = {}
    for name, classes in {
        "jwt": [JWTAuthentication],
        "all": [JWTAuthentication, BasicAuthentication, StackTokenAuthentication],
    }.items():
        view = type(
            f"{name}{mode}",
            (base,),
            {
                "authentication_classes": classes,
                "permission_classes": [IsAuthenticated],
                "get": handler,
            },
        ).as_view()
        headers = {"none": None, "bad": "Bearer not-a-token", "good": f"Bearer {token}"}
        if name == "all":
            headers |= {"basic": basic, "token": "Token smoke-token", "bad-token": "Token nope"}
        for label, header in headers.items():
            extra = {"HTTP_AUTHORIZATION": header} if header else {}
            request = AsyncAPIRequestFactory().get("/", **extra)
            response = await view(request) if mode == "async" else await _in_worker(view)(request)
            results[(name, label)] = (response.status_code, getattr(response, "data", None))
    for name in ("jwt", "all"):
        assert results[(name, "none")][0] == 401
        assert results[(name, "bad")][0] == 401
        assert results[(name, "good")] == (200, {"user": "jwt-user"})
    assert results[("all", "basic")] == (200, {"user": "jwt-user"})
    assert results[("all", "token")] == (200, {"user": "jwt-user"})
    assert results[("all", "bad-token")][0] == 401


def _in_worker(func):
    from asgiref.sync import sync_to_async

    return sync_to_async(func, thread_sensitive=True)


async def _async_body(body, request):
    return body(request)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("serializer_kind", ["model", "hyperlinked"])
@pytest.mark.parametrize("paginator_kind", ["page", "limit", "fast", "cursor"])
async def test_pagination_matrix_with_restflow_serializers(serializer_kind, paginator_kind):
    """S-PAG-036 (restflow ModelSerializer and HyperlinkedModelSerializer rows)"""
    from django.contrib.auth.models import Group

    from restflow import pagination, serializers
    from restflow.test import AsyncAPIRequestFactory
    from restflow.views import AsyncListAPIView

    await Group.objects.abulk_create([Group(name=f"g{i}") for i in range(8)])
    if serializer_kind == "model":

        class GroupSerializer(serializers.ModelSerializer):
            class Meta:
                model = Group
                fields = ["id", "name"]

    else:

        class GroupSerializer(serializers.HyperlinkedModelSerializer):  # type: ignore[no-redef]
            class Meta:
                model = Group
                fields = ["id", "name"]

    paginators = {
        "page": (pagination.PageNumberPagination, {"page_size": 3}, "?page=2", 3),
        "limit": (pagination.LimitOffsetPagination, {"default_limit": 3}, "?limit=4&offset=2", 4),
        "fast": (pagination.FastPageNumberPagination, {"page_size": 3}, "", 3),
        "cursor": (pagination.CursorPagination, {"page_size": 3, "ordering": "id"}, "", 3),
    }
    base, attrs, query, expected = paginators[paginator_kind]
    view = AsyncListAPIView.as_view(
        queryset=Group.objects.all(),
        serializer_class=GroupSerializer,
        pagination_class=type("P", (base,), attrs),
        authentication_classes=[],
        permission_classes=[],
    )
    first = await view(AsyncAPIRequestFactory().get("/groups/"))
    assert first.status_code == 200 and len(first.data["results"]) == 3
    response = await view(AsyncAPIRequestFactory().get(f"/groups/{query}"))
    assert response.status_code == 200
    assert len(response.data["results"]) == expected
    if paginator_kind == "fast":
        assert "count" not in response.data and response.data["next"]
    if paginator_kind == "cursor":
        assert response.data["next"]
    if paginator_kind == "page":
        missing = await view(AsyncAPIRequestFactory().get("/groups/?page=999"))
        assert missing.status_code == 404
