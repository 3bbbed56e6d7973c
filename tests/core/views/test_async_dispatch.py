"""AsyncAPIView dispatch (B-ASYNC) and what runs off the event loop (W1, W2, W4)."""

from __future__ import annotations

import asyncio
import inspect

import pytest
from asgiref.sync import iscoroutinefunction
from django.contrib.auth.models import AnonymousUser, User
from django.http import Http404, HttpResponse
from django.test import override_settings
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, BasicAuthentication
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIRequestFactory
from rest_framework.throttling import BaseThrottle

from restflow.responses import NDJSONResponse, Response
from restflow.views import AsyncAPIView, PostFetch
from tests.core.views.app.models import Item, Note
from tests.core.views.app.serializers import ItemSerializer, ValueSerializer
from tests.core.views.conftest import arun, call

rf = APIRequestFactory()


class Open(AsyncAPIView):
    authentication_classes: list = []
    permission_classes: list = []


class Obj:
    def __init__(self, value):
        self.value = value


# Class level ---------------------------------------------------------------------------


def test_view_is_async_always():
    """V-ASYNC-001"""

    class SyncOnly(AsyncAPIView):
        def get(self, request):
            return Response({})

    class Nothing(AsyncAPIView):
        pass

    assert AsyncAPIView.view_is_async is True
    assert SyncOnly.view_is_async is True
    assert Nothing.view_is_async is True


def test_dispatch_is_coroutine_and_view_resolves():
    """V-ASYNC-002 W4"""

    class Hello(Open):
        async def get(self, request):
            return Response({"ok": True})

    assert inspect.iscoroutinefunction(AsyncAPIView.dispatch)
    view = Hello.as_view()
    assert inspect.iscoroutinefunction(view) and iscoroutinefunction(view)
    result = view(rf.get("/"))
    assert inspect.iscoroutine(result)

    async def finish():
        return await result

    response = arun(finish)
    assert response.status_code == 200


# Handlers ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_async_sync_and_mixed_handlers():
    """V-ASYNC-003 V-ASYNC-004 V-ASYNC-005 V-ASYNC-006 V-ASYNC-007 W1"""
    item = Item.objects.create(integer_field=3)

    class Mixed(Open):
        serializer_class = ItemSerializer

        def get(self, request):
            # ORM on a sync handler: must run in the worker, not on the loop.
            return Response({"count": Item.objects.count()})

        def put(self, request):
            return self.aserialized_response(Item.objects.get(pk=item.pk))

        async def post(self, request):
            return Response({"m": "post"}, status=201)

        async def patch(self, request):
            return Response({"m": "patch"})

        async def delete(self, request):
            return Response(status=204)

    view = Mixed.as_view()
    assert call(view, rf.get("/")).data == {"count": 1}
    put = call(view, rf.put("/", {}, format="json"))
    assert put.status_code == 200 and put.data["integer_field"] == 3
    assert call(view, rf.post("/", {}, format="json")).status_code == 201
    assert call(view, rf.patch("/", {}, format="json")).data == {"m": "patch"}
    assert call(view, rf.delete("/")).status_code == 204


def test_method_not_allowed_and_head():
    """V-ASYNC-008 V-ASYNC-009 V-ASYNC-010"""

    class OnlyGet(Open):
        http_method_names = ["get"]

        async def get(self, request):
            return Response({})

    assert call(OnlyGet.as_view(), rf.post("/")).status_code == 405

    class Get(Open):
        async def get(self, request):
            return Response({"x": 1})

    response = call(Get.as_view(), rf.delete("/"))
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert call(Get.as_view(), rf.head("/")).status_code == 200


def test_not_found_exceptions():
    """V-ASYNC-011"""

    class Missing(Open):
        async def get(self, request):
            raise exceptions.NotFound()

        async def post(self, request):
            raise Http404()

    assert call(Missing.as_view(), rf.get("/")).status_code == 404
    assert call(Missing.as_view(), rf.post("/")).status_code == 404


def test_handle_exception_reraises_and_marks():
    """V-ASYNC-012 V-ASYNC-013"""
    view = Open()
    view.request = Open().initialize_request(rf.get("/"))
    view.args, view.kwargs, view.format_kwarg = (), {}, None
    with pytest.raises(RuntimeError, match="boom"):
        arun(view.ahandle_exception, RuntimeError("boom"))
    response = arun(view.ahandle_exception, exceptions.NotFound())
    assert response.exception is True and response.status_code == 404


async def async_handler(exc, context):
    await asyncio.sleep(0)
    return Response({"async": True}, status=599)


def test_async_exception_handler_is_awaited():
    """V-ASYNC-014"""

    class Failing(Open):
        def get_exception_handler(self):
            return async_handler

        async def get(self, request):
            raise exceptions.NotFound()

    response = call(Failing.as_view(), rf.get("/"))
    assert response.status_code == 599 and response.data == {"async": True}


def test_non_response_is_assertion_error():
    """V-ASYNC-015"""

    class Nothing(Open):
        async def get(self, request):
            return None

    with pytest.raises(AssertionError, match="Expected a `Response`"):
        call(Nothing.as_view(), rf.get("/"))


# Authentication ------------------------------------------------------------------------


class AsyncAuth(BaseAuthentication):
    async def aauthenticate(self, request):
        return ("user", "auth")


class NoneAuth(BaseAuthentication):
    async def aauthenticate(self, request):
        return None


class FailingAuth(BaseAuthentication):
    header = "Bearer"

    async def aauthenticate(self, request):
        raise exceptions.AuthenticationFailed()

    def authenticate_header(self, request):
        return self.header


class FailingNoHeader(FailingAuth):
    header = None


class OrmAuth(BaseAuthentication):
    def authenticate(self, request):
        return (User.objects.get(username="orm"), None)


class WhoAmI(AsyncAPIView):
    permission_classes: list = []

    async def get(self, request):
        return Response({"user": str(request.user), "auth": request.auth})


def test_aauthenticate_sets_user():
    """V-ASYNC-016 V-ASYNC-017"""
    view = type("V", (WhoAmI,), {"authentication_classes": [AsyncAuth]}).as_view()
    assert call(view, rf.get("/")).data == {"user": "user", "auth": "auth"}
    view = type("V", (WhoAmI,), {"authentication_classes": [NoneAuth, AsyncAuth]}).as_view()
    response = call(view, rf.get("/"))
    assert response.status_code == 200 and response.data["user"] == "user"


@pytest.mark.django_db
def test_sync_authenticator_with_orm_runs_off_loop():
    """V-ASYNC-018 W1"""
    User.objects.create(username="orm")
    view = type("V", (WhoAmI,), {"authentication_classes": [OrmAuth]}).as_view()
    assert call(view, rf.get("/")).data["user"] == "orm"
    mixed = type("V", (WhoAmI,), {"authentication_classes": [NoneAuth, OrmAuth]}).as_view()
    assert call(mixed, rf.get("/")).data["user"] == "orm"


def test_failed_authentication_401_or_403():
    """V-ASYNC-019 V-ASYNC-020"""
    view = type("V", (WhoAmI,), {"authentication_classes": [FailingAuth]}).as_view()
    response = call(view, rf.get("/"))
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Bearer"
    view = type("V", (WhoAmI,), {"authentication_classes": [FailingNoHeader]}).as_view()
    assert call(view, rf.get("/")).status_code == 403


def test_nobody_authenticated_is_anonymous():
    """V-ASYNC-021"""
    seen = {}

    class Anon(AsyncAPIView):
        authentication_classes = [NoneAuth]
        permission_classes: list = []

        async def get(self, request):
            seen["user"], seen["auth"] = request.user, request.auth
            return Response({})

    call(Anon.as_view(), rf.get("/"))
    assert isinstance(seen["user"], AnonymousUser) and seen["auth"] is None


# Permissions ---------------------------------------------------------------------------


class AsyncDeny(BasePermission):
    message = "nope"

    async def ahas_permission(self, request, view):
        return False


class OrmPermission(BasePermission):
    def has_permission(self, request, view):
        return Item.objects.filter(integer_field=42).exists()


class Ok(Open):
    async def get(self, request):
        return Response({"ok": True})


def test_async_permission_denies_with_message():
    """V-ASYNC-022"""
    view = type("V", (Ok,), {"permission_classes": [AsyncDeny]}).as_view()
    response = call(view, rf.get("/"))
    assert response.status_code == 403 and str(response.data["detail"]) == "nope"


def test_is_authenticated_on_anonymous():
    """V-ASYNC-023"""
    session = type(
        "V", (Ok,), {"permission_classes": [IsAuthenticated], "authentication_classes": [NoneAuth]}
    )
    assert call(session.as_view(), rf.get("/")).status_code == 403
    basic = type(
        "V",
        (Ok,),
        {"permission_classes": [IsAuthenticated], "authentication_classes": [BasicAuthentication]},
    )
    response = call(basic.as_view(), rf.get("/"))
    assert response.status_code == 401 and "Basic" in response["WWW-Authenticate"]


@pytest.mark.django_db
def test_sync_permission_with_orm_runs_off_loop():
    """V-ASYNC-024 W1"""
    view = type("V", (Ok,), {"permission_classes": [OrmPermission]}).as_view()
    assert call(view, rf.get("/")).status_code == 403
    Item.objects.create(integer_field=42)
    assert call(view, rf.get("/")).status_code == 200


def test_object_permissions():
    """V-ASYNC-025"""

    class AsyncObjDeny(BasePermission):
        async def ahas_object_permission(self, request, view, obj):
            return False

    class SyncObjAllow(BasePermission):
        def has_object_permission(self, request, view, obj):
            return True

    for permissions, allowed in (([AsyncObjDeny], False), ([SyncObjAllow], True)):
        view = type("V", (Open,), {"permission_classes": permissions})()
        view.request = view.initialize_request(rf.get("/"))
        arun(view.aperform_authentication, view.request)
        if allowed:
            arun(view.acheck_object_permissions, view.request, object())
        else:
            with pytest.raises((exceptions.PermissionDenied, exceptions.NotAuthenticated)):
                arun(view.acheck_object_permissions, view.request, object())


# Throttles -----------------------------------------------------------------------------


def _throttle(allowed, wait, asynchronous=True):
    if asynchronous:

        async def aallow_request(self, request, view):
            return allowed

        attrs = {"aallow_request": aallow_request}
    else:
        attrs = {"allow_request": lambda self, request, view: allowed}
    attrs["wait"] = lambda self: wait
    return type("T", (BaseThrottle,), attrs)


def _throttled_view(*throttles):
    view = type("V", (Open,), {"throttle_classes": list(throttles)})()
    view.request = view.initialize_request(rf.get("/"))
    return view


def test_async_throttle_wait():
    """V-ASYNC-026: the view passes the wait (1.5) on; DRF's ``Throttled`` rounds it up."""
    view = _throttled_view(_throttle(False, 1.5))
    durations = []
    original = view.throttled

    def record(request, wait):
        durations.append(wait)
        original(request, wait)

    view.throttled = record
    with pytest.raises(exceptions.Throttled) as info:
        arun(view.acheck_throttles, view.request)
    assert durations == [1.5]
    assert info.value.wait == 2


def test_throttle_max_wait_and_none():
    """V-ASYNC-027"""
    view = _throttled_view(_throttle(False, 3), _throttle(False, None), _throttle(False, 7))
    with pytest.raises(exceptions.Throttled) as info:
        arun(view.acheck_throttles, view.request)
    assert info.value.wait == 7
    view = _throttled_view(_throttle(False, None), _throttle(False, None))
    with pytest.raises(exceptions.Throttled) as info:
        arun(view.acheck_throttles, view.request)
    assert info.value.wait is None


def test_sync_throttle_allows():
    """V-ASYNC-028"""
    view = _throttled_view(_throttle(True, None, asynchronous=False))
    arun(view.acheck_throttles, view.request)


# Order of checks -----------------------------------------------------------------------


def test_negotiation_first():
    """V-ASYNC-029 V-ASYNC-030"""
    called = []

    class JsonOnly(AsyncAPIView):
        renderer_classes = [JSONRenderer]
        authentication_classes = [FailingAuth]

        async def get(self, request):
            called.append(1)
            return Response({})

    response = call(JsonOnly.as_view(), rf.get("/", HTTP_ACCEPT="text/html"))
    assert response.status_code == 406 and called == []

    evaluated = []

    class Counting(BaseThrottle):
        def allow_request(self, request, view):
            evaluated.append(1)
            return True

    view = type("V", (Ok,), {"permission_classes": [AsyncDeny], "throttle_classes": [Counting]})
    assert call(view.as_view(), rf.get("/")).status_code == 403
    assert evaluated == []


def test_unsupported_media_type():
    """V-ASYNC-031"""

    class Reads(Open):
        async def post(self, request):
            return Response(request.data)

    response = call(Reads.as_view(), rf.post("/", "<a/>", content_type="text/xml"))
    assert response.status_code == 415


def test_afinalize_response_override_applies_to_errors_too():
    """V-ASYNC-032"""

    class Stamped(Open):
        async def afinalize_response(self, request, response, *args, **kwargs):
            response = await super().afinalize_response(request, response, *args, **kwargs)
            response["X-Stamp"] = "1"
            return response

        async def get(self, request):
            return Response({})

        async def post(self, request):
            raise exceptions.NotFound()

    assert call(Stamped.as_view(), rf.get("/"))["X-Stamp"] == "1"
    assert call(Stamped.as_view(), rf.post("/"))["X-Stamp"] == "1"


# Sync-override bridging ----------------------------------------------------------------


@pytest.mark.django_db
def test_sync_initial_override_is_honoured():
    """V-ASYNC-033 W2: and it runs off the loop (it may query)."""

    class Flagged(Open):
        def initial(self, request, *args, **kwargs):
            super().initial(request, *args, **kwargs)
            request.flag = Item.objects.count() + 1

        async def get(self, request):
            return Response({"flag": request.flag})

    assert call(Flagged.as_view(), rf.get("/")).data == {"flag": 1}


def test_sync_check_permissions_override_is_honoured():
    """V-ASYNC-034 W2"""

    class Denied(Ok):
        def check_permissions(self, request):
            raise exceptions.PermissionDenied()

    assert call(Denied.as_view(), rf.get("/")).status_code == 403


def test_sync_handle_exception_override_is_honoured():
    """V-ASYNC-035 W2"""

    class Handled(Open):
        def handle_exception(self, exc):
            return Response({"handled": type(exc).__name__}, status=418)

        async def get(self, request):
            raise exceptions.NotFound()

    response = call(Handled.as_view(), rf.get("/"))
    assert response.status_code == 418 and response.data == {"handled": "NotFound"}


def test_async_override_wins_over_sync_override():
    """W2: when both are overridden the async hook is used."""

    class Both(Open):
        def check_permissions(self, request):
            raise exceptions.PermissionDenied()

        async def acheck_permissions(self, request):
            return None

        async def get(self, request):
            return Response({})

    assert call(Both.as_view(), rf.get("/")).status_code == 200


@pytest.mark.django_db
def test_sync_check_throttles_and_perform_authentication_overrides():
    """W2"""
    calls = []

    class Hooks(Open):
        def perform_authentication(self, request):
            calls.append(("auth", Item.objects.count()))

        def check_throttles(self, request):
            calls.append(("throttle", Item.objects.count()))
            self.throttled(request, 3)

        async def get(self, request):
            return Response({})

    response = call(Hooks.as_view(), rf.get("/"))
    assert response.status_code == 429
    assert calls == [("auth", 0), ("throttle", 0)]


# Async helpers -------------------------------------------------------------------------


class AsyncValidating(ValueSerializer):
    calls: list = []

    async def ais_valid(self, *, raise_exception=False):
        AsyncValidating.calls.append("ais_valid")
        return self.is_valid(raise_exception=raise_exception)


def _view(cls=Open, method="get", path="/", data=None, **attrs):
    view = type("V", (cls,), attrs)()
    view.args, view.kwargs = (), {}
    view.request = view.initialize_request(getattr(rf, method)(path, data, format="json"))
    view.format_kwarg = None
    return view


def test_avalidated_serializer_prefers_ais_valid():
    """V-ASYNC-036 V-ASYNC-037"""
    AsyncValidating.calls = []
    view = _view(method="post", data={"value": 1}, serializer_class=AsyncValidating)
    assert arun(view.avalidated_serializer).validated_data == {"value": 1}
    assert AsyncValidating.calls == ["ais_valid"]
    plain = _view(method="post", data={"value": 2}, serializer_class=ValueSerializer)
    assert arun(plain.avalidated_serializer).validated_data == {"value": 2}
    with pytest.raises(exceptions.ValidationError):
        arun(plain.avalidated_serializer, data={"value": "x"})

    class Post(Open):
        serializer_class = ValueSerializer

        async def post(self, request):
            await self.avalidated_serializer()
            return Response({})

    assert call(Post.as_view(), rf.post("/", {"value": "x"}, format="json")).status_code == 400


def test_aserialized_response():
    """V-ASYNC-038 V-ASYNC-043"""
    view = _view(serializer_class=ValueSerializer)
    response = arun(view.aserialized_response, Obj(1))
    assert response.status_code == 200 and response.data == {"value": 1}
    many = arun(
        view.aserialized_response, [Obj(1), Obj(2)], many=True, status=201, headers={"X-H": "1"}
    )
    assert many.status_code == 201 and len(many.data) == 2 and many["X-H"] == "1"


class Page2(PageNumberPagination):
    page_size = 2


class AsyncPage2(Page2):
    async def apaginate_queryset(self, queryset, request, view=None):
        return self.paginate_queryset(queryset, request, view)


class AsyncNonePage(Page2):
    async def apaginate_queryset(self, queryset, request, view=None):
        return None


def test_apaginated_response():
    """V-ASYNC-039 V-ASYNC-040 V-ASYNC-043"""
    items = [Obj(i) for i in range(5)]
    view = _view(serializer_class=ValueSerializer)
    assert len(arun(view.apaginated_response, items).data) == 5
    for paginator in (AsyncPage2, Page2):
        paged = _view(serializer_class=ValueSerializer, pagination_class=paginator)
        response = arun(paged.apaginated_response, items, headers={"X-H": "2"})
        assert response.data["count"] == 5 and len(response.data["results"]) == 2
        assert response["X-H"] == "2"
    none = _view(serializer_class=ValueSerializer, pagination_class=AsyncNonePage)
    assert len(arun(none.apaginated_response, items).data) == 5


class ExtraValue(ValueSerializer):
    from rest_framework import serializers as _s

    extra = _s.IntegerField()


def test_post_fetch_prefers_afetch():
    """V-ASYNC-041"""
    used = []

    class Both:
        def fetch(self, items):
            used.append("fetch")

        async def afetch(self, items):
            used.append("afetch")
            for item in items:
                item.extra = 1

    class SyncOnly:
        def fetch(self, items):
            used.append("fetch")
            for item in items:
                item.extra = 2

    view = _view(serializer_class=ExtraValue)
    data = arun(view.aserialized_response, [Obj(1)], many=True, post_fetches=[Both()]).data
    assert data[0]["extra"] == 1 and used == ["afetch"]
    data = arun(view.aserialized_response, [Obj(1)], many=True, post_fetches=[SyncOnly()]).data
    assert data[0]["extra"] == 2 and used == ["afetch", "fetch"]


@pytest.mark.django_db
def test_post_fetch_over_lazy_queryset():
    """V-ASYNC-042 W6"""
    from rest_framework import serializers

    item = Item.objects.create(integer_field=1)
    Note.objects.create(item=item, name="first")

    class WithNote(serializers.ModelSerializer):
        note = serializers.SerializerMethodField()

        class Meta:
            model = Item
            fields = ["id", "note"]

        def get_note(self, obj):
            return obj.note["name"] if obj.note else None

    view = _view(serializer_class=WithNote)
    fetch = PostFetch(Note.objects.all(), "note", ["name"], item_id="id")
    response = arun(view.aserialized_response, Item.objects.all(), many=True, post_fetches=[fetch])
    assert response.data == [{"id": item.id, "note": "first"}]


def test_streaming_response_keeps_content_type_and_gets_allow():
    """V-ASYNC-044"""

    class Stream(Open):
        async def get(self, request):
            return NDJSONResponse([{"a": 1}])

    response = call(Stream.as_view(), rf.get("/"))
    assert response["Content-Type"] == "application/x-ndjson"
    assert "GET" in response["Allow"]


def test_wrapped_attribute_error_from_authenticator():
    """W16: an AttributeError inside an authenticator is not swallowed by Request.__getattr__."""

    class Broken(BaseAuthentication):
        async def aauthenticate(self, request):
            raise AttributeError("oops")

    view = type("V", (WhoAmI,), {"authentication_classes": [Broken]}).as_view()
    from rest_framework.request import WrappedAttributeError

    with pytest.raises(WrappedAttributeError):
        call(view, rf.get("/"))


@override_settings(DEBUG=False)
def test_plain_http_response_from_handler():
    """A Django HttpResponse passes through finalize untouched apart from headers."""

    class Plain(Open):
        async def get(self, request):
            return HttpResponse("hi")

    assert call(Plain.as_view(), rf.get("/")).content == b"hi"


@pytest.mark.django_db
def test_lazy_authentication_with_builtin_permission_stays_off_loop():
    """W1: ``perform_authentication`` doing nothing (DRF's lazy idiom) + ``IsAuthenticated``:
    the first read of ``request.user`` (which authenticates, querying) runs in the worker."""
    User.objects.create(username="orm")

    class Lazy(AsyncAPIView):
        authentication_classes = [OrmAuth]
        permission_classes = [IsAuthenticated]

        def perform_authentication(self, request):
            pass

        async def get(self, request):
            return Response({"ok": True})

    assert call(Lazy.as_view(), rf.get("/")).status_code == 200


def test_multipart_body_parsed_off_loop():
    """Multipart parsing may write uploads to disk: it runs in the worker."""
    import threading

    from rest_framework.parsers import MultiPartParser

    seen = {}

    class Recording(MultiPartParser):
        def parse(self, stream, media_type=None, parser_context=None):
            seen["thread"] = threading.current_thread()
            return super().parse(stream, media_type, parser_context)

    class Upload(Open):
        serializer_class = ValueSerializer
        parser_classes = [Recording]

        async def post(self, request):
            serializer = await self.avalidated_serializer()
            return Response(serializer.validated_data)

    response = call(Upload.as_view(), rf.post("/", {"value": "5"}, format="multipart"))
    assert response.data == {"value": 5}
    assert seen["thread"] is threading.current_thread()  # the worker is the test thread
