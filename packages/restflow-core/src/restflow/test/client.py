"""Async request factory and test client for DRF and restflow views (stack.md §5).

Headers are built in one place (:meth:`_HeaderMixin.generic`): constructor defaults,
``headers=``, ``HTTP_*``/``CONTENT_*`` keyword arguments and stored credentials all become
real ASGI headers, each sent once (credentials win, like DRF's ``APIClient``).
"""

from __future__ import annotations

import asyncio
from http import HTTPStatus
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import unquote_to_bytes, urlencode, urljoin, urlsplit

from asgiref.sync import sync_to_async
from django.conf import settings
from django.test import AsyncClient, AsyncRequestFactory
from django.test.client import AsyncClientHandler, ClientMixin, FakePayload, RedirectCycleError
from django.utils.encoding import force_bytes
from rest_framework.settings import api_settings

_HEADER_PREFIXES = ("HTTP_", "CONTENT_")
_REDIRECTS = {301, 302, 303, 307, 308}
_SAME_METHOD_REDIRECTS = {HTTPStatus.TEMPORARY_REDIRECT, HTTPStatus.PERMANENT_REDIRECT}


def _renderer_classes() -> dict[str, type]:
    """Renderers by format, from ``TEST_REQUEST_RENDERER_CLASSES`` (read on every call)."""
    return {cls.format: cls for cls in api_settings.TEST_REQUEST_RENDERER_CLASSES}


def _encode_data(
    data: Any = None, format: str | None = None, content_type: str | None = None
) -> tuple[bytes, str | None]:
    """Encode a request body: ``(body bytes, content type)``."""
    if data is None:
        return b"", content_type or "application/octet-stream"
    assert format is None or content_type is None, "May not set both `format` and `content_type`."
    if content_type:
        return force_bytes(data, settings.DEFAULT_CHARSET), content_type
    renderers = _renderer_classes()
    format = format or "json"
    assert format in renderers, "Invalid format '{}'. Available formats are {}.".format(
        format, ", ".join(f"'{name}'" for name in renderers)
    )
    renderer = renderers[format]()
    body = renderer.render(data)
    media_type = renderer.media_type
    if renderer.charset:
        media_type = f"{media_type}; charset={renderer.charset}"
    if isinstance(body, str):
        body = body.encode(renderer.charset or settings.DEFAULT_CHARSET)
    return body, media_type


def _header_name(key: str) -> str:
    """``HTTP_X_API_TOKEN`` -> ``x-api-token``; ``CONTENT_LANGUAGE`` -> ``content-language``."""
    if key.startswith("HTTP_"):
        key = key[len("HTTP_") :]
    return key.lower().replace("_", "-")


def _scope_path(parsed: Any) -> str:
    """The ASGI ``path`` of a split URL, as Django >= 5.0 builds it (4.2's ``_get_path``
    expects a ``urlparse`` result, so it is not used)."""
    return unquote_to_bytes(parsed.path).decode("iso-8859-1")


def _is_header_key(key: str) -> bool:
    return key.startswith(_HEADER_PREFIXES)


def force_authenticate(request: Any, user: Any = None, token: Any = None) -> None:
    """Make DRF see ``request`` as authenticated by ``user``/``token`` (both ``None``: not)."""
    request._force_auth_user = user
    request._force_auth_token = token


class _HeaderMixin:
    """Builds the ASGI scope of a request with every header exactly once."""

    default_format = "json"
    _default_headers: dict[str, str]

    def _split_defaults(self, defaults: dict[str, Any]) -> dict[str, Any]:
        """Keep header defaults (``HTTP_*``, ``CONTENT_*``, ``headers=``) as real headers.

        ``query_params=`` becomes the default query string here rather than in Django,
        whose constructors only accept it from 5.1 on.
        """
        self._default_headers = {
            _header_name(key): str(value) for key, value in defaults.items() if _is_header_key(key)
        }
        for name, value in (defaults.pop("headers", None) or {}).items():
            self._default_headers[name.lower()] = str(value)
        query_params = defaults.pop("query_params", None)
        if query_params:
            defaults["QUERY_STRING"] = urlencode(query_params, doseq=True)
        return {key: value for key, value in defaults.items() if not _is_header_key(key)}

    def _encode(
        self, data: Any, format: str | None, content_type: str | None
    ) -> tuple[bytes, str | None]:
        if format is None and content_type is None:
            format = self.default_format
        return _encode_data(data, format, content_type)

    def generic(
        self,
        method: str,
        path: str,
        data: Any = "",
        content_type: str | None = "application/octet-stream",
        secure: bool = False,
        *,
        headers: dict[str, Any] | None = None,
        query_params: dict[str, Any] | None = None,
        **extra: Any,
    ) -> Any:
        parsed = urlsplit(str(path))
        body = force_bytes(data, settings.DEFAULT_CHARSET)
        scope: dict[str, Any] = {
            "method": method,
            "path": _scope_path(parsed),
            "server": ("127.0.0.1", "443" if secure else "80"),
            "scheme": "https" if secure else "http",
        }
        values: dict[str, str] = {"host": "testserver", **self._default_headers}
        if body:
            values["content-length"] = str(len(body))
            values["content-type"] = content_type or "application/octet-stream"
            scope["_body_file"] = FakePayload(body)
        defaults = self.defaults  # type: ignore[attr-defined]
        query_string = extra.pop("QUERY_STRING", None) or defaults.get("QUERY_STRING")
        if query_params:
            scope["query_string"] = urlencode(query_params, doseq=True)
        else:
            scope["query_string"] = query_string or parsed.query
        remote_addr = extra.pop("REMOTE_ADDR", None) or defaults.get("REMOTE_ADDR")
        if remote_addr:
            scope["client"] = [remote_addr, 0]
        for name, value in (headers or {}).items():
            values[name.lower()] = str(value)
        for key in [key for key in extra if _is_header_key(key)]:
            values[_header_name(key)] = str(extra.pop(key))
        scope.update(extra)
        scope["headers"] = [
            (name.encode("latin-1"), value.encode("latin-1")) for name, value in values.items()
        ]
        return self.request(**scope)  # type: ignore[attr-defined]


class AsyncAPIRequestFactory(_HeaderMixin, AsyncRequestFactory):
    """Builds ``ASGIRequest`` objects for calling views directly (no middleware, no URLconf)."""

    def __init__(self, enforce_csrf_checks: bool = False, **defaults: Any) -> None:
        self.enforce_csrf_checks = enforce_csrf_checks
        super().__init__(**self._split_defaults(defaults))

    def _body_request(
        self,
        method: str,
        path: str,
        data: Any,
        format: str | None,
        content_type: str | None,
        extra: dict[str, Any],
    ) -> Any:
        body, media_type = self._encode(data, format, content_type)
        return self.generic(method, path, body, media_type, **extra)

    def post(
        self,
        path: str,
        data: Any = None,
        format: str | None = None,
        content_type: str | None = None,
        **extra: Any,
    ) -> Any:
        return self._body_request("POST", path, data, format, content_type, extra)

    def put(
        self,
        path: str,
        data: Any = None,
        format: str | None = None,
        content_type: str | None = None,
        **extra: Any,
    ) -> Any:
        return self._body_request("PUT", path, data, format, content_type, extra)

    def patch(
        self,
        path: str,
        data: Any = None,
        format: str | None = None,
        content_type: str | None = None,
        **extra: Any,
    ) -> Any:
        return self._body_request("PATCH", path, data, format, content_type, extra)

    def delete(
        self,
        path: str,
        data: Any = None,
        format: str | None = None,
        content_type: str | None = None,
        **extra: Any,
    ) -> Any:
        return self._body_request("DELETE", path, data, format, content_type, extra)

    def options(
        self,
        path: str,
        data: Any = None,
        format: str | None = None,
        content_type: str | None = None,
        **extra: Any,
    ) -> Any:
        return self._body_request("OPTIONS", path, data, format, content_type, extra)

    def request(self, **scope: Any) -> Any:
        request = super().request(**scope)
        request._dont_enforce_csrf_checks = not self.enforce_csrf_checks
        return request


class ForceAuthClientHandler(AsyncClientHandler):
    """ASGI test handler that force-authenticates every request it is given credentials for."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._force_user: Any = None
        self._force_token: Any = None
        super().__init__(*args, **kwargs)

    async def get_response_async(self, request: Any) -> Any:
        force_authenticate(request, self._force_user, self._force_token)
        return await super().get_response_async(request)


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class AsyncAPIClient(_HeaderMixin, AsyncClient):
    """Django's ``AsyncClient`` with DRF's conveniences: JSON bodies, credentials, force-auth."""

    def __init__(self, enforce_csrf_checks: bool = False, **defaults: Any) -> None:
        super().__init__(enforce_csrf_checks, **self._split_defaults(defaults))
        self.handler = ForceAuthClientHandler(enforce_csrf_checks)
        self._credentials: dict[str, str] = {}

    def credentials(self, **kwargs: Any) -> None:
        """Replace the headers sent with every following request (``credentials()`` clears)."""
        for key in kwargs:
            if not _is_header_key(key):
                raise ValueError(
                    f"credentials() got {key!r}: keys must start with HTTP_ or CONTENT_ "
                    "(e.g. HTTP_AUTHORIZATION)."
                )
        self._credentials = {_header_name(key): str(value) for key, value in kwargs.items()}

    def force_authenticate(self, user: Any = None, token: Any = None) -> None:
        """Force-authenticate every following request; ``(None, None)`` stops forcing."""
        self.handler._force_user = user
        self.handler._force_token = token

    async def request(self, **scope: Any) -> Any:
        if self._credentials:
            headers = [
                (name, value)
                for name, value in scope.get("headers", [])
                if name.decode("latin-1") not in self._credentials
            ]
            headers += [
                (name.encode("latin-1"), value.encode("latin-1"))
                for name, value in self._credentials.items()
            ]
            scope["headers"] = headers
        return await super().request(**scope)

    async def _follow_redirects(
        self, response: Any, body: bytes, content_type: str | None, secure: bool, extra: Any
    ) -> Any:
        """Follow redirects the same way on every Django (4.2's ``AsyncClient`` cannot; 5.x's
        fails on relative and 307/308 locations).

        307/308 repeat the request (method and body) at the new location, every other
        redirect is a GET of it; relative locations resolve against the request's path.
        ``response.redirect_chain`` lists ``(location, status)``; a loop or more than 20
        hops raises ``RedirectCycleError``.
        """
        chain: list[tuple[str, int]] = []
        response.redirect_chain = chain
        extra = {k: v for k, v in extra.items() if k not in ("QUERY_STRING", "query_params")}
        while response.status_code in _REDIRECTS:
            location = response["Location"]
            chain.append((location, response.status_code))
            url = urlsplit(location)
            path = urljoin(response.request["path"], url.path or ("/" if url.netloc else ""))
            hop = {**extra, "QUERY_STRING": url.query}
            if url.hostname:
                hop["HTTP_HOST"] = url.hostname
            if url.scheme:
                secure = url.scheme == "https"
            if response.status_code in _SAME_METHOD_REDIRECTS:
                method = response.request["method"]
                response = await self.generic(method, path, body, content_type, secure, **hop)
            else:
                response = await self.generic("GET", path, secure=secure, **hop)
            response.redirect_chain = chain
            if chain[-1] in chain[:-1]:
                raise RedirectCycleError("Redirect loop detected.", last_response=response)
            if len(chain) > 20:
                raise RedirectCycleError("Too many redirects.", last_response=response)
        return response

    async def get(
        self,
        path: str,
        data: Any = None,
        follow: bool = False,
        secure: bool = False,
        **extra: Any,
    ) -> Any:
        response = await super().get(path, data, secure=secure, **extra)
        if follow:
            response = await self._follow_redirects(response, b"", None, secure, extra)
        return response

    async def head(
        self,
        path: str,
        data: Any = None,
        follow: bool = False,
        secure: bool = False,
        **extra: Any,
    ) -> Any:
        response = await super().head(path, data, secure=secure, **extra)
        if follow:
            response = await self._follow_redirects(response, b"", None, secure, extra)
        return response

    async def _body_request(
        self,
        method: str,
        path: str,
        data: Any,
        format: str | None,
        content_type: str | None,
        follow: bool,
        secure: bool,
        extra: dict[str, Any],
    ) -> Any:
        body, media_type = self._encode(data, format, content_type)
        response = await self.generic(method, path, body, media_type, secure=secure, **extra)
        if follow:
            response = await self._follow_redirects(response, body, media_type, secure, extra)
        return response

    async def post(
        self,
        path: str,
        data: Any = None,
        format: str | None = None,
        content_type: str | None = None,
        follow: bool = False,
        secure: bool = False,
        **extra: Any,
    ) -> Any:
        return await self._body_request(
            "POST", path, data, format, content_type, follow, secure, extra
        )

    async def put(
        self,
        path: str,
        data: Any = None,
        format: str | None = None,
        content_type: str | None = None,
        follow: bool = False,
        secure: bool = False,
        **extra: Any,
    ) -> Any:
        return await self._body_request(
            "PUT", path, data, format, content_type, follow, secure, extra
        )

    async def patch(
        self,
        path: str,
        data: Any = None,
        format: str | None = None,
        content_type: str | None = None,
        follow: bool = False,
        secure: bool = False,
        **extra: Any,
    ) -> Any:
        return await self._body_request(
            "PATCH", path, data, format, content_type, follow, secure, extra
        )

    async def delete(
        self,
        path: str,
        data: Any = None,
        format: str | None = None,
        content_type: str | None = None,
        follow: bool = False,
        secure: bool = False,
        **extra: Any,
    ) -> Any:
        return await self._body_request(
            "DELETE", path, data, format, content_type, follow, secure, extra
        )

    async def options(
        self,
        path: str,
        data: Any = None,
        format: str | None = None,
        content_type: str | None = None,
        follow: bool = False,
        secure: bool = False,
        **extra: Any,
    ) -> Any:
        return await self._body_request(
            "OPTIONS", path, data, format, content_type, follow, secure, extra
        )

    def _forget_credentials(self) -> None:
        self._credentials = {}
        self.force_authenticate(None, None)

    def _has_session(self) -> bool:
        return settings.SESSION_COOKIE_NAME in self.cookies

    def logout(self) -> None:
        """Forget credentials and force-auth, then end the session (async code: ``alogout``)."""
        self._forget_credentials()
        if not self._has_session():
            self.cookies = SimpleCookie()
            return
        if _loop_running():
            raise RuntimeError(
                "AsyncAPIClient.logout() cannot flush the session while an event loop is "
                "running in this thread; use `await client.alogout()`."
            )
        ClientMixin.logout(self)

    async def alogout(self) -> None:
        """Forget credentials and force-auth and end the session, without blocking the loop."""
        self._forget_credentials()
        if not self._has_session():
            self.cookies = SimpleCookie()
            return
        native = getattr(ClientMixin, "alogout", None)
        if native is not None:
            await native(self)
        else:  # Django 4.2
            await sync_to_async(ClientMixin.logout, thread_sensitive=True)(self)


async def _alogin_in_worker(self: AsyncAPIClient, **credentials: Any) -> bool:
    """``alogin`` for Django 4.2, whose ``AsyncClient`` has none."""
    return bool(await sync_to_async(self.login, thread_sensitive=True)(**credentials))


async def _aforce_login_in_worker(
    self: AsyncAPIClient, user: Any, backend: str | None = None
) -> None:
    """``aforce_login`` for Django 4.2, whose ``AsyncClient`` has none."""
    await sync_to_async(self.force_login, thread_sensitive=True)(user, backend)


if not hasattr(AsyncClient, "alogin"):  # Django 4.2
    AsyncAPIClient.alogin = _alogin_in_worker
    AsyncAPIClient.aforce_login = _aforce_login_in_worker
