"""The plain starting point of the example: an index of the API and a health check."""

from django.http import JsonResponse
from django.urls import path

from restflow.helpers import get_versions


async def index(request):
    return JsonResponse({"name": "restflow bookstore", "versions": get_versions()})


async def health(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [path("health/", health)]
