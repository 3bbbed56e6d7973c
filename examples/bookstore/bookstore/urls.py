"""Routes of the example. Each feature area lives in its own ``store/api_<area>.py``."""

from django.urls import include, path
from store import (
    api_auth,
    api_basic,
    api_caching,
    api_filters,
    api_schema,
    api_serializers,
    api_stack,
    api_views,
)

urlpatterns = [
    path("", api_basic.index),
    path("api/", include(api_basic.urlpatterns)),
    path("api/views/", include(api_views.urlpatterns)),
    path("api/auth/", include(api_auth.urlpatterns)),
    path("api/serializers/", include(api_serializers.urlpatterns)),
    path("api/stack/", include(api_stack.urlpatterns)),
    path("api/caching/", include(api_caching.urlpatterns)),
    path("api/filters/", include(api_filters.urlpatterns)),
    path("api/schema/", include(api_schema.urlpatterns)),
]
