"""cProfile the hot paths the benchmark flags: ``python -m bench.profile WHAT [SIZE]``.

WHAT is one of:
- ``search``: the query mix (20 loops) on the index of SIZE sections built by a bench run;
- ``suggest``: only the no-hit query with did-you-mean;
- ``ingest``: ``search.ingest_paths(jobs=1)`` of the SIZE-section corpus into a temp index;
- ``html`` / ``text`` / ``markdown``: our reader over that corpus's files of the format.
Prints the top functions by own time and by cumulative time.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import shutil
import sys
import tempfile
from pathlib import Path

from bench import corpus
from bench.phase_search import query_mix

HERE = Path(__file__).resolve().parent


def _top(profiler: cProfile.Profile, n: int = 18) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs().sort_stats("tottime").print_stats(n)
    stats.sort_stats("cumulative").print_stats(n)
    return out.getvalue()


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    what, size = argv[0], int(argv[1]) if len(argv) > 1 else 10000
    data = HERE / "data"
    manifest = corpus.ensure_corpus(data, size)
    profiler = cProfile.Profile()
    if what in ("search", "suggest"):
        from search import Index, SearchRequest

        index_dir = data / f"index-{size}-s1"
        if not index_dir.exists():
            print(f"{index_dir} is missing: run `python -m bench --sizes {size}` first")
            return 2
        idx = Index(index_dir)
        mix = query_mix(1)
        names = ["no_hit_suggest"] if what == "suggest" else list(mix)
        requests = [SearchRequest(**mix[n]["req"]) for n in names]
        for r in requests:
            idx.search(r)  # warm
        profiler.enable()
        for _ in range(20):
            for r in requests:
                idx.search(r)
        profiler.disable()
    elif what == "ingest":
        from search import ingest_paths

        target = Path(tempfile.mkdtemp(prefix="bench-profile-"))
        try:
            profiler.enable()
            ingest_paths(corpus.corpus_paths(manifest), target / "ix", jobs=1)
            profiler.disable()
        finally:
            shutil.rmtree(target, ignore_errors=True)
    else:
        from bench.phase_extract import _reader

        suffix = {"html": ".html", "text": ".txt", "markdown": ".md"}[what]
        blobs = [(p, p.read_bytes()) for p in corpus.corpus_paths(manifest) if p.suffix == suffix]
        read = _reader(what)
        for p, d in blobs:  # warm: regex compilation and imports are one-off costs
            read(p, d)
        profiler.enable()
        for _ in range(3):
            for p, d in blobs:
                read(p, d)
        profiler.disable()
    print(_top(profiler))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
