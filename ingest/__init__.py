"""Ingest: report files (PDF, HTML, plain text, Markdown) in, `Report` values out.

Public names are re-exported here; nothing in this package imports `search` or `web`.
"""

from ingest.errors import EntityConfigError, IngestError, UnsupportedFormatError
from ingest.extract import extract_report, iter_report_files, report_id, slugify
from ingest.model import ENTITY_TYPES, EntityCount, Mention, Report, Section
from ingest.registry import SUPPORTED_SUFFIXES

__all__ = [
    "ENTITY_TYPES",
    "EntityConfigError",
    "EntityCount",
    "IngestError",
    "Mention",
    "Report",
    "SUPPORTED_SUFFIXES",
    "Section",
    "UnsupportedFormatError",
    "extract_report",
    "iter_report_files",
    "report_id",
    "slugify",
]
