"""The SDK's clients against the live gateway: validation errors with their fields, and the
async client reading the same as the sync one.
"""

from __future__ import annotations

import pytest

from soundstream import (
    NotFoundError,
    SoundStream,
    ValidationError,
)

from .real_data import USER


def test_bad_input_is_a_validation_error_with_fields(sdk: SoundStream) -> None:
    with pytest.raises(ValidationError) as caught:
        sdk.artists.list(limit=500)
    assert caught.value.problem is not None
    assert caught.value.problem.errors
    assert caught.value.request_id


@pytest.mark.anyio
async def test_async_client_reads_the_same_as_the_sync_client(
    sdk: SoundStream, async_sdk: object
) -> None:
    from soundstream import AsyncSoundStream

    assert isinstance(async_sdk, AsyncSoundStream)
    async with async_sdk as client:
        first = await client.artists.list(sort="plays", limit=4)
        walked: list[int] = []
        async for artist in client.artists.list(sort="plays", limit=2):
            walked.append(artist.id)
            if len(walked) == 5:  # three pages: enough to show the walk, not all 17,632
                break
        overview = await client.stats.overview()
        recs = await client.recommendations.for_user(USER, k=3)
        with pytest.raises(NotFoundError):
            await client.artists.get(2_000_000_000)
    assert [a.id for a in first.items] == [
        a.id for a in sdk.artists.list(sort="plays", limit=4).items
    ]
    assert walked[:4] == [a.id for a in first.items]
    assert overview == sdk.stats.overview()
    assert recs.items == sdk.recommendations.for_user(USER, k=3).items
