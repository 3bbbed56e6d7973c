"""Minimal sync and async views that use serializers the way restflow views do (views.md §13).

Duck-typed on purpose: ``ais_valid``/``asave`` when the serializer has them, the sync
twins in a worker thread otherwise, ``.data`` through a thread hop. Errors go through the
configured DRF exception handler, so the HTTP status and body are what a real view sends.
"""

import json

from asgiref.sync import sync_to_async
from django.http import HttpResponse
from rest_framework.exceptions import APIException, ParseError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from tests.serializers.app.models import SampleModel


def _render(response: Response) -> HttpResponse:
    return HttpResponse(
        JSONRenderer().render(response.data),
        status=response.status_code,
        content_type="application/json",
    )


def _instance_from(serializer):
    data = dict(serializer.validated_data)
    return {"integer_field": data.get("integer_field", 0)}


def sync_view(request_class, response_class):
    class View(APIView):
        authentication_classes = ()
        permission_classes = ()

        def post(self, request):
            serializer = request_class(data=request.data, context={"request": request})
            serializer.is_valid(raise_exception=True)
            if hasattr(serializer.Meta if hasattr(serializer, "Meta") else None, "model"):
                instance = serializer.save()
            else:
                instance = SampleModel.objects.create(**_instance_from(serializer))
            body = response_class(instance, context={"request": request}).data
            return Response(body, status=201)

    return View.as_view()


def async_view(request_class, response_class):
    async def view(request):
        try:
            try:
                payload = json.loads(request.body or b"null")
            except ValueError as exc:
                raise ParseError(f"JSON parse error - {exc}") from exc
            serializer = request_class(data=payload, context={"request": request})
            if hasattr(serializer, "ais_valid"):
                await serializer.ais_valid(raise_exception=True)
            else:
                await sync_to_async(serializer.is_valid)(raise_exception=True)
            if hasattr(getattr(serializer, "Meta", None), "model"):
                instance = await serializer.asave()
            else:
                instance = await SampleModel.objects.acreate(**_instance_from(serializer))
            out = response_class(instance, context={"request": request})
            body = await sync_to_async(lambda: out.data, thread_sensitive=True)()
            return _render(Response(body, status=201))
        except APIException as exc:
            response = api_settings.EXCEPTION_HANDLER(exc, {"request": request, "view": None})
            if response is None:
                raise
            return _render(response)

    return view
