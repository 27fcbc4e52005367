"""Import of the HetRec 2011 Last.fm files into the catalog and listening databases.

Entry point: :func:`run_import`. Policies for irregular data are described in docs/data.md.
"""

from soundstream_admin.importing.errors import DataFileError, DataImportError, SourceError
from soundstream_admin.importing.pipeline import run_import
from soundstream_admin.importing.report import ImportReport
from soundstream_admin.importing.sources import DataSource

__all__ = [
    "DataFileError",
    "DataImportError",
    "DataSource",
    "ImportReport",
    "SourceError",
    "run_import",
]
