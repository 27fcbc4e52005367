"""Base of the resource classes: the typed helpers every method is written with."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from soundstream._base_client import AsyncAPIClient, Params, RequestOptions, SyncAPIClient
from soundstream._exceptions import APIResponseValidationError
from soundstream._pagination import AsyncPage, AsyncPaginator, SyncPage

ModelT = TypeVar("ModelT", bound=BaseModel)


def _validate(model: type[ModelT], body: Any) -> ModelT:
    try:
        return model.model_validate(body)
    except PydanticValidationError as exc:
        raise APIResponseValidationError(f"Unexpected {model.__name__} body: {exc}") from exc


def _validate_list(model: type[ModelT], body: Any) -> list[ModelT]:
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        body = body["items"]
    try:
        return TypeAdapter(list[model]).validate_python(body)  # type: ignore[valid-type]
    except PydanticValidationError as exc:
        raise APIResponseValidationError(f"Unexpected list of {model.__name__}: {exc}") from exc


def drop_unset(**fields: Any) -> dict[str, Any]:
    """A JSON body without the fields left as None."""
    return {key: value for key, value in fields.items() if value is not None}


class SyncAPIResource:
    def __init__(self, client: SyncAPIClient) -> None:
        self._client = client

    def _model(
        self,
        method: str,
        path: str,
        model: type[ModelT],
        *,
        params: Params | None = None,
        body: Any = None,
        idempotent: bool | None = None,
    ) -> ModelT:
        options = RequestOptions(method, path, params=params, json=body, idempotent=idempotent)
        return _validate(model, self._client.request(options))

    def _models(
        self, path: str, model: type[ModelT], *, params: Params | None = None
    ) -> list[ModelT]:
        return _validate_list(model, self._client.request(RequestOptions("GET", path, params)))

    def _none(self, method: str, path: str, *, params: Params | None = None) -> None:
        self._client.request(RequestOptions(method, path, params=params))

    def _bytes(self, path: str, *, params: Params | None = None) -> bytes:
        body: bytes = self._client.request(RequestOptions("GET", path, params, raw=True))
        return body

    def _page(
        self, path: str, model: type[ModelT], *, params: Params | None = None
    ) -> SyncPage[ModelT]:
        options = RequestOptions("GET", path, params=params)
        body = self._client.request(options)
        return SyncPage(body, model=model, options=options, client=self._client)


class AsyncAPIResource:
    def __init__(self, client: AsyncAPIClient) -> None:
        self._client = client

    async def _model(
        self,
        method: str,
        path: str,
        model: type[ModelT],
        *,
        params: Params | None = None,
        body: Any = None,
        idempotent: bool | None = None,
    ) -> ModelT:
        options = RequestOptions(method, path, params=params, json=body, idempotent=idempotent)
        return _validate(model, await self._client.request(options))

    async def _models(
        self, path: str, model: type[ModelT], *, params: Params | None = None
    ) -> list[ModelT]:
        body = await self._client.request(RequestOptions("GET", path, params))
        return _validate_list(model, body)

    async def _none(self, method: str, path: str, *, params: Params | None = None) -> None:
        await self._client.request(RequestOptions(method, path, params=params))

    async def _bytes(self, path: str, *, params: Params | None = None) -> bytes:
        body: bytes = await self._client.request(RequestOptions("GET", path, params, raw=True))
        return body

    def _page(
        self, path: str, model: type[ModelT], *, params: Params | None = None
    ) -> AsyncPaginator[ModelT]:
        options = RequestOptions("GET", path, params=params)

        async def first_page() -> AsyncPage[ModelT]:
            body = await self._client.request(options)
            return AsyncPage(body, model=model, options=options, client=self._client)

        return AsyncPaginator(first_page)
