"""A deterministic, scalable synthetic archive of monthly status reports.

`ensure_corpus(data_dir, sections, seed)` writes reports in text, Markdown and HTML until
they hold `sections` sections in total (1k, 10k, 100k...), and caches them under
``bench/data/`` (gitignored) with a manifest. Report *i* depends only on (seed, i), so a
smaller corpus is a prefix of a larger one and two runs with the same seed are identical.

Shape (sections per report, words per section, entity mentions per 100 words by type)
comes from `PROFILE`, measured on ``sample_reports/`` with our own extractor; re-measure
with ``python -m bench.corpus --measure sample_reports`` after the sample archive changes.
"""

from __future__ import annotations

import html
import json
import math
import random
import statistics
import sys
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench import vocab

#: Bump when the generated text changes, so cached corpora are rebuilt.
GENERATOR_VERSION = 2


@dataclass(frozen=True)
class Profile:
    """How big reports are and how densely they mention entities."""

    sections_mean: float
    sections_sd: float
    words_median: float  # words per section: log-normal with this median...
    words_sigma: float  # ...and this sigma of ln(words)
    mentions_per_100: dict[str, float] = field(default_factory=dict)


# Measured with `python -m bench.corpus --measure sample_reports` (ingest.extract_report with
# the shipped matcher over every readable file in sample_reports/: 40 reports at commit
# 3dea19b, two scanned PDFs skipped): sections per report (mean, sd), the median and
# ln-sigma of words per section (Section.text split on white space), and entity mentions
# per 100 words by type over the whole archive. The same command on a generated corpus
# gives these figures back to within a few percent.
PROFILE = Profile(
    sections_mean=9.07, sections_sd=3.0, words_median=35.0, words_sigma=0.65,
    mentions_per_100={"document": 0.44, "milestone": 0.35, "ticket": 0.26, "system": 4.66,
                      "dataset": 1.47, "organization": 2.79, "meeting": 0.95},
)

FORMATS = ("text", "markdown", "html")
_SUFFIX = {"text": ".txt", "markdown": ".md", "html": ".html", "pdf": ".pdf"}
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_TEAMS = ("Data Management", "Middleware", "Data Access", "Alert Production",
          "Data Release Production", "Science Platform", "Data Facility", "Calibration",
          "Infrastructure", "Science Quality", "Networking", "Commissioning Support")
_HEADINGS = ("Summary", "Highlights", "Technical Progress", "Schedule and Milestones",
             "Risks and Issues", "Staffing", "Community Interactions", "Documentation",
             "Testing and Verification", "Operations", "Infrastructure Work", "Releases",
             "Data Processing", "Middleware Development", "Data Access Services",
             "Science Validation", "Networking Progress", "Budget and Contracts",
             "Meetings and Workshops", "Plans for Next Month", "Calibration Work",
             "Pipelines", "User Support", "Security", "Deployment", "Performance",
             "Storage and Databases", "Monitoring", "Hardware Procurement", "Training",
             "Change Control", "Interfaces", "Algorithms Research", "Quality Assurance",
             "Outreach", "Campaign Reports", "Open Issues", "Closed Issues", "Metrics",
             "Reviews")
#: Periods spread over twelve years; reports step through them by a stride coprime with
#: their number, so even a small corpus covers every year.
_N_MONTHS, _STRIDE = 144, 37


@dataclass
class PlannedSection:
    heading: str  # "" for the untitled opening section
    paragraphs: list[str]
    items: list[str]


@dataclass
class PlannedReport:
    index: int
    period: str
    title: str
    stem: str
    sections: list[PlannedSection]


class Generator:
    """Makes `PlannedReport` i from (seed, i); the same for every corpus size."""

    def __init__(self, seed: int, profile: Profile = PROFILE) -> None:
        self.seed, self.profile = seed, profile
        self.entities = vocab.entity_pool(seed)
        forbidden = {s.lower() for ents in self.entities.values() for e in ents for s in e.surfaces}
        self.words = vocab.vocabulary(seed, forbidden)
        self.word_weights = vocab.zipf_cum_weights(len(self.words))
        self.entity_weights = {t: vocab.zipf_cum_weights(len(e), 0.9)
                               for t, e in self.entities.items() if e}

    def report(self, i: int, max_sections: int | None = None) -> PlannedReport:
        """Report `i`: period, team title and sections (at most `max_sections`)."""
        rng = random.Random(f"{self.seed}-report-{i}")
        month = (i * _STRIDE) % _N_MONTHS
        year, mon = 2014 + month // 12, month % 12
        team = _TEAMS[(i // _N_MONTHS) % len(_TEAMS)]
        p = self.profile
        n = max(2, min(len(_HEADINGS) + 1, round(rng.gauss(p.sections_mean, p.sections_sd))))
        if max_sections is not None:
            n = max(1, min(n, max_sections))
        headings = rng.sample(_HEADINGS, n - 1)
        sections = [self._section(rng, h) for h in ["", *headings]]
        slug = team.lower().replace(" ", "-")
        return PlannedReport(
            index=i, period=f"{year}-{mon + 1:02d}",
            title=f"{team} Monthly Status Report for {_MONTHS[mon]} {year}",
            stem=f"{year}-{mon + 1:02d}-{slug}-status-{i:05d}", sections=sections)

    def _section(self, rng: random.Random, heading: str) -> PlannedSection:
        p = self.profile
        n_words = max(8, round(math.exp(rng.gauss(math.log(p.words_median), p.words_sigma))))
        mentions = []
        for type_, rate in p.mentions_per_100.items():
            pool = self.entities.get(type_)
            for _ in range(_poisson(rng, rate * n_words / 100.0) if pool else 0):
                entity = rng.choices(pool, cum_weights=self.entity_weights[type_])[0]
                mentions.append(rng.choice(entity.surfaces))
        # Mentions are part of the section's word count, so densities come out as measured.
        n_plain = max(4, n_words - sum(len(m.split()) for m in mentions))
        tokens = rng.choices(self.words, cum_weights=self.word_weights, k=n_plain)
        for mention in mentions:
            tokens.insert(rng.randrange(len(tokens) + 1), mention)
        sentences = _sentences(rng, tokens)
        items: list[str] = []
        if len(sentences) > 4 and rng.random() < 0.3:  # a closing bullet list
            k = rng.randint(2, 4)
            items, sentences = [s.rstrip(".") for s in sentences[-k:]], sentences[:-k]
        paragraphs, at = [], 0
        while at < len(sentences):
            k = rng.randint(2, 5)
            paragraphs.append(" ".join(sentences[at:at + k]))
            at += k
        return PlannedSection(heading, paragraphs, items)


def _poisson(rng: random.Random, lam: float) -> int:
    """Knuth's method; lambdas here are small (a few mentions per section)."""
    limit, k, prod = math.exp(-lam), 0, rng.random()
    while prod > limit:
        k += 1
        prod *= rng.random()
    return k


def _sentences(rng: random.Random, tokens: list[str]) -> list[str]:
    out, at = [], 0
    while at < len(tokens):
        k = rng.randint(7, 20)
        words = tokens[at:at + k]
        at += k
        if len(words) > 8 and rng.random() < 0.4:
            words[len(words) // 2] += ","
        sentence = " ".join(words)
        out.append(sentence[0].upper() + sentence[1:] + ".")
    return out


def render(report: PlannedReport, fmt: str) -> str:
    """The report as a file body in `fmt` (text, markdown or html)."""
    if fmt == "html":
        return _render_html(report)
    lines = [f"# {report.title}" if fmt == "markdown" else report.title, ""]
    underline = fmt == "text" and report.index % 2 == 0  # both heading styles of e-mails
    for section in report.sections:
        if section.heading:
            if fmt == "markdown":
                lines += [f"## {section.heading}", ""]
            elif underline:
                lines += [section.heading, "-" * len(section.heading), ""]
            else:
                lines += [f"# {section.heading}", ""]
        for paragraph in section.paragraphs:
            lines += (textwrap.wrap(paragraph, 76) if fmt == "text" else [paragraph]) + [""]
        if section.items:
            lines += [f"- {item}" for item in section.items] + [""]
    return "\n".join(lines)


def _render_html(report: PlannedReport) -> str:
    esc = html.escape
    body = [f"<h1>{esc(report.title)}</h1>"]
    for section in report.sections:
        if section.heading:
            body.append(f"<h2>{esc(section.heading)}</h2>")
        body += [f"<p>{esc(p)}</p>" for p in section.paragraphs]
        if section.items:
            body.append("<ul>" + "".join(f"<li>{esc(i)}</li>" for i in section.items) + "</ul>")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{esc(report.title)}</title></head><body>\n<nav><a href=\"/\">Archive</a>"
            "</nav>\n<article>\n" + "\n".join(body) + "\n</article>\n</body></html>\n")


def ensure_corpus(data_dir: Path, sections: int, seed: int = 1) -> dict:
    """Generate (or reuse) a corpus of exactly `sections` sections; return its manifest.

    The manifest lists the files and counts; a cached corpus is reused only when its
    manifest matches the generator version, seed and size.
    """
    root = data_dir / f"corpus-{sections}-s{seed}"
    manifest_path = root / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("version") == GENERATOR_VERSION and _entities_stamp() == manifest.get("entities"):
            return manifest
    root.mkdir(parents=True, exist_ok=True)
    for old in root.iterdir():
        if old.is_file():
            old.unlink()
    gen = Generator(seed)
    files, counts, words, total, i = [], Counter(), 0, 0, 0
    while total < sections:
        report = gen.report(i, max_sections=sections - total)
        fmt = FORMATS[random.Random(f"{seed}-format-{i}").randrange(len(FORMATS))]
        path = root / (report.stem + _SUFFIX[fmt])
        path.write_text(render(report, fmt), encoding="utf-8")
        files.append(path.name)
        counts[fmt] += 1
        total += len(report.sections)
        words += sum(len(p.split()) for s in report.sections for p in s.paragraphs + s.items)
        i += 1
    manifest = {"version": GENERATOR_VERSION, "seed": seed, "sections": total,
                "reports": len(files), "words": words, "formats": dict(counts),
                "entities": _entities_stamp(), "root": str(root), "files": files}
    manifest_path.write_text(json.dumps(manifest, indent=1))
    return manifest


def corpus_paths(manifest: dict) -> list[Path]:
    """The report files of a corpus, in generation order."""
    root = Path(manifest["root"])
    return [root / name for name in manifest["files"]]


def _entities_stamp() -> str:
    """Changes when the entity TOML changes (the generator draws names from it)."""
    path = vocab.entities_toml()
    return f"{path.stat().st_size}-{int(path.stat().st_mtime)}" if path.exists() else "none"


def measure_profile(paths: list[Path]) -> dict:
    """Measure PROFILE's figures on real reports with our extractor (see PROFILE's comment)."""
    import ingest

    per_report, words, by_type, total_words, skipped = [], [], Counter(), 0, []
    for path in ingest.iter_report_files(paths):
        try:
            report = ingest.extract_report(path)
        except ingest.IngestError as error:  # a scan or a damaged file says nothing of shape
            skipped.append(str(error))
            continue
        per_report.append(len(report.sections))
        for section in report.sections:
            n = len(section.text.split())
            total_words += n
            if n:
                words.append(n)
            by_type.update(m.type for m in section.mentions)
    logs = [math.log(n) for n in words]
    return {
        "reports": len(per_report),
        "skipped": skipped,
        "sections_mean": round(statistics.mean(per_report), 2),
        "sections_sd": round(statistics.pstdev(per_report), 2),
        "words_median": round(statistics.median(words), 1),
        "words_sigma": round(statistics.pstdev(logs), 2),
        "mentions_per_100": {t: round(100.0 * by_type[t] / total_words, 2)
                             for t in ingest.ENTITY_TYPES},
    }


def main(argv: list[str]) -> int:
    """``python -m bench.corpus --measure DIR...`` prints the measured profile as JSON;
    ``python -m bench.corpus SECTIONS [DATA_DIR]`` generates a corpus."""
    if argv[:1] == ["--measure"]:
        print(json.dumps(measure_profile([Path(p) for p in argv[1:]]), indent=1))
        return 0
    if not argv:
        print(main.__doc__)
        return 2
    data_dir = Path(argv[1]) if len(argv) > 1 else Path(__file__).with_name("data")
    manifest = ensure_corpus(data_dir, int(argv[0]))
    print(json.dumps({k: v for k, v in manifest.items() if k != "files"}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
