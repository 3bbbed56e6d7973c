"""URLs of the views tests (``override_settings(ROOT_URLCONF="tests.core.views.urls")``)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from tests.core.views import endpoints

router = DefaultRouter()
router.register("async-items", endpoints.ItemViewSet, basename="async-item")
router.register("sync-items", endpoints.SyncItemViewSet, basename="sync-item")
router.register("ro-items", endpoints.ReadOnlyItems, basename="ro-item")
router.register("plain", endpoints.PlainViewSet, basename="plain")
router.register("generic", endpoints.SyncGenericItems, basename="generic")

urlpatterns = [
    path("sync/verbs/", endpoints.SyncVerbs.as_view()),
    path("async/items/", endpoints.ItemList.as_view()),
    path("async/items/<int:pk>/", endpoints.ItemDetail.as_view()),
    path("async/stream/json/", endpoints.StreamJSON.as_view()),
    path("async/stream/ndjson/", endpoints.StreamNDJSON.as_view()),
    path("async/stream/sse/", endpoints.StreamSSE.as_view()),
    path("async/stream/protected/", endpoints.ProtectedStream.as_view()),
    path("async/stream/slow/", endpoints.SlowStream.as_view()),
    path("async/stream/status/", endpoints.SlowStreamStatus.as_view()),
    path("", include(router.urls)),
]
