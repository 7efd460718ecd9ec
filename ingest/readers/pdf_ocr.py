"""OCR for scanned PDFs: OCRmyPDF (with Tesseract) writes a temporary copy with a text layer.

Only used with ``--ocr`` (or ``ocr = true`` in the config). It calls Debian's ``ocrmypdf``
command rather than its Python API, so the package stays optional: without it, ``--ocr``
gives a clear message saying what to install. ``--skip-text`` leaves pages that already
have text alone, so a page with both text and a scanned image is read from its text.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ingest.errors import IngestError
from ingest.readers.pdf_engine import PdfLimits

_INSTALL = "install Debian's ocrmypdf and tesseract-ocr packages (apt-get install ocrmypdf tesseract-ocr)"


def ocr_copy(path: Path, data: bytes, limits: PdfLimits) -> bytes:
    """The bytes of an OCRed copy of the PDF `data` (pages with text are kept as they are)."""
    tool = shutil.which("ocrmypdf")
    if tool is None or shutil.which("tesseract") is None:
        raise IngestError(path, f"has no text layer and --ocr needs OCRmyPDF; {_INSTALL}")
    with tempfile.TemporaryDirectory(prefix="report-archive-ocr-") as tmp:
        source, target = Path(tmp) / "in.pdf", Path(tmp) / "out.pdf"
        source.write_bytes(data)
        command = [tool, "--quiet", "--skip-text", "--output-type", "pdf", "--optimize", "0",
                   "--jobs", "1", "--language", "eng", str(source), str(target)]
        try:
            proc = subprocess.run(command, capture_output=True, text=True, errors="replace",
                                  timeout=limits.max_seconds, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise IngestError(path, f"OCR took longer than the limit of {limits.max_seconds:g} s "
                              "per file; OCR it yourself with `ocrmypdf in.pdf out.pdf` and "
                              "ingest the result") from None
        if proc.returncode != 0 or not target.is_file():
            last = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no message"]
            raise IngestError(path, f"OCR failed (ocrmypdf exit {proc.returncode}: "
                              f"{last[0][:160]}); try `ocrmypdf in.pdf out.pdf` by hand")
        return target.read_bytes()
