"""Optional pandas support (``pip install 'soundstream-sdk[pandas]'``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

if TYPE_CHECKING:
    import pandas as pd


def records_to_frame(records: Iterable[BaseModel]) -> pd.DataFrame:
    """One row per model; nested lists and objects stay as Python values in their cell."""
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "to_pandas() needs pandas: pip install 'soundstream-sdk[pandas]'"
        ) from exc
    rows: list[dict[str, Any]] = [record.model_dump() for record in records]
    return pd.DataFrame.from_records(rows)
