"""The clients: :class:`SoundStream` (blocking) and :class:`AsyncSoundStream`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

import httpx

from soundstream._base_client import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    NOT_GIVEN,
    AsyncAPIClient,
    ClientConfig,
    SyncAPIClient,
    Timeout,
)
from soundstream._retries import RetryPolicy
from soundstream.resources.analytics import Analytics, AsyncAnalytics
from soundstream.resources.artists import Artists, AsyncArtists
from soundstream.resources.friends import AsyncFriends, Friends
from soundstream.resources.jobs import AsyncJobs, Jobs
from soundstream.resources.keys import AsyncKeys, Keys
from soundstream.resources.listens import AsyncListens, Listens
from soundstream.resources.models import AsyncModels, Models
from soundstream.resources.recommendations import (
    AsyncRecommendationsResource,
    RecommendationsResource,
)
from soundstream.resources.search import AsyncSearch, Search
from soundstream.resources.stats import AsyncStats, Stats
from soundstream.resources.tags import AsyncTags, Tags
from soundstream.resources.users import AsyncUsers, Users

__all__ = ["AsyncSoundStream", "SoundStream"]


class SoundStream(SyncAPIClient):
    """The SoundStream Analytics API.

    ``base_url`` defaults to ``$SOUNDSTREAM_BASE_URL`` (else http://127.0.0.1:8000), ``api_key``
    to ``$SOUNDSTREAM_API_KEY`` (sent as ``X-API-Key``). ``timeout`` is in seconds (or an
    :class:`httpx.Timeout`); ``max_retries`` bounds the retries of a failed request (see
    :mod:`soundstream._retries` for which requests are retried). Use it as a context manager,
    or call :meth:`close`, to release its connections.
    """

    def __init__(
        self,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        retry_policy: RetryPolicy | None = None,
        http_client: httpx.Client | None = None,
        sleep: Callable[[float], None] | None = None,
        random: Callable[[], float] | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        config = ClientConfig.resolve(
            base_url=base_url,
            api_key=api_key,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            retry_policy=retry_policy,
        )
        self._init(config, http_client, sleep=sleep, random=random, clock=clock)

    def _init(
        self,
        config: ClientConfig,
        http_client: httpx.Client | None,
        *,
        sleep: Callable[[float], None] | None,
        random: Callable[[], float] | None,
        clock: Callable[[], float] | None,
    ) -> None:
        super().__init__(config, http_client=http_client, sleep=sleep, random=random, clock=clock)
        self.artists = Artists(self)
        self.tags = Tags(self)
        self.users = Users(self)
        self.listens = Listens(self)
        self.friends = Friends(self)
        self.search = Search(self)
        self.stats = Stats(self)
        self.recommendations = RecommendationsResource(self)
        self.models = Models(self)
        self.analytics = Analytics(self)
        self.jobs = Jobs(self)
        self.keys = Keys(self)

    def with_options(
        self,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        max_retries: int | None = None,
        default_headers: Mapping[str, str] | None = None,
        retry_policy: RetryPolicy | None = None,
    ) -> SoundStream:
        """A client with some settings changed, sharing this one's connection pool::

        client.with_options(timeout=2.0, max_retries=0).artists.get(1)
        """
        config = self._copy_config(
            base_url=base_url,
            api_key=api_key,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            retry_policy=retry_policy,
        )
        copy = SoundStream.__new__(SoundStream)
        copy._init(
            config, self._http, sleep=self._sleep_hook, random=self._random, clock=self._clock
        )
        return copy


class AsyncSoundStream(AsyncAPIClient):
    """The SoundStream Analytics API, asynchronously: the same resources and methods as
    :class:`SoundStream`, awaited (lists: ``await`` for the first page, ``async for`` for
    every item)."""

    def __init__(
        self,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        retry_policy: RetryPolicy | None = None,
        http_client: httpx.AsyncClient | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        random: Callable[[], float] | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        config = ClientConfig.resolve(
            base_url=base_url,
            api_key=api_key,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            retry_policy=retry_policy,
        )
        self._init(config, http_client, sleep=sleep, random=random, clock=clock)

    def _init(
        self,
        config: ClientConfig,
        http_client: httpx.AsyncClient | None,
        *,
        sleep: Callable[[float], Awaitable[None]] | None,
        random: Callable[[], float] | None,
        clock: Callable[[], float] | None,
    ) -> None:
        super().__init__(config, http_client=http_client, sleep=sleep, random=random, clock=clock)
        self.artists = AsyncArtists(self)
        self.tags = AsyncTags(self)
        self.users = AsyncUsers(self)
        self.listens = AsyncListens(self)
        self.friends = AsyncFriends(self)
        self.search = AsyncSearch(self)
        self.stats = AsyncStats(self)
        self.recommendations = AsyncRecommendationsResource(self)
        self.models = AsyncModels(self)
        self.analytics = AsyncAnalytics(self)
        self.jobs = AsyncJobs(self)
        self.keys = AsyncKeys(self)

    def with_options(
        self,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        max_retries: int | None = None,
        default_headers: Mapping[str, str] | None = None,
        retry_policy: RetryPolicy | None = None,
    ) -> AsyncSoundStream:
        """A client with some settings changed, sharing this one's connection pool."""
        config = self._copy_config(
            base_url=base_url,
            api_key=api_key,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            retry_policy=retry_policy,
        )
        copy = AsyncSoundStream.__new__(AsyncSoundStream)
        copy._init(
            config, self._http, sleep=self._sleep_hook, random=self._random, clock=self._clock
        )
        return copy
