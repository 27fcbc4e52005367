"""The base of every response model: Pydantic v2, tolerant of fields added by newer APIs."""

from __future__ import annotations

from pydantic import BaseModel as _PydanticBaseModel
from pydantic import ConfigDict


class BaseModel(_PydanticBaseModel):
    """A response object. Unknown fields are kept (``model_extra``), never rejected."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)
