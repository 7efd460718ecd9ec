"""Render a ReportSource as a LaTeX document and run pdflatex on it.

Header keys used here: ``font`` (cm, times or charter), ``headers`` (fancy
for fancyhdr running header/footer, plain for page numbers only),
``paper`` (a4paper or letterpaper), ``author`` and ``outline``.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from source import ReportSource

# One replacement per character, so escapes are never escaped twice.
_ESCAPES = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
    "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\^{}",
    "\u2013": "--", "\u2014": "---", "\u2018": "`", "\u2019": "'",
    "\u201c": "``", "\u201d": "''",
}
_FONTS = {
    "cm": "",
    "times": "\\usepackage[T1]{fontenc}\n\\usepackage{mathptmx}\n",
    "charter": "\\usepackage[T1]{fontenc}\n\\usepackage{charter}\n",
}


def escape(text: str) -> str:
    """Escape LaTeX special characters and typographic quotes."""
    return "".join(_ESCAPES.get(ch, ch) for ch in text)


def to_latex(src: ReportSource) -> str:
    """Return the full .tex text for one report."""
    meta = src.meta
    font = _FONTS[meta.get("font", "cm")]
    paper = meta.get("paper", "letterpaper")
    if src.outline:
        hyper = ("\\usepackage[bookmarks=true,bookmarksopen=true,"
                 f"pdftitle={{{escape(src.title)}}}]{{hyperref}}\n")
    elif meta.get("hyperref", "no") == "yes":
        hyper = "\\usepackage[bookmarks=false]{hyperref}\n"
    else:
        hyper = ""
    if meta.get("headers", "plain") == "fancy":
        running = escape(meta.get("running", src.title))
        pages = (
            "\\usepackage{fancyhdr}\n\\pagestyle{fancy}\n\\fancyhf{}\n"
            f"\\lhead{{\\small {running}}}\n\\rhead{{\\small Rubin Observatory DM}}\n"
            "\\cfoot{\\small Page \\thepage}\n"
            f"\\lfoot{{\\small {escape(meta.get('footer', ''))}}}\n"
            "\\renewcommand{\\headrulewidth}{0.4pt}\n"
        )
    else:
        pages = "\\pagestyle{plain}\n"
    lines = [
        f"\\documentclass[{meta.get('size', '11pt')},{paper}]{{article}}",
        "\\usepackage[utf8]{inputenc}",
        font.rstrip("\n"),
        f"\\usepackage[margin={meta.get('margin', '1in')}]{{geometry}}",
        hyper.rstrip("\n"),
        pages.rstrip("\n"),
        f"\\title{{{escape(src.title)}}}",
        f"\\author{{{escape(meta.get('author', 'Data Management'))}}}",
        f"\\date{{{escape(meta.get('display_date', src.date.strftime('%B %-d, %Y')))}}}",
        "\\begin{document}",
        "\\maketitle",
    ]
    if meta.get("headers", "plain") == "fancy":
        lines.append("\\thispagestyle{fancy}")
    for block in src.blocks:
        if block.kind == "h1":
            lines.append(f"\n\\section*{{{escape(block.text)}}}")
            if src.outline:
                # unnumbered sections get no bookmark unless we add one
                lines.append(f"\\addcontentsline{{toc}}{{section}}{{{escape(block.text)}}}")
        elif block.kind == "h2":
            lines.append(f"\n\\subsection*{{{escape(block.text)}}}")
            if src.outline:
                lines.append(
                    f"\\addcontentsline{{toc}}{{subsection}}{{{escape(block.text)}}}")
        elif block.kind == "p":
            lines.append("\n" + escape(block.text))
        elif block.kind == "ul":
            lines.append("\n\\begin{itemize}")
            lines.extend(f"  \\item {escape(item)}" for item in block.items)
            lines.append("\\end{itemize}")
    lines.append("\n\\end{document}\n")
    return "\n".join(line for line in lines if line != "")


def build_latex(src: ReportSource, out_dir: Path, keep_tex: Path | None = None) -> Path:
    """Run pdflatex twice (outline needs a second pass) and copy the PDF to out_dir."""
    tex = to_latex(src)
    if keep_tex is not None:
        keep_tex.write_text(tex, encoding="utf-8")
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(src.epoch), FORCE_SOURCE_DATE="1")
    with tempfile.TemporaryDirectory() as tmp:
        job = Path(src.output).stem
        (Path(tmp) / f"{job}.tex").write_text(tex, encoding="utf-8")
        for _ in range(2):
            proc = subprocess.run(
                ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", f"{job}.tex"],
                cwd=tmp, env=env, capture_output=True, text=True, errors="replace")
            if proc.returncode != 0:
                log = proc.stdout[-2000:]
                raise RuntimeError(f"pdflatex failed on {src.path}:\n{log}")
        target = out_dir / src.output
        shutil.copyfile(Path(tmp) / f"{job}.pdf", target)
    return target
