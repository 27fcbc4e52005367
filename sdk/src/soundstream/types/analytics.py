"""The analytics warehouse: extractors, export runs, query templates, data quality.

The models are generated from the gateway's OpenAPI document (``_generated.py``).
"""

from soundstream.types._generated import (
    ExportRun,
    ExportRunTable,
    Extractor,
    QualityReport,
    QualitySummary,
    QueryParam,
    QueryResult,
    QueryTemplate,
    WarehouseColumn,
)

__all__ = [
    "ExportRun",
    "ExportRunTable",
    "Extractor",
    "QualityReport",
    "QualitySummary",
    "QueryParam",
    "QueryResult",
    "QueryTemplate",
    "WarehouseColumn",
]
