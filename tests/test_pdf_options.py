"""Choosing the PDF engine and OCR: the config file, the command line, and ingest's work plan."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import main
from ingest.options import ConfigError, ReadOptions, load_options
from ingest.readers.pdf import count_pages
from ingest.readers.pdf_engine import PdfLimits
from search import _ingest

FIXTURES = Path(__file__).parent / "fixtures" / "pdf"
SAMPLES = Path(__file__).parent.parent / "sample_reports"


def test_defaults_without_a_config_file(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_options() == ReadOptions(pdf_reader="pdfium", ocr=False, limits=PdfLimits())


def test_the_config_file_in_the_current_directory(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "report-archive.toml").write_text(
        '[pdf]\nreader = "pdfminer"\nocr = true\nmax_inflate_mb = 50\nmax_pages = 300\n'
        "max_seconds = 30\n")
    options = load_options()
    assert (options.pdf_reader, options.ocr) == ("pdfminer", True)
    assert options.limits == PdfLimits(max_inflated_bytes=50 * 2**20, max_pages=300,
                                       max_seconds=30.0)
    # The command line wins over the file.
    assert options.with_overrides(pdf_reader="pdfium", ocr=False).pdf_reader == "pdfium"


@pytest.mark.parametrize(("body", "message"), [
    ('[pdf]\nreader = "acrobat"\n', "unknown PDF reader 'acrobat'; use one of pdfium, pdfminer"),
    ("[pdf]\nmax_pages = 0\n", "[pdf] max_pages must be a positive number, not 0"),
    ("[pdf]\nocr = 'yes'\n", "[pdf] ocr must be true or false, not 'yes'"),
    ("[pdf]\nmax_page = 3\n", "unknown [pdf] key 'max_page'"),
    ("[pdf\n", "not a readable TOML file"),
])
def test_a_bad_config_file_is_named(tmp_path, body, message) -> None:
    path = tmp_path / "conf.toml"
    path.write_text(body)
    with pytest.raises(ConfigError) as err:
        load_options(path)
    assert str(err.value).startswith(f"{path}: ")
    assert message in str(err.value)


def test_cli_pdf_reader_and_config(tmp_path) -> None:
    pdf = str(FIXTURES / "latex_contents.pdf")
    outputs = {}
    for engine in ("pdfium", "pdfminer"):
        result = CliRunner().invoke(main, ["extract", pdf, "--pdf-reader", engine, "--json"])
        assert result.exit_code == 0, result.output
        outputs[engine] = json.loads(result.output)
    assert outputs["pdfium"] == outputs["pdfminer"]
    result = CliRunner().invoke(main, ["extract", pdf, "--config", str(tmp_path / "none.toml")])
    assert result.exit_code == 1
    assert f"no such configuration file; check the --config path" in result.output
    bad = tmp_path / "bad.toml"
    bad.write_text('[pdf]\nreader = "acrobat"\n')
    result = CliRunner().invoke(main, ["ingest", pdf, "--index", str(tmp_path / "ix"),
                                       "--config", str(bad)])
    assert result.exit_code == 1
    assert "unknown PDF reader 'acrobat'" in result.output


def test_config_limits_reach_ingest(tmp_path) -> None:
    conf = tmp_path / "limits.toml"
    conf.write_text("[pdf]\nmax_pages = 2\n")
    reports = tmp_path / "reports"
    reports.mkdir()
    shutil.copy(FIXTURES / "latex_contents.pdf", reports)  # 5 pages
    shutil.copy(FIXTURES / "writer_plain.pdf", reports)    # 3 pages
    shutil.copy(SAMPLES / "2022-08-dm-status.pdf", reports)  # 2 pages
    result = CliRunner().invoke(main, ["ingest", str(reports), "--index", str(tmp_path / "ix"),
                                       "--config", str(conf), "--jobs", "1"])
    assert result.exit_code == 1
    assert "latex_contents.pdf: has 5 pages, more than the limit of 2 per file" in result.output
    assert "writer_plain.pdf: has 3 pages" in result.output
    assert "1 added" in result.output


def test_work_is_counted_in_pages() -> None:
    assert count_pages((FIXTURES / "latex_contents.pdf").read_bytes()) == 5
    assert count_pages((FIXTURES / "encrypted.pdf").read_bytes()) is None
    assert count_pages(b"not a pdf") is None
    assert _ingest.work_of(FIXTURES / "latex_contents.pdf") == 5.0
    text = next(SAMPLES.glob("*.txt"))
    assert _ingest.work_of(text) == pytest.approx(text.stat().st_size / _ingest.TEXT_BYTES_PER_PAGE)


def test_the_work_not_the_file_count_decides_on_workers() -> None:
    three_long = {"a.pdf": 25.0, "b.pdf": 25.0, "c.pdf": 3.0}
    assert _ingest.use_workers(2, three_long)
    assert not _ingest.use_workers(1, three_long)
    assert not _ingest.use_workers(2, {"a.pdf": 3.0, "b.txt": 0.8})
    assert not _ingest.use_workers(2, {"one.pdf": 400.0})  # one file: nothing to share
    assert _ingest.use_workers(2, {f"{n}.txt": 0.5 for n in range(_ingest.PARALLEL_MIN_FILES)})


def _long_pdf(path: Path, pages: int) -> None:
    """A plain multi-page report written by reportlab (a real producer, one heading a page)."""
    from reportlab.lib.pagesizes import A5
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A5, invariant=1)
    for n in range(pages):
        c.setFont("Helvetica-Bold", 14)
        c.drawString(50, 540, f"Week {n + 1} of the long transfer campaign")
        c.setFont("Times-Roman", 10)
        for line in range(20):
            c.drawString(50, 500 - 14 * line, f"Line {line} of the notes kept during week {n + 1}.")
        c.showPage()
    c.save()


def test_a_few_long_pdfs_are_shared_between_workers(tmp_path) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    for n in range(2):
        _long_pdf(reports / f"campaign-{n}.pdf", 25)
    shutil.copy(SAMPLES / "2021-09-dm-monthly.pdf", reports)
    files = sorted(reports.iterdir())
    work = {str(p): _ingest.work_of(p) for p in files}
    assert sorted(work.values()) == [3.0, 25.0, 25.0]
    assert _ingest.use_workers(2, work)
    one = _ingest.ingest_paths([reports], tmp_path / "one", jobs=1)
    two = _ingest.ingest_paths([reports], tmp_path / "two", jobs=2)
    assert one.added == two.added == 3 and not one.failed and not two.failed
