"""Small helpers for the commands' human output."""

from __future__ import annotations


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1, "report"`` -> ``1 report``; ``3, "report"`` -> ``3 reports`` (thousands with commas)."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"
