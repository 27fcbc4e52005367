"""Transport shared by the sync and async clients: configuration, requests, retries, errors."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random as _random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Self, TypeAlias

import httpx

from soundstream._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    status_error_from_response,
)
from soundstream._retries import (
    RetryPolicy,
    is_idempotent,
    parse_retry_after,
    should_retry_error,
    should_retry_status,
)
from soundstream._version import __version__

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_RETRIES = 2
BASE_URL_ENV = "SOUNDSTREAM_BASE_URL"
API_KEY_ENV = "SOUNDSTREAM_API_KEY"
API_KEY_HEADER = "X-API-Key"
USER_AGENT = f"soundstream-python/{__version__}"

ParamValue: TypeAlias = (
    str | int | float | bool | dt.date | Sequence[str | int | float | bool] | None
)
Params: TypeAlias = Mapping[str, ParamValue]
Timeout: TypeAlias = float | httpx.Timeout | None


class _NotGiven:
    """Marks an argument left out (distinct from an explicit None)."""

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Any = _NotGiven()


@dataclass(frozen=True)
class RequestOptions:
    method: str
    path: str
    params: Params | None = None
    json: Any = None
    idempotent: bool | None = None
    """Overrides the method's idempotency (e.g. a POST that only queries)."""
    raw: bool = False
    """The body is returned as bytes, not decoded as JSON (a picture, a text format)."""


def clean_params(params: Params | None) -> dict[str, Any]:
    """Drop unset values; send dates as ISO strings and booleans as ``true``/``false``."""
    cleaned: dict[str, Any] = {}
    for key, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, bool):
            cleaned[key] = "true" if value else "false"
        elif isinstance(value, dt.date):
            cleaned[key] = value.isoformat()
        elif isinstance(value, (list, tuple)):
            cleaned[key] = [str(v).lower() if isinstance(v, bool) else v for v in value]
        else:
            cleaned[key] = value
    return cleaned


@dataclass
class ClientConfig:
    """Everything :meth:`with_options` can change."""

    base_url: str
    api_key: str | None
    timeout: Timeout
    max_retries: int
    default_headers: dict[str, str] = field(default_factory=dict)
    retry_policy: RetryPolicy = field(default_factory=RetryPolicy)

    @classmethod
    def resolve(
        cls,
        *,
        base_url: str | None,
        api_key: str | None,
        timeout: Timeout,
        max_retries: int,
        default_headers: Mapping[str, str] | None,
        retry_policy: RetryPolicy | None,
    ) -> ClientConfig:
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        return cls(
            base_url=(base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/"),
            api_key=api_key if api_key is not None else os.environ.get(API_KEY_ENV) or None,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=dict(default_headers or {}),
            retry_policy=retry_policy or RetryPolicy(),
        )

    def headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if self.api_key:
            headers[API_KEY_HEADER] = self.api_key
        headers.update(self.default_headers)
        return headers


class BaseClient:
    """Configuration and the pieces of the request cycle that do no I/O."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        sleep: Callable[[float], Any] | None,
        random: Callable[[], float] | None,
        clock: Callable[[], float] | None,
    ) -> None:
        self._config = config
        self._sleep_hook = sleep
        self._random = random or _random.random
        self._clock = clock or time.monotonic

    @property
    def base_url(self) -> str:
        return self._config.base_url

    @property
    def api_key(self) -> str | None:
        return self._config.api_key

    @property
    def timeout(self) -> Timeout:
        return self._config.timeout

    @property
    def max_retries(self) -> int:
        return self._config.max_retries

    def _build_request(
        self, http: httpx.Client | httpx.AsyncClient, options: RequestOptions
    ) -> httpx.Request:
        timeout = self._config.timeout
        return http.build_request(
            options.method,
            self._config.base_url + options.path,
            params=clean_params(options.params),
            json=options.json,
            headers=self._config.headers(),
            timeout=timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout),
        )

    def _retry_delay_for_response(self, response: httpx.Response, retry_number: int) -> float:
        return self._config.retry_policy.delay(
            retry_number, retry_after=parse_retry_after(response.headers), random=self._random
        )

    def _retry_delay_for_error(self, retry_number: int) -> float:
        return self._config.retry_policy.delay(retry_number, random=self._random)

    def _retries_response(self, options: RequestOptions, response: httpx.Response, n: int) -> bool:
        idempotent = is_idempotent(options.method, options.idempotent)
        return n < self._config.max_retries and should_retry_status(
            response.status_code, idempotent=idempotent
        )

    def _retries_error(self, options: RequestOptions, error: httpx.TransportError, n: int) -> bool:
        idempotent = is_idempotent(options.method, options.idempotent)
        return n < self._config.max_retries and should_retry_error(error, idempotent=idempotent)

    @staticmethod
    def _connection_error(error: httpx.TransportError) -> APIConnectionError:
        if isinstance(error, httpx.TimeoutException):
            return APITimeoutError(request=error.request)
        return APIConnectionError(f"Could not connect to the API: {error}", request=error.request)

    @staticmethod
    def _parse(response: httpx.Response, *, raw: bool = False) -> Any:
        """The decoded body of a successful response (None when empty; bytes when ``raw``)."""
        if response.status_code >= 400:
            raise status_error_from_response(response)
        if raw:
            return response.content
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise APIResponseValidationError(
                "The API answered with a body that is not JSON.", response=response
            ) from exc

    def _copy_config(
        self,
        *,
        base_url: str | None,
        api_key: str | None,
        timeout: Timeout,
        max_retries: int | None,
        default_headers: Mapping[str, str] | None,
        retry_policy: RetryPolicy | None,
    ) -> ClientConfig:
        current = self._config
        if max_retries is not None and max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        return ClientConfig(
            base_url=(base_url or current.base_url).rstrip("/"),
            api_key=api_key if api_key is not None else current.api_key,
            timeout=current.timeout if timeout is NOT_GIVEN else timeout,
            max_retries=current.max_retries if max_retries is None else max_retries,
            default_headers={**current.default_headers, **(default_headers or {})},
            retry_policy=retry_policy or current.retry_policy,
        )


class SyncAPIClient(BaseClient):
    """Blocking request cycle over one pooled :class:`httpx.Client`."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        http_client: httpx.Client | None,
        sleep: Callable[[float], None] | None = None,
        random: Callable[[], float] | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(config, sleep=sleep, random=random, clock=clock)
        self._owns_http_client = http_client is None
        self._http = http_client or httpx.Client(follow_redirects=True)

    def _sleep(self, seconds: float) -> None:
        (self._sleep_hook or time.sleep)(seconds)

    def request(self, options: RequestOptions) -> Any:
        """Send a request, retrying per the policy in :mod:`soundstream._retries`."""
        retry_number = 0
        while True:
            request = self._build_request(self._http, options)
            try:
                response = self._http.send(request)
            except httpx.TransportError as error:
                if not self._retries_error(options, error, retry_number):
                    raise self._connection_error(error) from error
                self._sleep(self._retry_delay_for_error(retry_number))
            else:
                if not self._retries_response(options, response, retry_number):
                    response.read()
                    return self._parse(response, raw=options.raw)
                delay = self._retry_delay_for_response(response, retry_number)
                response.close()
                self._sleep(delay)
            retry_number += 1

    def close(self) -> None:
        """Close the connection pool (when the client created it)."""
        if self._owns_http_client:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncAPIClient(BaseClient):
    """Asynchronous request cycle over one pooled :class:`httpx.AsyncClient`."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        http_client: httpx.AsyncClient | None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        random: Callable[[], float] | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(config, sleep=sleep, random=random, clock=clock)
        self._owns_http_client = http_client is None
        self._http = http_client or httpx.AsyncClient(follow_redirects=True)

    async def _sleep(self, seconds: float) -> None:
        await (self._sleep_hook or asyncio.sleep)(seconds)

    async def request(self, options: RequestOptions) -> Any:
        """Send a request, retrying per the policy in :mod:`soundstream._retries`."""
        retry_number = 0
        while True:
            request = self._build_request(self._http, options)
            try:
                response = await self._http.send(request)
            except httpx.TransportError as error:
                if not self._retries_error(options, error, retry_number):
                    raise self._connection_error(error) from error
                await self._sleep(self._retry_delay_for_error(retry_number))
            else:
                if not self._retries_response(options, response, retry_number):
                    await response.aread()
                    return self._parse(response, raw=options.raw)
                delay = self._retry_delay_for_response(response, retry_number)
                await response.aclose()
                await self._sleep(delay)
            retry_number += 1

    async def close(self) -> None:
        """Close the connection pool (when the client created it)."""
        if self._owns_http_client:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
