from django.urls import path

from tests.core.stack import views

urlpatterns = [
    path("echo/", views.EchoView.as_view()),
    path("any/", views.AnyMethodView.as_view()),
    path("headers/", views.HeadersView.as_view()),
    path("redirect/<int:status>/", views.redirect_view),
    path("private/", views.PrivateView.as_view()),
    path("whoami/", views.SessionWhoAmI.as_view()),
    path("errors/not-found/", views.AsyncNotFoundView.as_view()),
    path("errors/payment/", views.AsyncPaymentView.as_view()),
    path("errors/auth-default/", views.AsyncAuthDefaultView.as_view()),
    path("errors/basic/", views.AsyncBasicView.as_view()),
    path("errors/get-only/", views.AsyncGetOnlyView.as_view()),
    path("errors/boom/", views.AsyncBoomView.as_view()),
    path("errors/sync-boom/", views.SyncBoomView.as_view()),
    path("errors/atomic/", views.AtomicNoteView.as_view()),
    path("errors/custom-denial/", views.CustomDenialView.as_view()),
    path("auth/basic/async/", views.AsyncBasicView.as_view()),
    path("auth/basic/sync/", views.SyncBasicView.as_view()),
    path("auth/token/async/", views.AsyncTokenView.as_view()),
    path("auth/token/sync/", views.SyncTokenView.as_view()),
    path("auth/multi/async/", views.AsyncMultiAuthView.as_view()),
    path("auth/multi/sync/", views.SyncMultiAuthView.as_view()),
    path("perms/async-only-deny/", views.SyncViewWithAsyncOnlyDeny.as_view()),
    path("perms/model/", views.ModelPermsView.as_view()),
    path("perms/drf-model/", views.DrfModelPermsView.as_view()),
    path("throttle/async/", views.AsyncThrottledView.as_view()),
    path("throttle/sync/", views.SyncThrottledView.as_view()),
    path("throttle/anon/async/", views.AsyncAnonView.as_view()),
    path("throttle/anon/sync/", views.SyncAnonView.as_view()),
    path("throttle/user/async/", views.AsyncUserView.as_view()),
    path("throttle/user/sync/", views.SyncUserView.as_view()),
    path("throttle/scoped/async/", views.AsyncScopedView.as_view()),
    path("throttle/scoped/sync/", views.SyncScopedView.as_view()),
    path("throttle/unscoped/async/", views.AsyncUnscopedView.as_view()),
    path("items/", views.AsyncItemsView.as_view()),
    path("items/limit/", views.AsyncLimitItemsView.as_view()),
    path("items/fast/", views.AsyncFastItemsView.as_view()),
    path("items/cursor/", views.AsyncCursorItemsView.as_view()),
    path("items/drf/", views.DrfItemsView.as_view()),
]

for _kind in views.PROPERTY_PAGINATORS:
    _sync, _async = views.property_views(_kind)
    urlpatterns += [path(f"prop/{_kind}/sync/", _sync), path(f"prop/{_kind}/async/", _async)]
