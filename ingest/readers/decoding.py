"""Turning the bytes of a text-like file into str, and refusing files that are not text.

Shared by the plain-text, Markdown and HTML readers, so that binary junk behind a `.txt` or
`.html` name gets the same clear message everywhere.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from ingest.errors import IngestError

# Control characters that never occur in real text files (tab, LF, FF, CR excluded).
_CONTROL = bytes(sorted(set(range(0, 32)) - {9, 10, 12, 13}))


def ensure_text_bytes(path: Path, data: bytes, kind: str) -> None:
    """Raise IngestError unless `data` plausibly holds text: not empty, not binary."""
    if not data.strip() or not data.lstrip(codecs.BOM_UTF8).strip():
        raise IngestError(path, "the file is empty; there is nothing to ingest")
    sample = data[:4096]
    if b"\x00" in sample or _control_ratio(sample) > 0.05:
        raise IngestError(
            path,
            f"does not look like {kind} (it contains binary data); "
            "check that the file is what its extension says",
        )


def decode_text(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), falling back to cp1252 as old mail archives need.

    cp1252 leaves five bytes undefined; those become U+FFFD rather than failing the file.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _control_ratio(sample: bytes) -> float:
    # bytes.translate deletes in C: far cheaper than a Python loop over every byte.
    return (len(sample) - len(sample.translate(None, _CONTROL))) / max(len(sample), 1)
