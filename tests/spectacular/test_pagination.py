"""Pagination in the document comes from the paginator the view resolves (§2.5)."""

from __future__ import annotations

from django.urls import path
from rest_framework.routers import SimpleRouter

from restflow.pagination import (
    CursorPagination,
    FastPageNumberPagination,
    LimitOffsetPagination,
    PageNumberPagination,
)
from restflow.views import ActionConfig, AsyncListAPIView, AsyncModelViewSet
from tests.spectacular.app.models import Widget
from tests.spectacular.helpers import (
    WidgetSerializer,
    component,
    generate,
    parameter_names,
    ref,
    response_schema,
)


class Pages(PageNumberPagination):
    page_size = 10


def listing(pagination_class, **attrs):
    attrs = {
        "queryset": Widget.objects.all(),
        "serializer_class": WidgetSerializer,
        "pagination_class": pagination_class,
        **attrs,
    }
    return type("Listing", (AsyncListAPIView,), attrs).as_view()


def test_list_path_containing_the_lookup_name_is_a_list():
    """A-SCHEMA-012 W-27: `/pkgs/` contains `pk` but has no `{pk}` variable."""
    schema = generate([path("pkgs/", listing(Pages))])
    assert response_schema(schema, "/pkgs/") == ref("PaginatedWidgetList")
    assert "page" in parameter_names(schema, "/pkgs/")


def test_pagination_only_from_action_config():
    """A-SCHEMA-013 W-28"""

    class Widgets(AsyncModelViewSet):
        queryset = Widget.objects.all()
        serializer_class = WidgetSerializer
        pagination_class = None
        action_configs = {"list": ActionConfig(pagination_class=Pages)}

    router = SimpleRouter()
    router.register("widgets", Widgets, basename="widgets")
    schema = generate(router.urls)
    assert response_schema(schema, "/widgets/") == ref("PaginatedWidgetList")
    assert "page" in parameter_names(schema, "/widgets/")


def test_pagination_from_get_pagination_class():
    """A-SCHEMA-013 W-28: a `get_pagination_class()` override is what the document shows."""
    view = listing(None, get_pagination_class=lambda self: Pages)
    schema = generate([path("items/", view)])
    assert response_schema(schema, "/items/") == ref("PaginatedWidgetList")
    assert "page" in parameter_names(schema, "/items/")


def paginated(base, **attrs):
    """The envelope component and query parameters of a list paginated by ``base``."""
    paginator = type(base.__name__, (base,), {"page_size": 10, **attrs})
    schema = generate([path("items/", listing(paginator))])
    assert response_schema(schema, "/items/") == ref("PaginatedWidgetList")
    return component(schema, "PaginatedWidgetList"), parameter_names(schema, "/items/")


def test_fast_page_number_envelope_has_no_count():
    """A-SCHEMA-014 W-30"""
    envelope, parameters = paginated(FastPageNumberPagination)
    assert set(envelope["properties"]) == {"next", "previous", "results"}
    assert envelope["required"] == ["results"]
    assert envelope["properties"]["results"] == {"type": "array", "items": ref("Widget")}
    assert "page" in parameters


def test_cursor_envelope_and_parameter():
    """A-SCHEMA-014"""
    envelope, parameters = paginated(CursorPagination, ordering="id")
    assert "count" not in envelope["properties"]
    assert {"next", "previous", "results"} <= set(envelope["properties"])
    assert envelope["required"] == ["results"]  # on every DRF (3.14's envelope had none)
    assert "cursor" in parameters


def test_limit_offset_envelope_and_parameters():
    """A-SCHEMA-014"""
    envelope, parameters = paginated(LimitOffsetPagination, default_limit=10)
    assert {"count", "next", "previous", "results"} == set(envelope["properties"])
    assert set(envelope["required"]) == {"count", "results"}
    assert {"limit", "offset"} <= set(parameters)


def test_page_number_envelope_and_page_size_parameter():
    """A-SCHEMA-005: the envelope of §2.5 and the optional page size parameter."""
    envelope, parameters = paginated(PageNumberPagination, page_size_query_param="size")
    assert set(envelope["required"]) == {"count", "results"}
    assert envelope["properties"]["count"]["type"] == "integer"
    assert envelope["properties"]["next"]["nullable"] is True
    assert {"page", "size"} <= set(parameters)
