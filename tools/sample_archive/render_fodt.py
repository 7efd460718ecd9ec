"""Render a ReportSource as a flat ODT (.fodt) and export it with LibreOffice.

This is how a report written in a word processor comes to life: a Writer
document with Heading 1/2 paragraph styles, a page header with the report
name and a footer "Page N of M", exported to PDF by ``soffice --headless``.
Header keys used here: ``author``, ``running`` (header text), ``font``
(a font family installed on the machine) and ``outline`` (export bookmarks).
"""
from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from source import ReportSource

_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"'
)

_STYLES = """
<office:font-face-decls>
 <style:font-face style:name="{font}" svg:font-family="'{font}'" style:font-family-generic="roman"/>
 <style:font-face style:name="Liberation Sans" svg:font-family="'Liberation Sans'" style:font-family-generic="swiss"/>
</office:font-face-decls>
<office:styles>
 <style:default-style style:family="paragraph">
  <style:text-properties style:font-name="{font}" fo:font-size="11pt" fo:language="en" fo:country="US" fo:hyphenate="true"/>
 </style:default-style>
 <style:style style:name="Standard" style:family="paragraph" style:class="text"/>
 <style:style style:name="Text_20_body" style:display-name="Text body" style:family="paragraph" style:parent-style-name="Standard">
  <style:paragraph-properties fo:margin-top="0in" fo:margin-bottom="0.1in" fo:line-height="120%" fo:text-align="justify"/>
 </style:style>
 <style:style style:name="Title" style:family="paragraph" style:parent-style-name="Standard" style:class="chapter">
  <style:paragraph-properties fo:text-align="center" fo:margin-bottom="0.05in"/>
  <style:text-properties style:font-name="Liberation Sans" fo:font-size="20pt" fo:font-weight="bold"/>
 </style:style>
 <style:style style:name="Subtitle" style:family="paragraph" style:parent-style-name="Standard" style:class="chapter">
  <style:paragraph-properties fo:text-align="center" fo:margin-bottom="0.25in"/>
  <style:text-properties fo:font-size="12pt" fo:font-style="italic"/>
 </style:style>
 <style:style style:name="Heading" style:family="paragraph" style:parent-style-name="Standard" style:next-style-name="Text_20_body" style:class="text">
  <style:paragraph-properties fo:margin-top="0.2in" fo:margin-bottom="0.08in" fo:keep-with-next="always"/>
  <style:text-properties style:font-name="Liberation Sans" fo:font-weight="bold"/>
 </style:style>
 <style:style style:name="Heading_20_1" style:display-name="Heading 1" style:family="paragraph" style:parent-style-name="Heading" style:default-outline-level="1" style:class="text">
  <style:text-properties fo:font-size="16pt" fo:font-weight="bold"/>
 </style:style>
 <style:style style:name="Heading_20_2" style:display-name="Heading 2" style:family="paragraph" style:parent-style-name="Heading" style:default-outline-level="2" style:class="text">
  <style:text-properties fo:font-size="13pt" fo:font-weight="bold"/>
 </style:style>
 <style:style style:name="List_20_Bullet" style:display-name="List Bullet" style:family="paragraph" style:parent-style-name="Text_20_body">
  <style:paragraph-properties fo:margin-bottom="0.04in"/>
 </style:style>
 <style:style style:name="Header" style:family="paragraph" style:parent-style-name="Standard" style:class="extra">
  <style:paragraph-properties fo:text-align="end"/>
  <style:text-properties fo:font-size="9pt" fo:color="#555555"/>
 </style:style>
 <style:style style:name="Footer" style:family="paragraph" style:parent-style-name="Standard" style:class="extra">
  <style:paragraph-properties fo:text-align="center"/>
  <style:text-properties fo:font-size="9pt"/>
 </style:style>
 <text:list-style style:name="Bullets">
  <text:list-level-style-bullet text:level="1" text:bullet-char="\u2022">
   <style:list-level-properties text:list-level-position-and-space-mode="label-alignment">
    <style:list-level-label-alignment text:label-followed-by="listtab" text:list-tab-stop-position="0.3in" fo:text-indent="-0.2in" fo:margin-left="0.3in"/>
   </style:list-level-properties>
  </text:list-level-style-bullet>
 </text:list-style>
</office:styles>
<office:automatic-styles>
 <style:page-layout style:name="pm1">
  <style:page-layout-properties fo:page-width="{width}" fo:page-height="{height}" fo:margin-top="0.6in" fo:margin-bottom="0.6in" fo:margin-left="1in" fo:margin-right="1in"/>
  <style:header-style><style:header-footer-properties fo:min-height="0in" fo:margin-bottom="0.25in" fo:border-bottom="0.5pt solid #888888" fo:padding-bottom="0.03in"/></style:header-style>
  <style:footer-style><style:header-footer-properties fo:min-height="0in" fo:margin-top="0.25in"/></style:footer-style>
 </style:page-layout>
</office:automatic-styles>
<office:master-styles>
 <style:master-page style:name="Standard" style:page-layout-name="pm1">
  <style:header><text:p text:style-name="Header">{running}</text:p></style:header>
  <style:footer><text:p text:style-name="Footer">{footer} \u2013 Page <text:page-number text:select-page="current">1</text:page-number> of <text:page-count>1</text:page-count></text:p></style:footer>
 </style:master-page>
</office:master-styles>
"""

_PAPER = {"letter": ("8.5in", "11in"), "a4": ("8.27in", "11.69in")}


def to_fodt(src: ReportSource) -> str:
    """Return the flat ODT XML for one report."""
    meta = src.meta
    width, height = _PAPER[meta.get("paper", "letter")]
    created = f"{src.date.isoformat()}T09:00:00"
    head = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document {_NS} '
        'office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">\n'
        "<office:meta>"
        f"<dc:title>{escape(src.title)}</dc:title>"
        f"<meta:initial-creator>{escape(meta.get('author', 'DM Project Office'))}</meta:initial-creator>"
        f"<meta:creation-date>{created}</meta:creation-date><dc:date>{created}</dc:date>"
        "</office:meta>"
    )
    styles = _STYLES.format(
        font=meta.get("font", "Liberation Serif"), width=width, height=height,
        running=escape(meta.get("running", src.title)),
        footer=escape(meta.get("footer", "Rubin Observatory Data Management")),
    )
    body = [f'<text:p text:style-name="Title">{escape(src.title)}</text:p>']
    if "subtitle" in meta:
        body.append(f'<text:p text:style-name="Subtitle">{escape(meta["subtitle"])}</text:p>')
    for block in src.blocks:
        if block.kind in ("h1", "h2"):
            level = block.kind[1]
            body.append(f'<text:h text:style-name="Heading_20_{level}" '
                        f'text:outline-level="{level}">{escape(block.text)}</text:h>')
        elif block.kind == "p":
            body.append(f'<text:p text:style-name="Text_20_body">{escape(block.text)}</text:p>')
        elif block.kind == "ul":
            items = "".join(
                f'<text:list-item><text:p text:style-name="List_20_Bullet">{escape(i)}'
                "</text:p></text:list-item>" for i in block.items)
            body.append(f'<text:list text:style-name="Bullets">{items}</text:list>')
    return (head + styles + "<office:body><office:text>\n" + "\n".join(body)
            + "\n</office:text></office:body></office:document>\n")


def build_fodt(src: ReportSource, out_dir: Path, keep_fodt: Path | None = None) -> Path:
    """Export the report with soffice, bookmarks on or off as the source asks."""
    xml = to_fodt(src)
    if keep_fodt is not None:
        keep_fodt.write_text(xml, encoding="utf-8")
    options = json.dumps({"ExportBookmarks": {"type": "boolean", "value": str(src.outline).lower()}})
    with tempfile.TemporaryDirectory() as tmp:
        job = Path(src.output).stem
        doc = Path(tmp) / f"{job}.fodt"
        doc.write_text(xml, encoding="utf-8")
        # A private profile keeps us off any colleague's running LibreOffice.
        profile = (Path(tmp) / "profile").as_uri()
        proc = subprocess.run(
            ["soffice", f"-env:UserInstallation={profile}", "--headless",
             "--convert-to", f"pdf:writer_pdf_Export:{options}", "--outdir", tmp, str(doc)],
            capture_output=True, text=True, timeout=180)
        pdf = Path(tmp) / f"{job}.pdf"
        if proc.returncode != 0 or not pdf.exists():
            raise RuntimeError(f"soffice failed on {src.path}: {proc.stderr or proc.stdout}")
        target = out_dir / src.output
        shutil.copyfile(pdf, target)
    return target
