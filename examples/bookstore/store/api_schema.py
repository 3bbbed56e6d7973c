"""restflow.spectacular in the example: the OpenAPI document of every route.

GET /api/schema/   -> the OpenAPI 3 document (YAML by default, ``?format=json`` for JSON)

settings.py enables ``RestflowAutoSchema`` through ``DEFAULT_SCHEMA_CLASS``, so restflow's
request/response split, ActionConfigs, paginators and FilterSets are all documented.
"""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

urlpatterns = [
    path("", SpectacularAPIView.as_view(), name="schema"),
]
