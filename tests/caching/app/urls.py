from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from restflow.caching import InvalidationRule, cache_response
from tests.caching.app.models import SampleModel

RULE = [InvalidationRule(SampleModel, field_mapping={"pk": "pk"})]


class SampleDetail(APIView):
    @cache_response(invalidates_on=RULE)
    def get(self, request, pk):
        obj = SampleModel.objects.filter(pk=pk).first()
        return Response({"name": obj.name if obj else None})

    def delete(self, request, pk):
        SampleModel.objects.get(pk=pk).delete()
        return Response(status=204)

    def put(self, request, pk):
        obj = SampleModel.objects.get(pk=pk)
        obj.name = request.data["name"]
        obj.save()
        if request.data.get("fail"):
            raise RuntimeError("rolled back")
        return Response({"name": obj.name})


urlpatterns = [path("samples/<int:pk>/", SampleDetail.as_view())]
