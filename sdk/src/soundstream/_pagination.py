"""Auto-paginating list results.

A list call returns its first page. Iterating the page yields every item of every page,
fetching the next one (``cursor=<next_cursor>``) only when the previous is used up::

    for artist in client.artists.list(sort="plays"):   # all artists, 20 per request
        ...
    page = client.artists.list(limit=50)
    page.items, page.total, page.next_cursor            # the first page only
    async for artist in async_client.artists.list():    # the same, asynchronously
        ...
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Generator, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from soundstream._base_client import AsyncAPIClient, RequestOptions, SyncAPIClient
from soundstream._exceptions import APIResponseValidationError
from soundstream._pandas import records_to_frame

if TYPE_CHECKING:
    import pandas as pd

ItemT = TypeVar("ItemT", bound=BaseModel)

PAGE_FIELDS = frozenset({"items", "total", "limit", "next_cursor"})


class _PageBase(Generic[ItemT]):
    """One page of a list: ``items``, ``total``, ``limit``, ``next_cursor``, ``extras``."""

    def __init__(self, body: Any, *, model: type[ItemT], options: RequestOptions) -> None:
        if not isinstance(body, dict) or not isinstance(body.get("items"), list):
            raise APIResponseValidationError("A list response must be an object with 'items'.")
        self._model = model
        self._options = options
        try:
            self.items: list[ItemT] = [model.model_validate(item) for item in body["items"]]
        except ValidationError as exc:
            raise APIResponseValidationError(f"Unexpected {model.__name__} item: {exc}") from exc
        self.total: int | None = body.get("total")
        self.limit: int | None = body.get("limit")
        self.next_cursor: str | None = body.get("next_cursor")
        self.extras: dict[str, Any] = {k: v for k, v in body.items() if k not in PAGE_FIELDS}
        """Fields of this list besides the page (e.g. ``unknown_tags`` of a search)."""

    def has_next_page(self) -> bool:
        return bool(self.next_cursor)

    def _next_options(self) -> RequestOptions:
        params = dict(self._options.params or {})
        params["cursor"] = self.next_cursor
        return RequestOptions(
            method=self._options.method,
            path=self._options.path,
            params=params,
            json=self._options.json,
            idempotent=self._options.idempotent,
        )

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(items={len(self.items)}, total={self.total}, "
            f"next_cursor={self.next_cursor!r})"
        )


class SyncPage(_PageBase[ItemT]):
    """A page of a list; iterating it walks every following page too."""

    def __init__(
        self, body: Any, *, model: type[ItemT], options: RequestOptions, client: SyncAPIClient
    ) -> None:
        super().__init__(body, model=model, options=options)
        self._client = client

    def next_page(self) -> SyncPage[ItemT] | None:
        """The following page, or None on the last one."""
        if not self.has_next_page():
            return None
        options = self._next_options()
        return SyncPage(
            self._client.request(options), model=self._model, options=options, client=self._client
        )

    def iter_pages(self) -> Iterator[SyncPage[ItemT]]:
        page: SyncPage[ItemT] | None = self
        while page is not None:
            yield page
            page = page.next_page()

    def __iter__(self) -> Iterator[ItemT]:
        for page in self.iter_pages():
            yield from page.items

    def to_pandas(self) -> pd.DataFrame:
        """Every item of every page as a DataFrame (needs the ``pandas`` extra)."""
        return records_to_frame(self)


class AsyncPage(_PageBase[ItemT]):
    """A page of a list; ``async for`` walks every following page too."""

    def __init__(
        self, body: Any, *, model: type[ItemT], options: RequestOptions, client: AsyncAPIClient
    ) -> None:
        super().__init__(body, model=model, options=options)
        self._client = client

    async def next_page(self) -> AsyncPage[ItemT] | None:
        """The following page, or None on the last one."""
        if not self.has_next_page():
            return None
        options = self._next_options()
        body = await self._client.request(options)
        return AsyncPage(body, model=self._model, options=options, client=self._client)

    async def iter_pages(self) -> AsyncIterator[AsyncPage[ItemT]]:
        page: AsyncPage[ItemT] | None = self
        while page is not None:
            yield page
            page = await page.next_page()

    async def __aiter__(self) -> AsyncIterator[ItemT]:
        async for page in self.iter_pages():
            for item in page.items:
                yield item

    async def to_pandas(self) -> pd.DataFrame:
        """Every item of every page as a DataFrame (needs the ``pandas`` extra)."""
        return records_to_frame([item async for item in self])


class AsyncPaginator(Generic[ItemT]):
    """What an async list method returns: ``await`` it for the first page, or ``async for``
    over it for every item."""

    def __init__(self, fetch: Callable[[], Any]) -> None:
        self._fetch = fetch

    def __await__(self) -> Generator[Any, None, AsyncPage[ItemT]]:
        page: AsyncPage[ItemT] = yield from self._fetch().__await__()
        return page

    async def __aiter__(self) -> AsyncIterator[ItemT]:
        page: AsyncPage[ItemT] = await self
        async for item in page:
            yield item

    async def to_pandas(self) -> pd.DataFrame:
        page: AsyncPage[ItemT] = await self
        return await page.to_pandas()
