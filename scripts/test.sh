#!/usr/bin/env bash
# The test command from the README (and what CI runs): installs everything the tests need on
# a fresh Debian machine — Chromium for the browser test, PostgreSQL 15 for the
# PostgreSQL engine's tests, OCRmyPDF and Tesseract for the --ocr tests, the package with
# its test extra in a virtualenv — then runs pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
APT_UPDATED=""
apt_install() {  # apt_install PACKAGE... (apt-get update once per run)
    [ -n "$APT_UPDATED" ] || { $SUDO apt-get update -q >/dev/null; APT_UPDATED=1; }
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "$@" >/dev/null
}

if ! command -v chromium >/dev/null 2>&1; then
    echo "Installing Debian's chromium for the browser test..." >&2
    apt_install chromium
fi
if ! command -v ocrmypdf >/dev/null 2>&1 || ! command -v tesseract >/dev/null 2>&1; then
    echo "Installing Debian's ocrmypdf and tesseract-ocr for the OCR tests..." >&2
    apt_install ocrmypdf tesseract-ocr tesseract-ocr-eng
fi

# The PostgreSQL engine's tests start throwaway servers of Debian's PostgreSQL 15
# (tests/pg_server.py); pg_trgm ships with it.
if [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then
    echo "Installing Debian's postgresql-15 for the PostgreSQL engine's tests..." >&2
    apt_install postgresql-15
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
exec .venv/bin/python -m pytest "$@"
