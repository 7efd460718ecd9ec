"""The `report-archive` command line: a thin layer over ingest, search and web."""
