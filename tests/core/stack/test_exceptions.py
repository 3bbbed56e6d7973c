"""The error envelope (stack.md §1): S-EXC-*, weaknesses 3, 4, 6, 7, 8, 18."""

from __future__ import annotations

import json
import logging
import warnings

import pytest
from django.core import exceptions as django_exceptions
from django.http import Http404
from django.test import override_settings
from rest_framework import exceptions as drf
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response

from restflow.exceptions import APIException, ErrorCode, exception_handler, format_error
from restflow.test import AsyncAPIClient
from tests.core.stack.app.models import Item, Note

CTX = {"view": None, "args": (), "kwargs": {}, "request": None}
URLS = "tests.core.stack.urls"


def handle(exc):
    return exception_handler(exc, CTX)


def error(exc):
    response = handle(exc)
    assert set(response.data) == {"error"}
    assert list(response.data["error"]) == ["code", "message", "details"]
    return response.status_code, response.data["error"]


def rendered(response) -> str:
    return json.dumps(response.data, default=str)


# --- APIException and format_error ----------------------------------------------------------


def test_api_exception_default_code():
    """S-EXC-001"""
    assert APIException("boom").code == "internal_error"


def test_api_exception_custom_code():
    """S-EXC-002"""
    assert handle(APIException("boom", code="custom_oops")).data["error"]["code"] == "custom_oops"


def test_api_exception_enum_code_renders_value():
    """S-EXC-003"""
    _, body = error(APIException("boom", code=ErrorCode.SERVICE_UNAVAILABLE))
    assert body["code"] == "service_unavailable"
    assert type(body["code"]) is str


def test_api_exception_status_override():
    """S-EXC-004"""
    assert handle(APIException("boom", status_code=418)).status_code == 418


def test_api_exception_all_keywords():
    """S-EXC-005"""
    exc = APIException("boom", code=ErrorCode.CONFLICT, details={"k": 1}, status_code=409)
    status, body = error(exc)
    assert (status, body["code"], body["details"], body["message"]) == (
        409,
        "conflict",
        {"k": 1},
        "boom",
    )


def test_api_exception_subclass_class_attributes():
    """S-EXC-006"""

    class AlreadyExists(APIException):
        status_code = 409
        default_detail = "Already exists."
        code = "conflict"

    assert error(AlreadyExists()) == (
        409,
        {"code": "conflict", "message": "Already exists.", "details": {}},
    )


def test_api_exception_subclass_with_details():
    """S-EXC-007"""

    class PaymentRequired(APIException):
        status_code = 402
        code = "payment_required"

    status, body = error(PaymentRequired(details={"hint": "subscribe"}))
    assert (status, body["code"], body["details"]) == (
        402,
        "payment_required",
        {"hint": "subscribe"},
    )


def test_api_exception_enum_class_attribute():
    """S-EXC-005: an ErrorCode class attribute renders as its value (spec 1.5 example)."""

    class StaleRevision(APIException):
        status_code = 409
        code = ErrorCode.CONFLICT
        default_detail = "The record changed since you loaded it."

    _, body = error(StaleRevision(details={"current_revision": 7}))
    assert body == {
        "code": "conflict",
        "message": "The record changed since you loaded it.",
        "details": {"current_revision": 7},
    }
    assert "ErrorCode" not in rendered(handle(StaleRevision()))


def test_api_exception_code_is_keyword_only():
    """S-EXC-005: a positional second argument is a TypeError."""
    with pytest.raises(TypeError):
        APIException("x", "quota")  # type: ignore[misc]


def test_format_error_enum():
    """S-EXC-008"""
    assert format_error(ErrorCode.NOT_FOUND, "x") == {
        "error": {"code": "not_found", "message": "x", "details": {}}
    }


def test_format_error_string_code_and_details():
    """S-EXC-009"""
    assert format_error("custom_code", "msg", {"k": 1}) == {
        "error": {"code": "custom_code", "message": "msg", "details": {"k": 1}}
    }


def test_format_error_details_kept_unchanged():
    """S-EXC-010"""
    details = {"a": 1, "b": [2, 3]}
    body = format_error("x", "msg", details)
    assert body["error"]["details"] == {"a": 1, "b": [2, 3]}
    assert body["error"]["details"] is details
    assert list(body["error"]) == ["code", "message", "details"]


def test_format_error_without_details():
    """S-EXC-011"""
    assert format_error("x", "m", None)["error"]["details"] == {}
    assert format_error("x", "m")["error"]["details"] == {}
    assert format_error("x", "m", {})["error"]["details"] == {}


# --- one row per DRF / Django exception -----------------------------------------------------


def test_not_authenticated():
    """S-EXC-012"""
    status, body = error(drf.NotAuthenticated())
    assert (status, body["code"]) == (401, "not_authenticated")
    assert body["message"] == "Authentication credentials were not provided."


def test_authentication_failed():
    """S-EXC-013"""
    status, body = error(drf.AuthenticationFailed("bad"))
    assert (status, body["code"]) == (401, "authentication_failed")
    assert "bad" in body["message"]


def test_drf_permission_denied():
    """S-EXC-014"""
    assert error(drf.PermissionDenied()) == (
        403,
        {
            "code": "permission_denied",
            "message": "You do not have permission to perform this action.",
            "details": {},
        },
    )


def test_django_permission_denied_with_text():
    """S-EXC-015"""
    assert error(django_exceptions.PermissionDenied("denied")) == (
        403,
        {"code": "permission_denied", "message": "denied", "details": {}},
    )


def test_django_permission_denied_without_text():
    """S-EXC-016"""
    assert error(django_exceptions.PermissionDenied())[1]["message"] == "Permission denied."


def test_drf_not_found():
    """S-EXC-017"""
    assert error(drf.NotFound()) == (
        404,
        {"code": "not_found", "message": "Not found.", "details": {}},
    )


def test_http404_never_exposes_text():
    """S-EXC-018"""
    assert error(Http404("missing /secret/path")) == (
        404,
        {"code": "not_found", "message": "Resource not found.", "details": {}},
    )


def test_does_not_exist_is_404_and_logged(caplog):
    """S-EXC-019, W-18 (ObjectDoesNotExist kept as 404 but logged with its traceback)."""
    assert error(django_exceptions.ObjectDoesNotExist())[0] == 404
    with caplog.at_level(logging.DEBUG, logger="restflow.exceptions"):
        try:
            raise Item.DoesNotExist("Item matching query does not exist.")
        except Item.DoesNotExist as exc:
            status, body = error(exc)
    assert (status, body["message"]) == (404, "Resource not found.")
    record = next(r for r in caplog.records if r.name == "restflow.exceptions")
    assert record.exc_info and record.exc_info[0] is Item.DoesNotExist


def test_method_not_allowed():
    """S-EXC-020"""
    status, body = error(drf.MethodNotAllowed("POST"))
    assert (status, body["code"], body["message"]) == (
        405,
        "method_not_allowed",
        'Method "POST" not allowed.',
    )


def test_not_acceptable():
    """S-EXC-021"""
    status, body = error(drf.NotAcceptable())
    assert (status, body["code"], body["message"]) == (
        406,
        "not_acceptable",
        "Could not satisfy the request Accept header.",
    )


def test_unsupported_media_type():
    """S-EXC-022"""
    status, body = error(drf.UnsupportedMediaType("application/x-foo"))
    assert (status, body["code"]) == (415, "unsupported_media_type")
    assert body["message"] == 'Unsupported media type "application/x-foo" in request.'


def test_parse_error():
    """S-EXC-023"""
    assert error(drf.ParseError()) == (
        400,
        {"code": "parse_error", "message": "Malformed request.", "details": {}},
    )


def test_throttled_with_wait():
    """S-EXC-024"""
    response = handle(drf.Throttled(wait=12))
    assert response.status_code == 429
    assert response.data["error"]["code"] == "throttled"
    assert response.data["error"]["details"] == {"retry_after_seconds": 12}
    assert (
        response.data["error"]["message"]
        == "Request was throttled. Expected available in 12 seconds."
    )


def test_throttled_without_wait():
    """S-EXC-025"""
    response = handle(drf.Throttled())
    assert response.status_code == 429
    assert response.data["error"]["details"] == {}
    assert response.data["error"]["message"] == "Request was throttled."
    assert "Retry-After" not in response


def test_throttled_zero_wait():
    """S-EXC-026"""
    response = handle(drf.Throttled(wait=0))
    assert response.data["error"]["details"] == {"retry_after_seconds": 0}
    assert "Retry-After" not in response


def test_throttled_fractional_wait_rounds_up():
    """S-EXC-027"""
    response = handle(drf.Throttled(wait=1.7))
    assert response.data["error"]["details"]["retry_after_seconds"] == 2
    assert type(response.data["error"]["details"]["retry_after_seconds"]) is int
    assert response["Retry-After"] == "2"
    assert (
        response.data["error"]["message"]
        == "Request was throttled. Expected available in 2 seconds."
    )


def test_throttled_custom_detail_and_singular():
    """S-EXC-024: custom detail replaces the first sentence; singular second."""
    assert handle(drf.Throttled(5, "slow down")).data["error"]["message"] == (
        "slow down Expected available in 5 seconds."
    )
    assert handle(drf.Throttled(1)).data["error"]["message"].endswith("in 1 second.")


# --- validation -----------------------------------------------------------------------------


def test_validation_error_dict():
    """S-EXC-028"""
    assert error(drf.ValidationError({"name": ["Required."]})) == (
        400,
        {
            "code": "validation_error",
            "message": "Request validation failed.",
            "details": {"name": ["Required."]},
        },
    )


def test_validation_error_list():
    """S-EXC-029"""
    assert error(drf.ValidationError(["Bad input"]))[1]["details"] == {
        "non_field_errors": ["Bad input"]
    }


def test_validation_error_two_messages():
    """S-EXC-030"""
    details = error(drf.ValidationError(["err1", "err2"]))[1]["details"]
    assert details == {"non_field_errors": ["err1", "err2"]}


def test_validation_error_nested():
    """S-EXC-031"""
    details = error(drf.ValidationError({"address": {"city": ["Required."]}}))[1]["details"]
    assert details == {"address": {"city": ["Required."]}}


def test_validation_error_mixed_values():
    """S-EXC-032"""
    details = error(drf.ValidationError({"a": ["err1"], "b": "single", "c": {"nested": ["deep"]}}))[
        1
    ]["details"]
    assert details == {"a": ["err1"], "b": "single", "c": {"nested": ["deep"]}}


def test_validation_error_scalar_error_detail():
    """S-EXC-033"""
    details = error(drf.ValidationError(ErrorDetail("oops")))[1]["details"]
    assert details == {"non_field_errors": ["oops"]}


def test_validation_error_single_error_detail_value_is_plain_string():
    """S-EXC-034"""
    details = error(drf.ValidationError({"name": ErrorDetail("required")}))[1]["details"]
    assert details == {"name": "required"}
    assert type(details["name"]) is str


def test_django_validation_error_string():
    """S-EXC-035"""
    status, body = error(django_exceptions.ValidationError("just-a-string"))
    assert (status, body["code"]) == (400, "validation_error")
    assert body["details"] == {"non_field_errors": ["just-a-string"]}


def test_django_validation_error_list():
    """S-EXC-036"""
    body = error(django_exceptions.ValidationError(["err1", "err2"]))[1]
    assert body["code"] == "validation_error"
    assert body["details"] == {"non_field_errors": ["err1", "err2"]}


def test_django_validation_error_dict():
    """S-EXC-037"""
    status, body = error(django_exceptions.ValidationError({"email": ["Invalid."], "x": "y"}))
    assert status == 400
    assert body["details"] == {"email": ["Invalid."], "x": ["y"]}


def test_django_validation_error_params_interpolated():
    """S-EXC-038"""
    body = error(django_exceptions.ValidationError("Value %(v)s bad", params={"v": 3}))[1]
    assert body["details"] == {"non_field_errors": ["Value 3 bad"]}
    assert body["message"] == "Request validation failed."


def test_custom_drf_exception_falls_through_to_internal_error():
    """S-EXC-039, W-06 (no repr of DRF's own response as message)"""

    class Teapot(drf.APIException):
        status_code = 418
        default_detail = "I am a teapot."
        default_code = "teapot"

    assert error(Teapot()) == (
        418,
        {"code": "internal_error", "message": "I am a teapot.", "details": {}},
    )


@pytest.mark.parametrize(
    "exc", [RuntimeError("x"), KeyError("k"), ValueError(), ZeroDivisionError()]
)
def test_unexpected_exceptions_are_not_handled(exc):
    """S-EXC-040"""
    assert handle(exc) is None


# --- through views --------------------------------------------------------------------------


class _SyncValidationView:
    @staticmethod
    def build():
        from rest_framework.views import APIView

        class View(APIView):
            authentication_classes: list = []
            permission_classes: list = []

            def get(self, request):
                raise serializers.ValidationError({"x": ["bad"]})

            def post(self, request):
                raise serializers.ValidationError({"field": ["Bad."]})

        return View.as_view()


def test_sync_view_renders_envelope(envelope, rf):
    """S-EXC-041"""
    response = _SyncValidationView.build()(rf.get("/x/"))
    response.render()
    body = json.loads(response.content)
    assert body["error"]["code"] == "validation_error"
    assert body["error"]["details"]["x"] == ["bad"]


def test_sync_view_post_body_bytes(envelope, rf):
    """S-EXC-042"""
    response = _SyncValidationView.build()(rf.post("/x/", {}, format="json"))
    response.render()
    assert b'"validation_error"' in response.content
    assert b'"field"' in response.content


@pytest.mark.urls(URLS)
async def test_async_view_not_found(envelope):
    """S-EXC-043"""
    response = await AsyncAPIClient().get("/errors/not-found/")
    assert response.status_code == 404
    assert response.json()["error"] == {"code": "not_found", "message": "not here", "details": {}}


@pytest.mark.urls(URLS)
async def test_async_default_authenticators_anonymous_is_403_not_authenticated(envelope):
    """S-EXC-044"""
    response = await AsyncAPIClient().get("/errors/auth-default/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_authenticated"
    assert "WWW-Authenticate" not in response


@pytest.mark.urls(URLS)
async def test_async_basic_anonymous_401_with_challenge(envelope):
    """S-EXC-045, W-04 (WWW-Authenticate kept)"""
    response = await AsyncAPIClient().get("/errors/basic/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == 'Basic realm="api"'


@pytest.mark.urls(URLS)
@pytest.mark.django_db(transaction=True)
async def test_async_basic_wrong_password(envelope):
    """S-EXC-046"""
    from base64 import b64encode

    from tests.core.stack.users import acreate_user

    await acreate_user("ann", password="right")
    token = b64encode(b"ann:wrong").decode()
    response = await AsyncAPIClient().get("/errors/basic/", HTTP_AUTHORIZATION=f"Basic {token}")
    assert response.status_code == 401
    assert response.json()["error"] == {
        "code": "authentication_failed",
        "message": "Invalid username/password.",
        "details": {},
    }
    assert response["WWW-Authenticate"] == 'Basic realm="api"'


@pytest.mark.urls(URLS)
async def test_async_custom_api_exception(envelope):
    """S-EXC-047"""
    response = await AsyncAPIClient().get("/errors/payment/")
    assert response.status_code == 402
    assert response.json() == {
        "error": {
            "code": "payment_required",
            "message": "payment required",
            "details": {"plan": "pro"},
        }
    }


async def test_async_exception_handler_is_awaited():
    """S-EXC-048"""
    from restflow.test import AsyncAPIRequestFactory
    from restflow.views import AsyncAPIView

    async def async_handler(exc, context):
        return Response({"async": True}, status=599)

    class View(AsyncAPIView):
        authentication_classes: list = []
        permission_classes: list = []

        def get_exception_handler(self):
            return async_handler

        async def get(self, request):
            raise drf.NotFound()

    response = await View.as_view()(AsyncAPIRequestFactory().get("/x/"))
    assert response.status_code == 599
    assert response.data == {"async": True}


@pytest.mark.urls(URLS)
async def test_throttled_view_retry_after_matches_envelope(envelope):
    """S-EXC-049, W-04 (Retry-After kept)"""
    client = AsyncAPIClient()
    for _ in range(2):
        assert (await client.get("/throttle/async/")).status_code == 200
    response = await client.get("/throttle/async/")
    assert response.status_code == 429
    seconds = response.json()["error"]["details"]["retry_after_seconds"]
    assert response["Retry-After"] == str(seconds)
    assert seconds > 0


@pytest.mark.urls(URLS)
@pytest.mark.django_db(transaction=True)
def test_atomic_requests_rolls_back_handled_error(envelope):
    """S-EXC-050, W-03 (set_rollback on every rendered error)"""
    from django.db import connections
    from django.test import Client

    connections["default"].settings_dict["ATOMIC_REQUESTS"] = True
    try:
        response = Client().post("/errors/atomic/", "{}", content_type="application/json")
    finally:
        connections["default"].settings_dict["ATOMIC_REQUESTS"] = False
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert not Note.objects.exists()


@pytest.mark.postgres
@pytest.mark.urls(URLS)
@pytest.mark.django_db(transaction=True)
def test_atomic_requests_rolls_back_on_postgres(envelope):
    """S-EXC-050, W-03 on real PostgreSQL"""
    from django.db import connection
    from django.test import Client

    assert connection.vendor == "postgresql"
    connection.settings_dict["ATOMIC_REQUESTS"] = True
    try:
        response = Client().post("/errors/atomic/", "{}", content_type="application/json")
    finally:
        connection.settings_dict["ATOMIC_REQUESTS"] = False
    assert response.status_code == 400
    assert Note.objects.count() == 0


@pytest.mark.django_db
def test_handler_marks_rollback_inside_atomic_block():
    """S-EXC-050, W-03: every rendered kind marks the atomic block, Django ones included."""
    from django.db import connection, transaction

    kinds = [
        drf.ValidationError("x"),
        django_exceptions.ValidationError("x"),
        Http404(),
        django_exceptions.PermissionDenied(),
        APIException("x"),
        drf.ParseError(),
    ]
    connection.settings_dict["ATOMIC_REQUESTS"] = True
    try:
        for exc in kinds:
            with transaction.atomic():
                assert handle(exc) is not None
                assert connection.get_rollback() is True
                transaction.set_rollback(False)
    finally:
        connection.settings_dict["ATOMIC_REQUESTS"] = False


class _ListStyle(serializers.Serializer):
    name = serializers.CharField()


def _list_style_errors(data):
    """Errors of a top-level many=True serializer in DRF's list style."""
    serializer = serializers.ListSerializer(child=_ListStyle(), data=data)
    with override_settings(REST_FRAMEWORK={"LIST_SERIALIZER_ERRORS_AS_DICT": False}):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # DRF deprecates the list style; it still exists
            assert not serializer.is_valid()
        return serializer.errors


def test_list_style_many_errors_no_repr():
    """S-EXC-051, W-06"""
    errors = [{"name": [ErrorDetail("This field is required.", code="required")]}, {}]
    response = handle(drf.ValidationError(errors))
    assert response.data["error"]["details"] == {
        "non_field_errors": [{"name": ["This field is required."]}, {}]
    }
    assert "ErrorDetail(" not in rendered(response)
    # and with errors produced by a real serializer
    errors = _list_style_errors([{}, {"name": "ok"}])
    assert isinstance(errors, list) and errors[1] == {}
    real = handle(drf.ValidationError(errors))
    assert real.data["error"]["details"] == {
        "non_field_errors": [{"name": ["This field is required."]}, {}]
    }
    assert "ErrorDetail(" not in rendered(real)


def test_nested_many_list_style_errors():
    """S-EXC-052, W-06"""
    detail = {"items": [{}, {"name": [ErrorDetail("This field is required.", code="required")]}]}
    details = handle(drf.ValidationError(detail)).data["error"]["details"]
    assert details == {"items": [{}, {"name": ["This field is required."]}]}


def test_dict_style_list_errors_integer_keys():
    """S-EXC-053"""
    detail = {"tags": {1: [ErrorDetail("A valid integer is required.", code="invalid")]}}
    response = handle(drf.ValidationError(detail))
    assert response.data["error"]["details"] == {"tags": {1: ["A valid integer is required."]}}
    response.accepted_renderer = __import__("rest_framework.renderers").renderers.JSONRenderer()
    response.accepted_media_type = "application/json"
    response.renderer_context = {}
    assert json.loads(response.rendered_content)["error"]["details"] == {
        "tags": {"1": ["A valid integer is required."]}
    }


def test_custom_non_field_errors_key_both_branches(settings):
    """S-EXC-054, W-07"""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NON_FIELD_ERRORS_KEY": "errors"}
    assert handle(drf.ValidationError(["x"])).data["error"]["details"] == {"errors": ["x"]}
    assert handle(django_exceptions.ValidationError("x")).data["error"]["details"] == {
        "errors": ["x"]
    }


def test_api_exception_dict_detail_no_repr():
    """S-EXC-055, W-06"""
    response = handle(APIException({"a": ["b"]}))
    assert response.data["error"]["message"] == "A server error occurred."
    assert response.data["error"]["details"] == {"a": ["b"]}
    assert "ErrorDetail" not in rendered(response)
    listed = handle(APIException(["a", "b"]))
    assert listed.data["error"]["message"] == "A server error occurred."
    assert listed.data["error"]["details"] == {"non_field_errors": ["a", "b"]}


def test_api_exception_explicit_details_win_over_structured_detail():
    """S-EXC-055: details=... supplied explicitly is kept as given."""
    response = handle(APIException({"a": ["b"]}, details={"mine": 1}))
    assert response.data["error"]["details"] == {"mine": 1}


def test_api_exception_codes_agree():
    """S-EXC-056, W-08"""
    exc = APIException("x", code="quota")
    assert exc.get_codes() == "quota"
    assert exc.detail.code == "quota"

    class Quota(APIException):
        code = "over_quota"

    assert Quota().get_codes() == "over_quota"
    assert APIException().get_codes() == "internal_error"


@pytest.mark.urls(URLS)
async def test_put_without_handler_is_405_with_allow(envelope):
    """S-EXC-057"""
    response = await AsyncAPIClient().put("/errors/get-only/", {"a": 1})
    assert response.status_code == 405
    assert response.json()["error"] == {
        "code": "method_not_allowed",
        "message": 'Method "PUT" not allowed.',
        "details": {},
    }
    allowed = {m.strip() for m in response["Allow"].split(",")}
    assert {"GET", "POST"} <= allowed


@pytest.mark.urls(URLS)
async def test_malformed_json_is_parse_error(envelope):
    """S-EXC-058"""
    response = await AsyncAPIClient().post(
        "/errors/get-only/", data="{bad", content_type="application/json"
    )
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "parse_error"
    assert body["message"].startswith("JSON parse error - ")


@pytest.mark.urls(URLS)
async def test_unacceptable_accept_header(envelope):
    """S-EXC-059"""
    response = await AsyncAPIClient().get("/errors/get-only/", HTTP_ACCEPT="application/xml")
    assert response.status_code == 406
    assert json.loads(response.content)["error"]["code"] == "not_acceptable"


@pytest.mark.urls(URLS)
async def test_unsupported_media_type_view(envelope):
    """S-EXC-060"""
    response = await AsyncAPIClient().post(
        "/errors/get-only/", data="abc", content_type="application/x-foo"
    )
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
    assert "application/x-foo" in response.json()["error"]["message"]


@pytest.mark.urls(URLS)
@pytest.mark.parametrize("path", ["/errors/boom/", "/errors/sync-boom/"])
async def test_unexpected_error_without_debug_is_plain_500(envelope, settings, path):
    """S-EXC-061"""
    settings.DEBUG = False
    response = await AsyncAPIClient(raise_request_exception=False).get(path)
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert b'"error"' not in response.content


@pytest.mark.urls(URLS)
@pytest.mark.parametrize("path", ["/errors/boom/", "/errors/sync-boom/"])
async def test_unexpected_error_with_debug_is_technical_page(envelope, settings, path):
    """S-EXC-062"""
    settings.DEBUG = True
    response = await AsyncAPIClient(raise_request_exception=False).get(path)
    assert response.status_code == 500
    assert b"RuntimeError" in response.content
    assert b'"error": {' not in response.content


@pytest.mark.urls(URLS)
async def test_unexpected_error_reraised_by_test_client(envelope):
    """S-EXC-061: the default client re-raises the exception."""
    with pytest.raises(RuntimeError, match="boom"):
        await AsyncAPIClient().get("/errors/boom/")


def test_error_code_members():
    """S-EXC-063"""
    expected = {
        "NOT_AUTHENTICATED": "not_authenticated",
        "AUTHENTICATION_FAILED": "authentication_failed",
        "PERMISSION_DENIED": "permission_denied",
        "VALIDATION_ERROR": "validation_error",
        "PARSE_ERROR": "parse_error",
        "NOT_FOUND": "not_found",
        "METHOD_NOT_ALLOWED": "method_not_allowed",
        "UNSUPPORTED_MEDIA_TYPE": "unsupported_media_type",
        "NOT_ACCEPTABLE": "not_acceptable",
        "THROTTLED": "throttled",
        "CONFLICT": "conflict",
        "INTERNAL_ERROR": "internal_error",
        "SERVICE_UNAVAILABLE": "service_unavailable",
    }
    assert {member.name: member.value for member in ErrorCode} == expected
    assert ErrorCode.NOT_FOUND == "not_found"
    assert str(ErrorCode.NOT_FOUND) == "not_found"


def test_permission_denied_dict_detail():
    """S-EXC-065, W-06"""
    response = handle(drf.PermissionDenied({"reason": "x"}))
    assert response.status_code == 403
    assert response.data["error"] == {
        "code": "permission_denied",
        "message": "You do not have permission to perform this action.",
        "details": {"reason": "x"},
    }
    assert "ErrorDetail" not in rendered(response)


def test_throttled_structured_detail_merges_retry_after():
    """S-EXC-065: list/dict detail in row 12 merges retry_after_seconds."""
    exc = drf.Throttled(wait=3)
    exc.detail = {"reason": ErrorDetail("busy")}
    details = handle(exc).data["error"]["details"]
    assert details == {"reason": "busy", "retry_after_seconds": 3}


def test_auth_header_copied():
    """W-04: exc.auth_header becomes WWW-Authenticate."""
    exc = drf.NotAuthenticated()
    exc.auth_header = 'Bearer realm="api"'
    assert handle(exc)["WWW-Authenticate"] == 'Bearer realm="api"'


def test_restflow_subclass_of_drf_not_found_keeps_its_code():
    """S-EXC-002: row 1 wins over the DRF rows."""

    class Gone(APIException, drf.NotFound):
        status_code = 410
        code = "gone"

    assert error(Gone("bye"))[:2] == (410, {"code": "gone", "message": "bye", "details": {}})
