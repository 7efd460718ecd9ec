"""Benchmarks of ingest, search and the web API against the raw libraries.

Run ``python -m bench --quick`` (see bench/README.md). Not part of the layered app: bench may
import whoosh, pdfminer and bs4 directly, to measure our code next to the raw library.
"""
