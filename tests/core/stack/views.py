"""Views the stack tests request through ``AsyncAPIClient`` (URLconf: ``urls.py`` here)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from rest_framework import authentication, exceptions, serializers
from rest_framework import generics as drf_generics
from rest_framework import views as drf_views
from rest_framework.response import Response

from restflow import pagination, permissions, throttling
from restflow.exceptions import APIException
from restflow.views import AsyncAPIView, AsyncListAPIView
from tests.core.stack.app.models import ApiToken, Item, Note


class NameSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=20)


class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Item
        fields = ["id", "name", "choice_field"]


def _echo(request):
    return {
        "method": request.method,
        "data": request.data,
        "content_type": request.META.get("CONTENT_TYPE", ""),
    }


class EchoView(AsyncAPIView):
    authentication_classes: list = []
    permission_classes: list = []

    async def get(self, request):
        return Response({"method": "GET", "query": request.query_params.dict()})

    async def post(self, request):
        serializer = NameSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data)

    async def put(self, request):
        return Response(_echo(request))

    async def patch(self, request):
        return Response(_echo(request))

    async def delete(self, request):
        return Response(_echo(request))

    async def options(self, request):
        return Response(_echo(request))


class AnyMethodView(AsyncAPIView):
    """Echoes bodies for every verb (bodyless requests must not be a 415)."""

    authentication_classes: list = []
    permission_classes: list = []

    async def post(self, request):
        return Response(_echo(request))

    put = patch = delete = options = post

    async def get(self, request):
        return Response(_echo(request))


def redirect_view(request, status):
    """Answers ``status`` with ``Location: ?to=``, or itself without ``to`` (a loop), for
    the test client's ``follow=``."""
    response = HttpResponse(status=status)
    response["Location"] = request.GET.get("to") or request.get_full_path()
    return response


class HeadersView(AsyncAPIView):
    authentication_classes: list = []
    permission_classes: list = []

    async def get(self, request):
        meta = {k: v for k, v in request.META.items() if k.startswith(("HTTP_", "CONTENT_"))}
        return Response(meta)


class RejectAnonymous(permissions.BasePermission):
    async def ahas_permission(self, request, view):
        return not isinstance(request.user, AnonymousUser)


class PrivateView(AsyncAPIView):
    permission_classes = [RejectAnonymous]

    async def get(self, request):
        return Response({"user": str(request.user)})


class SessionWhoAmI(AsyncAPIView):
    authentication_classes = [authentication.SessionAuthentication]
    permission_classes = [permissions.IsAuthenticated]

    async def get(self, request):
        return Response({"user": request.user.get_username()})


# --- errors ---------------------------------------------------------------------------------


class AsyncNotFoundView(AsyncAPIView):
    authentication_classes: list = []
    permission_classes: list = []

    async def get(self, request):
        raise exceptions.NotFound("not here")


class AsyncPaymentView(AsyncAPIView):
    authentication_classes: list = []
    permission_classes: list = []

    async def get(self, request):
        raise APIException(
            "payment required", code="payment_required", details={"plan": "pro"}, status_code=402
        )


class AsyncAuthDefaultView(AsyncAPIView):
    """Default authenticators (Session, Basic): no challenge from the first → 403."""

    permission_classes = [permissions.IsAuthenticated]

    async def get(self, request):
        return Response({"ok": True})


class AsyncBasicView(AsyncAPIView):
    authentication_classes = [authentication.BasicAuthentication]
    permission_classes = [permissions.IsAuthenticated]

    async def get(self, request):
        return Response({"user": request.user.get_username()})


class StackTokenAuthentication(authentication.TokenAuthentication):
    model = ApiToken


class SyncBasicView(drf_views.APIView):
    authentication_classes = [authentication.BasicAuthentication]
    permission_classes = [permissions.IsAuthenticated]

    def get(self, request):
        return Response({"user": request.user.get_username()})


class AsyncTokenView(AsyncBasicView):
    authentication_classes = [StackTokenAuthentication]


class SyncTokenView(SyncBasicView):
    authentication_classes = [StackTokenAuthentication]


class AsyncMultiAuthView(AsyncBasicView):
    authentication_classes = [authentication.BasicAuthentication, StackTokenAuthentication]


class SyncMultiAuthView(SyncBasicView):
    authentication_classes = [authentication.BasicAuthentication, StackTokenAuthentication]


class AsyncGetOnlyView(AsyncAPIView):
    authentication_classes: list = []
    permission_classes: list = []

    async def get(self, request):
        return Response({"ok": True})

    async def post(self, request):
        return Response(request.data)


class AsyncBoomView(AsyncAPIView):
    authentication_classes: list = []
    permission_classes: list = []

    async def get(self, request):
        raise RuntimeError("boom")


class SyncBoomView(drf_views.APIView):
    authentication_classes: list = []
    permission_classes: list = []

    def get(self, request):
        raise RuntimeError("boom")


class AtomicNoteView(drf_views.APIView):
    authentication_classes: list = []
    permission_classes: list = []

    def post(self, request):
        Note.objects.create(text="written before the error")
        raise serializers.ValidationError({"text": ["Bad."]})


class DenyWithMessage(permissions.BasePermission):
    message = "Custom denial."

    def has_permission(self, request, view):
        return False


class CustomDenialView(AsyncAPIView):
    authentication_classes: list = []
    permission_classes = [DenyWithMessage]

    async def get(self, request):
        return Response({"ok": True})


# --- permissions on views -------------------------------------------------------------------


class AsyncOnlyDeny(permissions.BasePermission):
    async def ahas_permission(self, request, view):
        return False


class SyncViewWithAsyncOnlyDeny(drf_views.APIView):
    authentication_classes: list = []
    permission_classes = [AsyncOnlyDeny]

    def get(self, request):
        return Response({"secret": "protected body"})


class ModelPermsView(AsyncAPIView):
    """restflow DjangoModelPermissions on an async view."""

    authentication_classes = [authentication.BasicAuthentication]
    permission_classes = [permissions.DjangoModelPermissions]
    queryset = Item.objects.all()

    async def get(self, request):
        return Response({"ok": True})

    async def post(self, request):
        return Response({"created": True}, status=201)


class DrfModelPermsView(ModelPermsView):
    """DRF's own DjangoModelPermissions on an async view (sync-only operand)."""

    from rest_framework.permissions import DjangoModelPermissions as _DrfModelPerms

    permission_classes = [_DrfModelPerms]


# --- throttling -----------------------------------------------------------------------------


class FixedKeyThrottle(throttling.SimpleRateThrottle):
    rate = "2/min"

    def get_cache_key(self, request, view):
        return "throttle_fixed_views"


class AsyncThrottledView(AsyncAPIView):
    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes = [FixedKeyThrottle]

    async def get(self, request):
        return Response({"ok": True})


class SyncThrottledView(drf_views.APIView):
    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes = [FixedKeyThrottle]

    def get(self, request):
        return Response({"ok": True})


class AnonTwoPerMinute(throttling.AnonRateThrottle):
    rate = "2/min"


class AsyncAnonView(AsyncThrottledView):
    throttle_classes = [AnonTwoPerMinute]


class SyncAnonView(SyncThrottledView):
    throttle_classes = [AnonTwoPerMinute]


class UserOnePerMinute(throttling.UserRateThrottle):
    rate = "1/min"


class AsyncUserView(AsyncThrottledView):
    throttle_classes = [UserOnePerMinute]


class SyncUserView(SyncThrottledView):
    throttle_classes = [UserOnePerMinute]


class MatrixScoped(throttling.ScopedRateThrottle):
    THROTTLE_RATES = {"matrix-scope": "2/min"}


class AsyncScopedView(AsyncThrottledView):
    throttle_classes = [MatrixScoped]
    throttle_scope = "matrix-scope"


class SyncScopedView(SyncThrottledView):
    throttle_classes = [MatrixScoped]
    throttle_scope = "matrix-scope"


class AsyncUnscopedView(AsyncThrottledView):
    throttle_classes = [MatrixScoped]


# --- pagination -----------------------------------------------------------------------------


class PageOfThree(pagination.PageNumberPagination):
    page_size = 3


class LimitOfThree(pagination.LimitOffsetPagination):
    default_limit = 3


class FastOfThree(pagination.FastPageNumberPagination):
    page_size = 3


class CursorOfThree(pagination.CursorPagination):
    page_size = 3
    ordering = "id"


class AsyncItemsView(AsyncListAPIView):
    authentication_classes: list = []
    permission_classes: list = []
    queryset = Item.objects.all()
    serializer_class = ItemSerializer
    pagination_class = PageOfThree

    def get_queryset(self):
        queryset = super().get_queryset()
        choice = self.request.query_params.get("choice_field")
        return queryset.filter(choice_field=choice) if choice else queryset


class AsyncLimitItemsView(AsyncItemsView):
    pagination_class = LimitOfThree


class AsyncFastItemsView(AsyncItemsView):
    pagination_class = FastOfThree


class AsyncCursorItemsView(AsyncItemsView):
    pagination_class = CursorOfThree


class DrfItemsView(drf_generics.ListCreateAPIView):
    authentication_classes: list = []
    permission_classes: list = []
    queryset = Item.objects.all()
    serializer_class = ItemSerializer
    pagination_class = PageOfThree


# --- property tests: every paginator, sync (DRF generic) and async (restflow generic) -------


class SizedPage(pagination.PageNumberPagination):
    page_size = 3
    page_size_query_param = "size"


class SizedFast(pagination.FastPageNumberPagination):
    page_size = 3
    page_size_query_param = "size"


class SizedCursor(pagination.CursorPagination):
    page_size = 3
    page_size_query_param = "size"
    ordering = "id"


class UncountedPage(SizedPage):
    count_strategy = "none"


PROPERTY_PAGINATORS = {
    "page": SizedPage,
    "limit": LimitOfThree,
    "fast": SizedFast,
    "cursor": SizedCursor,
    "uncounted": UncountedPage,
}


def property_views(kind: str):
    attrs = {
        "authentication_classes": [],
        "permission_classes": [],
        "queryset": Item.objects.all(),
        "serializer_class": ItemSerializer,
        "pagination_class": PROPERTY_PAGINATORS[kind],
    }
    sync_view = type(f"Sync{kind}", (drf_generics.ListAPIView,), attrs)
    async_view = type(f"Async{kind}", (AsyncListAPIView,), attrs)
    return sync_view.as_view(), async_view.as_view()
