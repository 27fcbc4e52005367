"""The analytics service's domain errors; the chassis turns each into a problem+json response."""

from __future__ import annotations

from soundstream_common.errors import (
    ConflictError,
    DependencyUnavailableError,
    InvalidInputError,
    NotFoundError,
)


class SourceUnavailableError(DependencyUnavailableError):
    """A service's export could not be read whole."""

    slug, title = "source-unavailable", "Source export unavailable"

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"The {source} export could not be read: {reason}.", source=source)
        self.source = source
        self.reason = reason


class SchemaChangedError(ConflictError):
    """A row type no longer matches the table it writes: it needs a new table version."""

    slug, title = "schema-changed", "Row type changed"

    def __init__(self, table: str, detail: str) -> None:
        super().__init__(
            f"Table {table} exists with other columns ({detail}); a changed row type is a new "
            "table version (raise the extractor's version).",
            table=table,
        )


class ExtractorNotFoundError(NotFoundError):
    slug, title = "extractor-not-found", "Extractor not found"

    def __init__(self, name: str) -> None:
        super().__init__(f"No extractor is named {name!r}.", extractor=name)


class QueryNotFoundError(NotFoundError):
    slug, title = "query-not-found", "Query template not found"

    def __init__(self, name: str) -> None:
        super().__init__(f"No query template is named {name!r}.", query=name)


class QueryParameterError(InvalidInputError):
    """A parameter the query template does not take, or a missing one."""

    slug, title = "invalid-query-parameter", "Invalid query parameter"

    def __init__(self, name: str, message: str) -> None:
        super().__init__(
            f"{name}: {message}.",
            errors=[{"loc": ["query", name], "msg": message, "type": "query_parameter"}],
        )


class InvalidRangeError(InvalidInputError):
    slug, title = "invalid-range", "Invalid range"

    def __init__(self) -> None:
        super().__init__(
            "from must not be after to.",
            errors=[{"loc": ["query", "from"], "msg": "must not be after to", "type": "range"}],
        )


class ReportNotFoundError(NotFoundError):
    slug, title = "quality-report-not-found", "Quality report not found"
