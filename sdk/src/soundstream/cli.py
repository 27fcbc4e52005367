"""The ``soundstream`` command: recommendations, search, top artists, statistics, retraining,
scheduled jobs.

Configured like the client: ``--base-url`` / ``$SOUNDSTREAM_BASE_URL``, ``--api-key`` /
``$SOUNDSTREAM_API_KEY``. Tables by default, ``--json`` for scripts. Exit status 1 on an API
error (the message names the request id), 2 on a usage error.

The tables are drawn by Rich, the ``cli`` extra (``pip install "soundstream-sdk[cli]"``): the
client itself never imports it, and without it the command says how to install it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from soundstream._cli_jobs import add_jobs_parser, add_wait_options, follow
from soundstream._client import SoundStream
from soundstream._exceptions import APIStatusError, SoundStreamError
from soundstream._version import __version__

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

Command = Callable[[SoundStream, argparse.Namespace, "Console"], Any]
CLI_EXTRA_MISSING = (
    "The soundstream command draws its tables with Rich, an optional dependency of the SDK. "
    'Install it with: pip install "soundstream-sdk[cli]"'
)


def _table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Table:
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for column in columns:
        numeric = column in {"#", "score", "plays", "listeners", "relevance", "value", "id"}
        table.add_column(column, justify="right" if numeric else "left")
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    return table


def _recommend(client: SoundStream, args: argparse.Namespace, console: Console) -> Any:
    result = client.recommendations.for_user(
        args.user_id, k=args.k, exclude_listened=not args.include_listened, explain=args.explain
    )
    if args.json:
        return result
    rows = []
    for rank, item in enumerate(result.items, start=1):
        tags = ", ".join(tag.value for tag in (item.top_tags or [])[:3])
        why = "; ".join(reason.text for reason in item.reasons or [])
        rows.append([rank, item.artist_id, item.name, f"{item.score:.3f}", tags, why])
    title = f"Recommendations for user {args.user_id} (source: {result.source})"
    columns = ["#", "artist", "name", "score", "top tags", "why"]
    console.print(_table(title, columns if args.explain else columns[:-1], rows))
    return None


def _search(client: SoundStream, args: argparse.Namespace, console: Console) -> Any:
    page = client.search.artists(tags=args.tag, match=args.match, sort=args.sort, limit=args.limit)
    if args.json:
        return {"items": page.items, "total": page.total, **page.extras}
    rows = [
        [hit.id, hit.name, f"{hit.relevance:.2f}", hit.listeners, hit.plays] for hit in page.items
    ]
    title = (
        f"Artists tagged {f' {args.match} of ' if len(args.tag) > 1 else ''}{', '.join(args.tag)}"
    )
    console.print(
        _table(
            f"{title} ({page.total} found)", ["id", "name", "relevance", "listeners", "plays"], rows
        )
    )
    unknown = page.extras.get("unknown_tags") or []
    if unknown:
        console.print(f"[yellow]Unknown tags:[/yellow] {', '.join(unknown)}")
    return None


def _top_artists(client: SoundStream, args: argparse.Namespace, console: Console) -> Any:
    page = client.stats.top_artists(by=args.by, limit=args.limit)
    if args.json:
        return {"items": page.items, "total": page.total}
    rows = [[top.rank, top.artist_id, top.name, top.plays, top.listeners] for top in page.items]
    columns = ["#", "artist", "name", "plays", "listeners"]
    console.print(_table(f"Top {len(rows)} artists by {args.by}", columns, rows))
    return None


def _stats(client: SoundStream, args: argparse.Namespace, console: Console) -> Any:
    if args.user is not None:
        user = client.stats.user(args.user)
        if args.json:
            return user
        rows: list[list[Any]] = [
            ["plays", user.plays, user.percentiles.plays],
            ["artists", user.artists, user.percentiles.artists],
            ["friends", user.friends, user.percentiles.friends],
            ["entropy", f"{user.entropy:.3f}", user.percentiles.entropy],
        ]
        console.print(_table(f"User {args.user}", ["measure", "value", "percentile"], rows))
        return None
    overview = client.stats.overview()
    if args.json:
        return overview
    rows = [
        [name, f"{value:,}" if isinstance(value, int) else value]
        for name, value in overview.model_dump().items()
    ]
    console.print(_table("SoundStream overview", ["measure", "value"], rows))
    return None


def _retrain(client: SoundStream, args: argparse.Namespace, console: Console) -> Any:
    accepted = client.models.retrain(force=args.force)
    return follow(client, accepted, args, console, _table)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="soundstream",
        description="SoundStream Analytics from the command line: recommendations, search, "
        "top artists, statistics, retraining and scheduled jobs.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--base-url", help="API base URL (default: $SOUNDSTREAM_BASE_URL)")
    parser.add_argument("--api-key", help="API key (default: $SOUNDSTREAM_API_KEY)")
    parser.add_argument("--timeout", type=float, default=10.0, help="Seconds per request")
    parser.add_argument("--json", action="store_true", help="Print JSON instead of tables")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    recommend = commands.add_parser("recommend", help="Recommended artists for a user")
    recommend.add_argument("user_id", type=int)
    recommend.add_argument("-k", type=int, default=10, help="How many (default 10)")
    recommend.add_argument("--include-listened", action="store_true")
    recommend.add_argument("--explain", action="store_true", help="Say why each was chosen")
    recommend.set_defaults(handler=_recommend)

    search = commands.add_parser("search", help="Artists by tags")
    search.add_argument("--tag", action="append", required=True, help="Repeat for more tags")
    search.add_argument("--match", choices=["all", "any"], default="all")
    search.add_argument("--sort", choices=["relevance", "listeners", "plays"], default=None)
    search.add_argument("--limit", type=int, default=20)
    search.set_defaults(handler=_search)

    top = commands.add_parser("top-artists", help="The most played (or listened) artists")
    top.add_argument("--by", choices=["plays", "listeners"], default="plays")
    top.add_argument("--limit", type=int, default=10)
    top.set_defaults(handler=_top_artists)

    stats = commands.add_parser("stats", help="Overview, or one user's statistics")
    stats.add_argument("--user", type=int, default=None, help="A user id")
    stats.set_defaults(handler=_stats)

    retrain = commands.add_parser("retrain", help="Retrain the recommendation model (admin)")
    retrain.add_argument("--force", action="store_true", help="Even if the data is unchanged")
    add_wait_options(retrain)
    retrain.set_defaults(handler=_retrain)

    add_jobs_parser(commands, _table)
    return parser


def _to_json(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    if isinstance(value, dict):
        return {key: _to_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_to_json(item) for item in value]
    return value


def run(
    argv: Sequence[str] | None = None,
    *,
    client: SoundStream | None = None,
    console: Console | None = None,
) -> int:
    """Run the command line; returns the exit status."""
    from rich.console import Console

    args = build_parser().parse_args(argv)
    console = console or Console()
    errors = Console(stderr=True) if console.file is sys.stdout else console
    api = client or SoundStream(base_url=args.base_url, api_key=args.api_key, timeout=args.timeout)
    try:
        with api:
            result = args.handler(api, args, console)
    except APIStatusError as error:
        detail = error.problem.detail if error.problem and error.problem.detail else str(error)
        errors.print(f"[red]Error {error.status_code}:[/red] {detail}")
        if error.request_id:
            errors.print(f"request id: {error.request_id}")
        return 1
    except SoundStreamError as error:
        errors.print(f"[red]Error:[/red] {error}")
        return 1
    if args.json:
        console.print_json(json.dumps(_to_json(result)))
    return 0


def main() -> None:
    try:
        import rich  # noqa: F401
    except ImportError:
        print(CLI_EXTRA_MISSING, file=sys.stderr)
        sys.exit(1)
    sys.exit(run())
