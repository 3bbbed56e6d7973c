"""``SimpleJWTAuthentication`` (A-SJWT, W-22)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.test import override_settings
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.tokens import AccessToken as SimpleAccessToken
from rest_framework_simplejwt.utils import get_md5_hash_password

from restflow.authentication.simplejwt import SimpleJWTAuthentication
from tests.auth.helpers import bearer, factory, run, with_header

pytestmark = pytest.mark.django_db
SIMPLE_JWT = {"SIGNING_KEY": "simplejwt-tests-" + "s" * 48}


@pytest.fixture(autouse=True)
def _simple_jwt():
    with override_settings(SIMPLE_JWT=SIMPLE_JWT):
        yield


def token_for(user) -> str:
    return str(SimpleAccessToken.for_user(user))


def test_valid_token(user):
    """A-SJWT-001"""
    found, validated = run(SimpleJWTAuthentication().aauthenticate, bearer(token_for(user)))
    assert found == user and str(validated["user_id"]) == str(user.pk)


def test_none_cases(monkeypatch):
    """A-SJWT-002"""
    auth = SimpleJWTAuthentication()
    assert run(auth.aauthenticate, factory().get("/")) is None
    assert run(auth.aauthenticate, with_header("OAuth x")) is None
    monkeypatch.setattr(auth, "get_raw_token", lambda header: None)
    assert run(auth.aauthenticate, bearer("anything")) is None


def test_garbage_keeps_structured_detail():
    """A-SJWT-003 (W-22 b)"""
    with pytest.raises(InvalidToken) as info:
        run(SimpleJWTAuthentication().aauthenticate, bearer("garbage.not.token"))
    detail = info.value.detail
    assert detail["code"] == "token_not_valid"
    assert str(detail["detail"]) == "Given token not valid for any token type"
    assert isinstance(detail["messages"], list)
    with pytest.raises(AuthenticationFailed) as bad:
        run(SimpleJWTAuthentication().aauthenticate, with_header("Bearer a b"))
    assert bad.value.detail["code"] == "bad_authorization_header"


def test_inactive(user):
    """A-SJWT-004"""
    token = token_for(user)
    user.is_active = False
    user.save()
    with pytest.raises(AuthenticationFailed, match="inactive"):
        run(SimpleJWTAuthentication().aauthenticate, bearer(token))


def test_aget_user(user, django_user_model):
    """A-SJWT-005"""
    auth = SimpleJWTAuthentication()
    assert run(auth.aget_user, {"user_id": user.pk}) == user
    with pytest.raises(AuthenticationFailed, match="user identification"):
        run(auth.aget_user, {})
    with pytest.raises(AuthenticationFailed, match="not found") as info:
        run(auth.aget_user, {"user_id": 999_999})
    assert info.value.get_codes() == "user_not_found"
    off = django_user_model.objects.create_user(username="off", is_active=False)
    with pytest.raises(AuthenticationFailed, match="inactive"):
        run(auth.aget_user, {"user_id": off.pk})


def test_settings_read_at_call_time(user):
    """A-SJWT-006 (W-22 a): no module reload needed"""
    settings = {**SIMPLE_JWT, "CHECK_REVOKE_TOKEN": True, "REVOKE_TOKEN_CLAIM": "hash_password"}
    with override_settings(SIMPLE_JWT=settings):
        payload = {"user_id": user.pk, "hash_password": "stale"}
        with pytest.raises(AuthenticationFailed, match="password") as info:
            run(SimpleJWTAuthentication().aget_user, payload)
        assert info.value.get_codes() == "password_changed"
        fresh = {"user_id": user.pk, "hash_password": get_md5_hash_password(user.password)}
        assert run(SimpleJWTAuthentication().aget_user, fresh) == user


def test_header_and_sync_path(user):
    """A-SJWT-007"""
    auth = SimpleJWTAuthentication()
    assert auth.authenticate_header(None) == 'Bearer realm="api"'
    found, _ = auth.authenticate(bearer(token_for(user)))
    assert found == user
    with pytest.raises(InvalidToken):
        auth.authenticate(bearer("garbage"))


def test_validation_runs_off_the_loop(user, monkeypatch):
    """W-22 c: get_validated_token may hit the ORM, so it runs in a worker thread"""
    import threading

    seen = {}
    original = SimpleJWTAuthentication.get_validated_token

    def spy(self, raw):
        seen["thread"] = threading.current_thread()
        return original(self, raw)

    monkeypatch.setattr(SimpleJWTAuthentication, "get_validated_token", spy)

    async def go():
        seen["loop_thread"] = threading.current_thread()
        return await SimpleJWTAuthentication().aauthenticate(bearer(token_for(user)))

    run(go)
    assert seen["thread"] is not seen["loop_thread"]


def test_missing_simplejwt_message():
    """W-22 d: the ImportError names the package and the install command"""
    code = (
        "import sys; sys.modules['rest_framework_simplejwt'] = None\n"
        "try:\n"
        "    import restflow.authentication.simplejwt\n"
        "except ImportError as exc:\n"
        "    msg = str(exc)\n"
        "    assert msg.startswith('djangorestframework-simplejwt is not installed.'), msg\n"
        "    assert 'pip install \"restflow-auth[simplejwt]\"' in msg, msg\n"
        "else:\n"
        "    raise SystemExit('no ImportError')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
