"""Wrap the forum post fragments in forum/ into saved-from-browser pages.

Each fragment has ``key: value`` header lines, a ``---`` line and the post
body as HTML, written by hand so that headings vary the way people write
them (``<h2>``, a bold paragraph, a literal ``##Heading`` line). This script
adds what a Discourse page saved from a browser carries around the post:
site navigation, a category/tag list, a ``<time>`` element, scripts, styles
and a "Back to top" link. Output goes to sample_reports/.

Usage: python tools/sample_archive/build_forum.py
"""
from __future__ import annotations

import datetime as dt
import sys
from html import escape
from pathlib import Path

HERE = Path(__file__).resolve().parent
FORUM_DIR = HERE / "forum"
OUT_DIR = HERE.parent.parent / "sample_reports"

# The script and nav deliberately mention things that are not report content
# (a ticket key, a service name): extractors must ignore script and nav text.
PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} - Data Management - Rubin Community Forum</title>
<meta name="description" content="{description}">
<meta name="generator" content="Discourse 2.{minor} - https://github.com/discourse/discourse">
<meta property="og:title" content="{title}">
<style>
  body {{ font-family: Helvetica, Arial, sans-serif; margin: 0; color: #222; }}
  .d-header {{ background: #fff; border-bottom: 1px solid #ddd; padding: 8px 20px; }}
  .crawler-post {{ max-width: 760px; margin: 20px auto; }}
  .crawler-post-meta {{ color: #777; font-size: 0.9em; }}
  .discourse-tags a {{ background: #eee; padding: 1px 6px; margin-right: 4px; }}
</style>
<script>
  window.Discourse = window.Discourse || {{}};
  window.Discourse.preloaded = {{"currentUser": null, "bannerTicket": "DM-99999",
    "siteSettings": {{"title": "Rubin Community Forum", "login_required": false}}}};
</script>
</head>
<body class="crawler">
<header class="d-header">
  <a href="/" class="logo">Rubin Community Forum</a>
  <nav class="header-nav">
    <ul>
      <li><a href="/c/data-management/7">Data Management</a></li>
      <li><a href="/c/sasquatch-announcements/41">Sasquatch announcements</a></li>
      <li><a href="/c/support/12">Support</a></li>
      <li><a href="/latest">Latest</a></li>
      <li><a href="/faq">FAQ</a></li>
    </ul>
  </nav>
</header>
<div id="main-outlet" class="wrap">
<div id="topic-title">
  <h1><a href="/t/{slug}/{topic}">{title}</a></h1>
  <div class="topic-category">
    <span class="category-name"><a href="/c/data-management/7">{category}</a></span>
  </div>
  <div class="discourse-tags">
{tags}
  </div>
</div>
<div itemscope itemtype="http://schema.org/DiscussionForumPosting" class="topic-body crawler-post" id="post_1">
  <div class="crawler-post-meta">
    <span class="creator" itemprop="author"><a href="/u/{author}"><span itemprop="name">{author}</span></a> ({author_name})</span>
    <span class="crawler-post-infos">
      <time itemprop="datePublished" datetime="{iso}" class="post-time">{human}</time>
      <meta itemprop="position" content="1">
    </span>
  </div>
  <div class="post" itemprop="articleBody">
{body}
  </div>
  <meta itemprop="interactionCount" content="UserLikes:{likes}">
</div>
{reply}
<p class="back-to-top"><a href="#main-outlet">Back to top</a></p>
</div>
<footer class="container wrap">
  <nav class="crawler-nav">
    <ul>
      <li><a href="/">Home</a></li>
      <li><a href="/categories">Categories</a></li>
      <li><a href="/guidelines">Guidelines</a></li>
      <li><a href="/tos">Terms of Service</a></li>
      <li><a href="/privacy">Privacy Policy</a></li>
    </ul>
  </nav>
  <p class="powered-by-link">Powered by <a href="https://www.discourse.org">Discourse</a>, best viewed with JavaScript enabled</p>
</footer>
<script>
  // analytics stub kept by the page saver
  (function () {{ var q = window._q || []; q.push(["page", "{slug}"]); window._q = q; }})();
</script>
</body>
</html>
"""

REPLY = """<div itemscope itemtype="http://schema.org/DiscussionForumPosting" class="topic-body crawler-post" id="post_2">
  <div class="crawler-post-meta">
    <span class="creator" itemprop="author"><a href="/u/{who}"><span itemprop="name">{who}</span></a></span>
    <span class="crawler-post-infos"><time itemprop="datePublished" datetime="{iso}" class="post-time">{human}</time></span>
  </div>
  <div class="post" itemprop="articleBody">
<p>{text}</p>
  </div>
</div>"""


def _human(when: dt.datetime) -> str:
    """Discourse's crawler view date, e.g. 'July 8, 2020,  3:04pm'."""
    return when.strftime("%B %-d, %Y, %-I:%M%p").replace("AM", "am").replace("PM", "pm")


def render(path: Path) -> tuple[str, str]:
    """Return (output file name, page HTML) for one fragment."""
    head, sep, body = path.read_text(encoding="utf-8").partition("\n---\n")
    if not sep:
        raise ValueError(f"{path}: no '---' line between header and body; add one")
    meta = {}
    for line in head.splitlines():
        if line.strip():
            key, _, value = line.partition(":")
            meta[key.strip()] = value.strip()
    when = dt.datetime.fromisoformat(meta["posted"])
    human = _human(when)
    tags = "\n".join(f'    <a href="/tag/{escape(t)}" class="discourse-tag">{escape(t)}</a>'
                     for t in meta.get("tags", "dm, status-report").split(", "))
    reply = ""
    if "reply" in meta:
        who, _, text = meta["reply"].partition(" | ")
        later = when + dt.timedelta(hours=5, minutes=17)
        reply = REPLY.format(who=escape(who), text=escape(text), iso=later.strftime("%Y-%m-%dT%H:%M:%SZ"),
                             human=_human(later))
    slug = meta["title"].lower().replace(" ", "-")
    page = PAGE.format(
        title=escape(meta["title"]), description=escape(meta.get("description", meta["title"])),
        minor=meta.get("discourse_minor", "7"), slug=escape(slug), topic=meta.get("topic", "4000"),
        category="Data Management", tags=tags, author=escape(meta["author"]),
        author_name=escape(meta.get("author_name", meta["author"])),
        iso=when.strftime("%Y-%m-%dT%H:%M:%SZ"), human=human, body=body.strip("\n"),
        likes=meta.get("likes", "3"), reply=reply)
    return meta["output"], page


def main(argv: list[str]) -> int:
    """Render every fragment (or those whose name contains argv[0])."""
    pattern = argv[0] if argv else ""
    for path in sorted(FORUM_DIR.glob("*.html")):
        if pattern in path.name:
            name, page = render(path)
            (OUT_DIR / name).write_text(page, encoding="utf-8")
            print(f"{path.name:24} -> sample_reports/{name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
