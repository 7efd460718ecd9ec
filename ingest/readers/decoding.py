"""Turning the bytes of a text-like file into str, and refusing files that are not text.

Shared by the plain-text, Markdown and HTML readers, so that binary junk behind a `.txt` or
`.html` name gets the same clear message everywhere.

- A byte order mark selects the encoding: UTF-8, UTF-16 or UTF-32 (LE/BE); without one,
  UTF-8, else cp1252 as old mail archives need.
- The whole file is judged, not a sample of its head: binary junk after a page of text is
  still junk. A file is refused when more than `MAX_CONTROL_SHARE` of it is control
  characters (NUL included), or when it is not UTF-8 and more than `MAX_HIGH_SHARE` of its
  bytes are above 0x7F (real cp1252 text has a few accents and quotes, random bytes half).
- Text that passes keeps no NULs or other control characters (tab, line feed, form feed
  and carriage return apart): a stray NUL deep in a file never reaches the index.
"""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

from ingest.errors import IngestError

# Control characters that never occur in real text files (tab, LF, FF, CR excluded).
_CONTROL = bytes(sorted(set(range(0, 32)) - {9, 10, 12, 13}) + [0x7F])
_HIGH = bytes(range(0x80, 0x100))
#: str.translate table that deletes those control characters from decoded text.
_STRIP = dict.fromkeys(_CONTROL)
MAX_CONTROL_SHARE = 0.05
MAX_HIGH_SHARE = 0.30
# UTF-32 LE's mark starts with UTF-16 LE's: test the longer ones first.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def bom_encoding(data: bytes) -> tuple[str, int] | None:
    """(encoding, length of the mark) when `data` starts with a byte order mark."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    return None


def ensure_text_bytes(path: Path, data: bytes, kind: str) -> None:
    """Raise IngestError unless `data` plausibly holds text: not empty, not binary."""
    marked = bom_encoding(data)
    if marked and marked[0].startswith("utf-"):
        if marked[0] != "utf-8":  # 16/32-bit text: judge the characters, not the bytes
            text = data[marked[1]:].decode(marked[0], errors="replace")
            if not text.strip():
                raise _empty(path)
            if _junk_share(text) > MAX_CONTROL_SHARE:
                raise _binary(path, kind, f"it is not valid {marked[0].upper()} text")
            return
        data = data[marked[1]:]
    if not data.strip():
        raise _empty(path)
    if b"\x00" in data[:4096] or _share(data, _CONTROL) > MAX_CONTROL_SHARE:
        raise _binary(path, kind, "it contains binary data")
    if _share(data, _HIGH) > MAX_HIGH_SHARE and not _is_utf8(data):
        raise _binary(path, kind, "most of its bytes are neither ASCII nor UTF-8")


def decode_text(data: bytes) -> str:
    """Decode by the byte order mark, else UTF-8, else cp1252; drop control characters.

    cp1252 leaves five bytes undefined; those become U+FFFD rather than failing the file.
    """
    marked = bom_encoding(data)
    if marked:
        text = data[marked[1]:].decode(marked[0], errors="replace")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    return text.translate(_STRIP)


def _junk_share(text: str, windows: int = 64, width: int = 1024) -> float:
    """Share of characters no text holds (controls, unassigned, private use, surrogates,
    U+FFFD) in `windows` slices spread over the whole text: random bytes read as UTF-16
    are mostly valid code points, but a fifth or more of them are of these kinds."""
    step = max(len(text) // windows, width)
    sample = "".join(text[i:i + width] for i in range(0, len(text), step))
    junk = sum(1 for c in sample if c == "\ufffd" or (
        unicodedata.category(c)[0] == "C" and c not in "\t\n\r\f"))
    return junk / max(len(sample), 1)


def _share(data: bytes, chars: bytes) -> float:
    # bytes.translate deletes in C: far cheaper than a Python loop over every byte.
    return (len(data) - len(data.translate(None, chars))) / max(len(data), 1)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _empty(path: Path) -> IngestError:
    return IngestError(path, "the file is empty; there is nothing to ingest")


def _binary(path: Path, kind: str, why: str) -> IngestError:
    return IngestError(path, f"does not look like {kind} ({why}); check that the file is "
                             "what its extension says")
