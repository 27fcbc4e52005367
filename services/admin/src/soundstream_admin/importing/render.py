"""The import report for a human: which data was loaded, then rich tables."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from soundstream_admin.importing.report import ImportReport, SourceInfo

_ORIGINS = {
    "directory": "data directory",
    "download": "downloaded",
    "synthetic": "synthetic, generated",
}


def describe_source(source: SourceInfo) -> str:
    """One line: where the data is and whether it is the official release."""
    where = f"Data: {source.directory} ({_ORIGINS.get(source.origin, source.origin)})"
    if source.matches_official:
        return f"{where}: files match the official HetRec 2011 SHA-256 checksums"
    verdicts = [
        f"{name} {entry['official']}"
        for name, entry in source.checksums.items()
        if entry["official"] != "match"
    ]
    return f"{where}: files do NOT match the official checksums ({', '.join(verdicts)})"


def render_report(report: ImportReport, console: Console, *, max_rejects: int = 20) -> None:
    """Print the consistency report (the rejects list capped at ``max_rejects``)."""
    files = Table(title=f"Files ({report.mode})")
    for column in ("file", "read", "imported", "rejected"):
        files.add_column(column, justify="left" if column == "file" else "right")
    for name, stats in report.files.items():
        files.add_row(name, f"{stats.read:,}", f"{stats.imported:,}", f"{stats.rejected:,}")
    console.print(files)

    counts = Table(title="Rows per table")
    for column in ("database", "table", "rows"):
        counts.add_column(column, justify="right" if column == "rows" else "left")
    for database, tables in report.tables.items():
        for table, rows in tables.items():
            counts.add_row(database, table, f"{rows:,}")
    console.print(counts)

    anomalies = report.anomalies
    invalid = anomalies.invalid_dates
    notes = Table(title="Anomalies", show_header=False)
    notes.add_column("anomaly")
    notes.add_column("count", justify="right")
    notes.add_column("detail")
    notes.add_row(
        "placeholder artists",
        f"{len(anomalies.placeholder_artists):,}",
        f"{sum(anomalies.placeholder_rows.values()):,} rows "
        + _pairs(anomalies.placeholder_rows.items()),
    )
    notes.add_row(
        "invalid dates (kept, flagged)",
        f"{invalid.total:,}",
        _pairs(invalid.by_reason.items()) + " " + _pairs(sorted(invalid.by_year.items())),
    )
    notes.add_row("duplicate keys", f"{anomalies.duplicates:,}", "")
    notes.add_row("one-way friendships (completed)", f"{anomalies.asymmetric_friendships:,}", "")
    notes.add_row(
        "users first seen",
        f"{sum(anomalies.users_first_seen.values()):,}",
        _pairs((name, count) for name, count in anomalies.users_first_seen.items() if count),
    )
    console.print(notes)

    if report.rejects:
        rejects = Table(title=f"Rejected rows ({len(report.rejects):,})")
        for column in ("file", "line", "reason"):
            rejects.add_column(column, justify="right" if column == "line" else "left")
        for reject in report.rejects[:max_rejects]:
            rejects.add_row(reject.file, str(reject.line), reject.reason)
        console.print(rejects)
        if len(report.rejects) > max_rejects:
            console.print(f"... {len(report.rejects) - max_rejects:,} more in the JSON report")
    console.print(f"Imported in {report.elapsed_seconds:.2f} s")


def _pairs(items: object) -> str:
    pairs = [f"{key}: {value:,}" for key, value in items]  # type: ignore[attr-defined]
    return f"({', '.join(pairs)})" if pairs else ""
