"""The data-quality report: every service's data, as its export shows it.

Per table and column: rows, missing values, distinct values, type conformance (values inside
the column's domain: positive ids and weights, dates that are calendar dates); per table
exact and key duplicates; orphans across services (a listen naming an artist the catalog
lacks, a tag assignment naming a placeholder artist); impossible dates; tag variants
("hip hop", "hip-hop", "Hip-Hop") grouped under a canonical form (the most used spelling);
and tags that name no genre ("seen live", "awesome", "favorites") flagged.

A report is a JSON value (:func:`build_report`) and an HTML page (:func:`render_html`); the
service keeps every run's, so a trend shows.
"""

from __future__ import annotations

import datetime
import html
import re
import unicodedata
from typing import Any

import pandas as pd

from analytics.sources import Snapshot

KEYS: dict[str, list[str]] = {
    "artists": ["id"],
    "tags": ["id"],
    "tag_assignments": ["user_id", "artist_id", "tag_id", "timestamp_ms"],
    "listens": ["user_id", "artist_id"],
    "friendships": ["user_id", "friend_id"],
}
"""Each exported table's key (a duplicate key is a defect even when other columns differ)."""

POSITIVE = {"id", "user_id", "artist_id", "tag_id", "friend_id", "weight"}
"""Columns whose values must be positive integers."""

FIRST_PLAUSIBLE_DAY = datetime.date(2002, 3, 20)
"""Last.fm's launch: tag assignments dated earlier are impossible."""

NON_GENRE_WORDS = frozenset(
    {
        "seen live",
        "awesome",
        "favorites",
        "favourites",
        "favorite",
        "favourite",
        "love",
        "loved",
        "beautiful",
        "amazing",
        "cool",
        "good",
        "great",
        "best",
        "fun",
        "sexy",
        "epic",
        "genius",
        "albums i own",
        "my favorite",
        "favorite artists",
        "favourite artists",
        "check out",
        "to listen",
        "under 2000 listeners",
        "spotify",
        "want to see live",
        "heard on pandora",
        "catchy",
        "hot",
        "cute",
        "male vocalists",
        "female vocalists",
        "female vocalist",
        "male vocalist",
    }
)
"""Tags that say what a listener thinks or did, not what genre the music is."""
NON_GENRE_PATTERN = re.compile(
    r"\b(favou?rites?|seen live|my |i own|love|best of|awesome|listen|wish ?list)\b"
)


def tag_key(value: str) -> str:
    """The spelling-insensitive key of a tag: "Hip-Hop", "hip hop", "hiphop" -> "hiphop"."""
    folded = unicodedata.normalize("NFKD", value.casefold())
    return "".join(c for c in folded if c.isalnum())


def is_genre(value: str) -> bool:
    """False for tags flagged as not naming a genre."""
    lowered = " ".join(value.casefold().split())
    return lowered not in NON_GENRE_WORDS and not NON_GENRE_PATTERN.search(lowered)


def _columns(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
    out = {}
    for column in frame.columns:
        series = frame[column]
        missing = int(series.isna().sum())
        if column in POSITIVE:
            conforming = int((series.dropna() > 0).sum())
        elif column == "name" or column == "value":
            conforming = int((series.dropna().astype(str).str.strip() != "").sum())
        else:
            conforming = int(series.notna().sum())
        present = len(series) - missing
        out[column] = {
            "missing": missing,
            "distinct": int(series.nunique(dropna=True)),
            "nonconforming": present - conforming,
        }
    return out


def _tables(frames: dict[str, pd.DataFrame]) -> dict[str, dict[str, Any]]:
    tables = {}
    for name, frame in frames.items():
        key = KEYS[name]
        tables[name] = {
            "rows": len(frame),
            "exact_duplicates": int(frame.duplicated().sum()),
            "key_duplicates": int(frame.duplicated(subset=key).sum()),
            "columns": _columns(frame),
        }
    return tables


def _orphans(frames: dict[str, pd.DataFrame]) -> dict[str, int]:
    artists = frames["artists"]
    known = set(artists["id"])
    placeholders = set(artists.loc[artists["is_placeholder"], "id"])
    tags = set(frames["tags"]["id"])
    assignments, listens = frames["tag_assignments"], frames["listens"]
    listeners = set(listens["user_id"]) | set(frames["friendships"]["user_id"])
    return {
        "listens_naming_unknown_artists": int((~listens["artist_id"].isin(known)).sum()),
        "listens_naming_placeholder_artists": int(listens["artist_id"].isin(placeholders).sum()),
        "assignments_naming_unknown_artists": int((~assignments["artist_id"].isin(known)).sum()),
        "assignments_naming_placeholder_artists": int(
            assignments["artist_id"].isin(placeholders).sum()
        ),
        "assignments_naming_unknown_tags": int((~assignments["tag_id"].isin(tags)).sum()),
        "taggers_unknown_to_listening": len(set(assignments["user_id"]) - listeners),
        "friendships_without_reverse": len(
            set(
                zip(
                    frames["friendships"]["user_id"],
                    frames["friendships"]["friend_id"],
                    strict=True,
                )
            )
            - set(
                zip(
                    frames["friendships"]["friend_id"],
                    frames["friendships"]["user_id"],
                    strict=True,
                )
            )
        ),
    }


def _dates(assignments: pd.DataFrame, as_of: datetime.date) -> dict[str, int]:
    valid = assignments[assignments["date_valid"]]
    days = pd.to_datetime(valid["timestamp_ms"], unit="ms").dt.date
    return {
        "impossible_source_dates": int((~assignments["date_valid"]).sum()),
        "before_last_fm": int((days < FIRST_PLAUSIBLE_DAY).sum()),
        "in_the_future": int((days > as_of).sum()),
    }


def _tag_groups(
    frames: dict[str, pd.DataFrame],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    tags = frames["tags"]
    usage = frames["tag_assignments"]["tag_id"].value_counts()
    tags = tags.assign(uses=tags["id"].map(usage).fillna(0).astype(int))
    tags = tags.assign(key=tags["value"].map(tag_key))
    groups: list[dict[str, Any]] = []
    for _key, group in tags.groupby("key", sort=False):
        if len(group) < 2:
            continue
        ordered = group.sort_values(["uses", "id"], ascending=[False, True])
        groups.append(
            {
                "canonical": str(ordered["value"].iloc[0]),
                "variants": [
                    {"value": str(v), "uses": int(u)}
                    for v, u in zip(ordered["value"], ordered["uses"], strict=True)
                ],
                "uses": int(ordered["uses"].sum()),
            }
        )
    groups.sort(key=lambda g: (-g["uses"], g["canonical"]))
    flagged = tags[~tags["value"].map(is_genre)].sort_values(
        ["uses", "id"], ascending=[False, True]
    )
    non_genre = [
        {"value": str(v), "uses": int(u)}
        for v, u in zip(flagged["value"], flagged["uses"], strict=True)
    ]
    return groups, non_genre


def build_report(snapshot: Snapshot, *, max_listed: int = 100) -> dict[str, Any]:
    """The report of ``snapshot`` as a JSON value (lists cut at ``max_listed`` entries)."""
    frames = {name: table.to_pandas() for name, table in snapshot.tables.items()}
    variants, non_genre = _tag_groups(frames)
    orphans = _orphans(frames)
    dates = _dates(frames["tag_assignments"], snapshot.as_of)
    tables = _tables(frames)
    summary = {
        "rows": sum(t["rows"] for t in tables.values()),
        "missing_values": sum(c["missing"] for t in tables.values() for c in t["columns"].values()),
        "nonconforming_values": sum(
            c["nonconforming"] for t in tables.values() for c in t["columns"].values()
        ),
        "duplicates": sum(t["key_duplicates"] for t in tables.values()),
        "orphans": sum(orphans.values()),
        "impossible_dates": sum(dates.values()),
        "tag_variant_groups": len(variants),
        "non_genre_tags": len(non_genre),
    }
    return {
        "taken_at": snapshot.taken.isoformat(),
        "as_of": snapshot.as_of.isoformat(),
        "summary": summary,
        "tables": tables,
        "orphans": orphans,
        "dates": dates,
        "tag_variants": variants[:max_listed],
        "non_genre_tags": non_genre[:max_listed],
    }


def _table(rows: list[list[Any]], head: list[str]) -> str:
    cells = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


def render_html(report: dict[str, Any], history: list[dict[str, Any]] | None = None) -> str:
    """The report as a standalone HTML page (with the summaries of earlier runs)."""
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        "<title>SoundStream data quality</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;"
        "margin-bottom:1.5em}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:right}"
        "th{background:#eee}</style></head><body>",
        f"<h1>Data quality, {html.escape(report['as_of'])}</h1>",
        "<h2>Summary</h2>",
        _table([[k, v] for k, v in report["summary"].items()], ["measure", "value"]),
    ]
    for name, table in report["tables"].items():
        parts.append(
            f"<h2>{html.escape(name)}: {table['rows']} rows, {table['exact_duplicates']} exact "
            f"and {table['key_duplicates']} key duplicates</h2>"
        )
        rows = [
            [c, v["missing"], v["distinct"], v["nonconforming"]]
            for c, v in table["columns"].items()
        ]
        parts.append(_table(rows, ["column", "missing", "distinct", "nonconforming"]))
    parts.append("<h2>Orphans across services</h2>")
    parts.append(_table([[k, v] for k, v in report["orphans"].items()], ["check", "rows"]))
    parts.append("<h2>Dates</h2>")
    parts.append(_table([[k, v] for k, v in report["dates"].items()], ["check", "rows"]))
    parts.append("<h2>Tag variants</h2>")
    parts.append(
        _table(
            [
                [g["canonical"], ", ".join(v["value"] for v in g["variants"]), g["uses"]]
                for g in report["tag_variants"]
            ],
            ["canonical", "variants", "uses"],
        )
    )
    parts.append("<h2>Tags that name no genre</h2>")
    parts.append(
        _table([[t["value"], t["uses"]] for t in report["non_genre_tags"]], ["tag", "uses"])
    )
    if history:
        parts.append("<h2>Earlier runs</h2>")
        keys = list(report["summary"])
        parts.append(
            _table(
                [[h["as_of"], *(h["summary"].get(k, "") for k in keys)] for h in history],
                ["as of", *keys],
            )
        )
    parts.append("</body></html>")
    return "".join(parts)
