"""``@cache_response``: cache rendered responses of DRF view handlers (caching.md §6).

The decorator sits on the handler, so DRF's ``initial()`` (authentication, permissions,
throttling, content negotiation) runs before every lookup. Keys are identity-safe by
default: an authenticated request adds its user's pk and a non-default negotiated media
type adds that type, both as suffix parts (anonymous default-type keys are unchanged).
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any

from asgiref.sync import sync_to_async
from django.http import HttpResponse, StreamingHttpResponse

from restflow.caching import storage
from restflow.caching.key_constructor import KeyConstructor, _settings_epoch
from restflow.caching.key_fields import (
    ArgsKeyField,
    QueryParamsKeyField,
    RequestValueKeyField,
    ViewKwargsKeyField,
    query_of,
    query_source,
    signature_of,
)
from restflow.caching.wrapper import (
    HIT,
    MISS,
    PRODUCE,
    RENDER,
    REVALIDATE,
    STALE,
    CachedWrapper,
    Steps,
    SyncCachedWrapper,
    set_response_cache_header,
)

__all__ = [
    "CachedResponseWrapper",
    "ResponseCacheKeyConstructor",
    "cache_response",
    "extract_view_and_request",
    "rebuild_http_response",
    "serialize_response",
]

logger = logging.getLogger("restflow.caching.cache_response")
_KEY_MEMO_SIZE = 1024


class ResponseCacheKeyConstructor(KeyConstructor):
    query_params = QueryParamsKeyField("*", hash_value=True)
    path_params = ViewKwargsKeyField("*", partition=True)

    class Meta:
        version = 1
        namespace = "ResponseCache"


def serialize_response(response: Any) -> tuple[bytes, int, dict[str, str]]:
    """The stored triple: content, status code, headers (no second render, W-24)."""
    return bytes(response.content), int(response.status_code), dict(response.items())


def rebuild_http_response(triple: tuple[bytes, int, dict[str, str]]) -> HttpResponse:
    content, status, headers = triple
    # Passing the stored type skips the default text/html header (and its failed lookup).
    response = HttpResponse(
        content=content, status=status, content_type=headers.get("Content-Type")
    )
    store = getattr(response.headers, "_store", None)
    if store is None:  # pragma: no cover - other Django versions
        for name, value in headers.items():
            response[name] = value
        return response
    # The stored values were validated when the original response was built.
    store.update({name.lower(): (name, value) for name, value in headers.items()})
    return response


def _reads_user(constructor: KeyConstructor) -> bool:
    for name, field in constructor.fields.items():
        if name in ("user", "user_id"):
            return True
        if isinstance(field, RequestValueKeyField) and field.path.split(".")[0] == "user":
            return True
        if isinstance(field, ArgsKeyField) and field.arguments in ("user", "user_id"):
            return True
    return False


def _base_type(media_type: str | None) -> str:
    return (media_type or "").split(";")[0].strip().lower()


class CachedResponseWrapper(SyncCachedWrapper):
    """Wrapper of a view handler; hits come back as plain ``HttpResponse`` objects."""

    def __init__(
        self,
        func: Callable[..., Any],
        key_constructor: Any = None,
        invalidates_on: Any = None,
        cache_if: Callable[..., Any] | None = None,
        cache_unless: Callable[..., Any] | None = None,
        ttl: Any = 3600,
        set_cache_headers: bool = False,
        *,
        cache_errors: bool = False,
        stale_ttl: int | None = None,
    ) -> None:
        super().__init__(
            func,
            key_constructor or ResponseCacheKeyConstructor,
            ttl,
            invalidates_on,
            cache_if,
            cache_unless,
            stale_ttl=stale_ttl,
        )
        self.set_cache_headers = set_cache_headers
        self.cache_errors = cache_errors
        self.is_async = inspect.iscoroutinefunction(func)
        if self.is_async:
            from asgiref.sync import markcoroutinefunction

            markcoroutinefunction(self)
        self._params = list(signature_of(func).parameters)
        self._reads_user = _reads_user(self.key_constructor)
        self._shared = self.key_constructor.shared
        # extract_view_and_request() for this signature, decided once.
        self._view_first = bool(self._params) and self._params[0] == "self"
        self._self_request = self._params[:2] == ["self", "request"]
        self._request_first = bool(self._params) and self._params[0] == "request"
        # The default constructor's key of a call without query parameters depends only
        # on the URL kwargs (and settings): memoised per kwargs (see ``_locate_for``).
        self._key_memo: dict[Any, tuple[str, list[str]]] | None = None
        if type(self.key_constructor) is ResponseCacheKeyConstructor and (
            self._self_request or self._request_first
        ):
            self._key_memo = {}
        self._positionals = 2 if self._self_request else 1
        self._warned = False

    # -- locating view, request and the identity-safe key ----------------------------

    def extract_view_and_request(self, args: tuple, kwargs: dict) -> tuple[Any, Any]:
        """``extract_view_and_request(args, kwargs, params)`` of this handler's signature."""
        return _view_and_request(
            args, kwargs, self._view_first, self._self_request, self._request_first
        )

    def _identity_parts(self, view: Any, request: Any) -> str:
        if request is None or self._shared:
            return ""
        extra = ""
        if not self._reads_user:
            user = getattr(request, "user", None)
            if user is not None and getattr(user, "is_authenticated", False):
                extra += f"::user:{user.pk}"
        media = getattr(request, "accepted_media_type", None)
        if media and view is not None:
            renderers = getattr(view, "renderer_classes", None) or ()
            first = renderers[0].media_type if renderers else None
            if first is not None and media != first:
                extra += f"::media:{media}"
        return extra

    def _locate(self, args: tuple, kwargs: dict) -> tuple[str, list[str]]:
        return self._locate_for(*self.extract_view_and_request(args, kwargs), args, kwargs)

    def _locate_for(
        self, view: Any, request: Any, args: tuple, kwargs: dict
    ) -> tuple[str, list[str]]:
        memo = self._key_memo
        token = None if memo is None else self._memo_token(request, args, kwargs)
        located = None if token is None else memo.get(token)  # type: ignore[union-attr]
        if located is None:
            located = super()._locate(args, kwargs)
            if token is not None:
                if len(memo) >= _KEY_MEMO_SIZE:  # type: ignore[arg-type]
                    memo.clear()  # type: ignore[union-attr]
                memo[token] = located  # type: ignore[index]
        key, gen_keys = located
        return key + self._identity_parts(view, request), gen_keys

    def _memo_token(self, request: Any, args: tuple, kwargs: dict) -> Any:
        """What the default key depends on for this call, or ``None`` when not memoisable:
        only the URL kwargs (``str``/``int`` values) when the request has no query
        parameters and no URL value is passed positionally."""
        if len(args) > self._positionals or request is None:
            return None
        if query_of(query_source(request)) is not None:
            return None
        items: tuple[Any, ...] = ()
        if kwargs:
            for value in kwargs.values():
                kind = type(value)
                if kind is not str and kind is not int:
                    return None
            items = tuple(kwargs.items())
        return (_settings_epoch[0], items)

    # -- storing and replaying ----------------------------------------------------------

    def _to_store(self, result: Any) -> Any:
        return serialize_response(result)

    def _from_store(self, value: Any, args: tuple, kwargs: dict) -> Any:
        if isinstance(value, tuple) and len(value) == 3:
            return rebuild_http_response(value)
        return value

    def _finalize(self, response: Any, args: tuple, kwargs: dict) -> Any:
        view, request = self.extract_view_and_request(args, kwargs)
        if view is not None and request is not None and hasattr(view, "finalize_response"):
            extra = {k: v for k, v in kwargs.items() if k != "request"}
            response = view.finalize_response(request, response, *args[2:], **extra)
        return response

    def _storable(self, response: Any, args: tuple, kwargs: dict) -> bool:
        if getattr(response, "streaming", False):
            return False
        if response.status_code >= 400 and not self.cache_errors:
            return False
        # Per-client responses are never shared (W-5/W-6): cookies are not replayed
        # anyway, and Cache-Control private/no-store says the body is not for others.
        if getattr(response, "cookies", None):
            return False
        cache_control = response.get("Cache-Control", "") if hasattr(response, "get") else ""
        if "private" in cache_control or "no-store" in cache_control:
            return False
        _, request = self.extract_view_and_request(args, kwargs)
        user = getattr(request, "user", None)
        if (
            not self._warned
            and not self._reads_user
            and user is not None
            and getattr(user, "is_authenticated", False)
        ):
            self._warned = True
            shared = self.key_constructor.shared
            logger.warning(
                "Response of %s cached for an authenticated request without a per-user key "
                "field; %s. Declare a user field (RequestValueKeyField('user.pk')) or set "
                "Meta.shared = True to make the choice explicit.",
                self.__qualname__,
                "the entry is SHARED by every user (Meta.shared)"
                if shared
                else "restflow keys it by the user's pk",
            )
        return True

    def _serve_hit(self, value: Any, metadata: Any, args: tuple, kwargs: dict) -> Any:
        response = self._from_store(value, args, kwargs)
        return self._decorate(response, metadata)

    def _decorate(self, response: Any, metadata: Any) -> Any:
        if self.set_cache_headers:
            set_response_cache_header(response, metadata)
        return response

    def _media_mismatch(self, value: Any, request: Any) -> bool:
        """Safeguard: a stored body of another media type is never served (W-5)."""
        if not (isinstance(value, tuple) and len(value) == 3):
            return False
        accepted = getattr(request, "accepted_media_type", None)
        if not accepted:
            return False
        stored_type = value[2].get("Content-Type") or ""
        if stored_type.startswith(accepted):  # the usual case: same type, no parsing
            return False
        stored = _base_type(stored_type)
        return bool(stored) and stored != _base_type(accepted)

    # The one core of a handler call, run by the sync or the async driver -----------------

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # As in ``_sync_get``: the first read happens here and a hit returns at once.
        if self.is_async:
            return self._acall(args, kwargs)
        if storage.retry_queue:
            storage.flush_retries()
        view, request = self.extract_view_and_request(args, kwargs)
        key, gen_keys = self._locate_for(view, request, args, kwargs)
        found = storage.get_many([key, *gen_keys], self._version, True)
        judged = self._judge(found, key, gen_keys, self.set_cache_headers)
        if judged[0] is HIT and not self._media_mismatch(judged[1], request):
            return self._serve_hit(judged[1], judged[2], args, kwargs)
        return self._run_sync(
            self._respond_steps(args, kwargs, request, key, gen_keys, found, judged)
        )

    async def _acall(self, args: tuple, kwargs: dict) -> Any:
        if storage.retry_queue:
            await storage.aflush_retries()
        view, request = self.extract_view_and_request(args, kwargs)
        key, gen_keys = self._locate_for(view, request, args, kwargs)
        found = await storage.aget_many([key, *gen_keys], self._version, True)
        judged = self._judge(found, key, gen_keys, self.set_cache_headers)
        if judged[0] is HIT and not self._media_mismatch(judged[1], request):
            return self._serve_hit(judged[1], judged[2], args, kwargs)
        steps = self._respond_steps(args, kwargs, request, key, gen_keys, found, judged)
        return await self._run_async(steps)

    def _respond_steps(
        self,
        args: tuple,
        kwargs: dict,
        request: Any,
        key: str,
        gen_keys: list[str],
        found: Any,
        judged: tuple[str, Any, Any],
    ) -> Steps:
        """A handler call after its first read (see ``__call__``)."""
        state, value, metadata = judged
        if state is not MISS and self._media_mismatch(value, request):
            return (yield from self._produce_steps(args, kwargs))
        if state is STALE:
            yield (REVALIDATE, args, kwargs, key)
        if state is not MISS:
            return self._serve_hit(value, metadata, args, kwargs)
        response, metadata = yield from self._miss_steps(args, kwargs, key, gen_keys, found)
        return self._decorate(response, metadata)

    def _produce_steps(self, args: tuple, kwargs: dict) -> Steps:
        response = self._finalize((yield (PRODUCE, args, kwargs)), args, kwargs)
        if isinstance(response, StreamingHttpResponse) or getattr(response, "streaming", False):
            return response
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            yield (RENDER, response)
        return response

    def _sync_extra_step(self, step: tuple[Any, ...]) -> Any:
        if step[0] is RENDER:
            return step[1].render()
        return super()._sync_extra_step(step)

    async def _async_extra_step(self, step: tuple[Any, ...]) -> Any:
        if step[0] is not RENDER:
            return await super()._async_extra_step(step)
        response = step[1]
        if hasattr(response, "arender"):
            return await response.arender()
        # DRF renderers (browsable API) may query the database: never on the loop.
        return await sync_to_async(response.render, thread_sensitive=True)()

    # Cache-only helpers return the raw triple; ``bypass_cache`` the raw handler result.
    def get_cache_only(self, *args: Any, **kwargs: Any) -> Any:
        if self.is_async:
            raise TypeError(
                f"'{self.func.__name__}' is async, use aget_cache_only instead of the sync method."
            )
        return self._run_sync(self._cache_only_steps(args, kwargs))[0]

    def bypass_cache(self, *args: Any, **kwargs: Any) -> Any:
        if self.is_async:
            raise TypeError(
                f"'{self.func.__name__}' is async, use abypass_cache instead of the sync method."
            )
        return self.func(*args, **kwargs)

    # Sync and async handlers alike: the cache work of ``KeyConstructor.wipe`` (W-16).
    _wipe = CachedWrapper._wipe

    async def abypass_cache(self, *args: Any, **kwargs: Any) -> Any:
        if self.is_async:
            return await self.func(*args, **kwargs)
        return await sync_to_async(self.func, thread_sensitive=True)(*args, **kwargs)


def extract_view_and_request(
    args: tuple, kwargs: dict, params: list[str] | None = None
) -> tuple[Any, Any]:
    """Find the view and request of a handler call from its parameter names."""
    if params is None:
        params = ["self", "request"] if args and hasattr(args[0], "request") else ["request"]
    view_first = bool(params) and params[0] == "self"
    return _view_and_request(
        args,
        kwargs,
        view_first,
        params[:2] == ["self", "request"],
        bool(params) and params[0] == "request",
    )


def _view_and_request(
    args: tuple, kwargs: dict, view_first: bool, self_request: bool, request_first: bool
) -> tuple[Any, Any]:
    view = args[0] if view_first and args else None
    if "request" in kwargs:
        request = kwargs["request"]
    elif self_request and len(args) > 1:
        request = args[1]
    elif request_first and args:
        request = args[0]
    else:
        request = None
    if view is None and request is not None:
        view = (getattr(request, "parser_context", None) or {}).get("view")
    return view, request


def cache_response(
    key_constructor: Any = None,
    ttl: Any = 3600,
    invalidates_on: Any = None,
    cache_if: Callable[..., Any] | None = None,
    cache_unless: Callable[..., Any] | None = None,
    set_cache_headers: bool = False,
    cache_errors: bool = False,
    *,
    stale_ttl: int | None = None,
) -> Callable[[Callable[..., Any]], CachedResponseWrapper]:
    """Cache the rendered response of a DRF handler (sync or async) or ``@api_view`` function."""

    def decorator(func: Callable[..., Any]) -> CachedResponseWrapper:
        return CachedResponseWrapper(
            func,
            key_constructor,
            invalidates_on,
            cache_if,
            cache_unless,
            ttl,
            set_cache_headers,
            cache_errors=cache_errors,
            stale_ttl=stale_ttl,
        )

    return decorator


def _refuse_on_async(name: str) -> None:
    sync_method = getattr(SyncCachedWrapper, name)

    @functools.wraps(sync_method)
    def method(self: CachedResponseWrapper, *args: Any, **kwargs: Any) -> Any:
        if self.is_async:
            raise TypeError(
                f"'{self.func.__name__}' is async, use a{name} instead of the sync method."
            )
        return sync_method(self, *args, **kwargs)

    setattr(CachedResponseWrapper, name, method)


for _name in (
    "get_with_metadata",
    "get_cached_metadata",
    "refresh",
    "delete_cache",
    "delete_by_prefix",
    "invalidate_all",
):
    _refuse_on_async(_name)
