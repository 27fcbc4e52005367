"""``client.keys``: the gateway's API keys (every method needs an ``admin`` key)."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from urllib.parse import quote

from soundstream._resource import AsyncAPIResource, SyncAPIResource
from soundstream.types.keys import APIKey, APIKeyCreated


def _key_path(key_id: str) -> str:
    return f"/v1/keys/{quote(key_id, safe='')}"


class Keys(SyncAPIResource):
    def create(self, *, name: str, scopes: Sequence[str] = ("read",)) -> APIKeyCreated:
        """A new key; its secret (``.key``) is in this answer only — store it now."""
        body = {"name": name, "scopes": list(scopes)}
        return self._model("POST", "/v1/keys", APIKeyCreated, body=body)

    def list(self) -> builtins.list[APIKey]:
        """Every key, without secrets."""
        return self._models("/v1/keys", APIKey)

    def revoke(self, key_id: str) -> None:
        """Revoke a key: it stops working at once."""
        self._none("DELETE", _key_path(key_id))


class AsyncKeys(AsyncAPIResource):
    async def create(self, *, name: str, scopes: Sequence[str] = ("read",)) -> APIKeyCreated:
        """A new key; its secret (``.key``) is in this answer only — store it now."""
        body = {"name": name, "scopes": list(scopes)}
        return await self._model("POST", "/v1/keys", APIKeyCreated, body=body)

    async def list(self) -> builtins.list[APIKey]:
        """Every key, without secrets."""
        return await self._models("/v1/keys", APIKey)

    async def revoke(self, key_id: str) -> None:
        """Revoke a key: it stops working at once."""
        await self._none("DELETE", _key_path(key_id))
