from django.http import HttpResponse
from django.urls import path


def _detail(request, pk):
    return HttpResponse(str(pk))


urlpatterns = [
    path("samplemodel-detail/<int:pk>/", _detail, name="samplemodel-detail"),
]
