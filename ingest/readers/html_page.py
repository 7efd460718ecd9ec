"""The page around an HTML report's text: chrome dropped, the post's own element found, the
title and date read from the page's metadata, and a mailing-list archive's mail taken out.

`ingest/readers/html.py` turns what is left into sections; this module decides what is
left. Both walk the tree with explicit stacks or flat iteration, never recursion.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from ingest.readers.mail import posting_date

#: White space of every width HTML pages use (no-break, thin), folded to one space.
SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2009\u202f]+")
# Where archives mark the mail itself: pipermail's comments around the <pre>.
_ARTICLE_START, _ARTICLE_END = "beginarticle", "endarticle"


def clean(text: str) -> str:
    """`text` with runs of spaces folded and blank lines dropped."""
    lines = (SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
_DROP_TAGS = frozenset((
    "script", "style", "noscript", "template", "svg", "canvas", "iframe", "object",
    "nav", "footer", "aside", "form", "button", "select", "input", "textarea", "head",
))
# Class/id words of chrome in forum and blog templates (Discourse, phpBB, WordPress...).
_CHROME = re.compile(
    r"(^|[-_ ])(nav|navbar|navigation|menu|sidebar|breadcrumbs?|footer|site-header|topic-meta"
    r"|post-meta|meta-data|byline|author|avatar|names|username|user-card|tags?|tag-list"
    r"|post-controls|controls|actions|share|social|reply|likes?|signature|cookie|skip-link"
    r"|back-to-top|to-top|pagination|timeline|suggested|related|banner)([-_ ]|$)",
    re.I,
)
_ROLES_DROPPED = {"navigation", "banner", "contentinfo", "search", "complementary"}
#: A "Back to top" link or line: chrome wherever it sits.
BACK_TO_TOP = re.compile(r"^\W*(back to top|top|return to top|scroll to top)\W*$", re.I)
# Text nodes before the article in which pipermail's date line is looked for.
_HEADER_STRINGS = 40


def pipermail_article(soup: BeautifulSoup) -> Tag | None:
    """The mail of a pipermail page: what sits between its beginarticle and endarticle
    comments, gathered into one <pre>; None for any other page."""
    start = soup.find(string=lambda s: isinstance(s, Comment) and s.strip() == _ARTICLE_START)
    if start is None:
        return None
    body = soup.new_tag("pre")
    node = start.next_sibling
    while node is not None and not (isinstance(node, Comment) and node.strip() == _ARTICLE_END):
        following = node.next_sibling
        body.append(node.extract())
        node = following
    start.insert_after(body)
    return body


def mail_lines(mail: Tag) -> list[str]:
    """The lines of a mail rendered in HTML: a <pre> as written; a HyperKitty body with its
    <br> as line breaks and paragraphs as blank lines, other white space as in HTML."""
    if mail.name == "pre":
        text = mail.get_text()
    else:
        parts = []
        for node in mail.descendants:
            if isinstance(node, Comment):
                continue
            if isinstance(node, NavigableString):
                parts.append(SPACES.sub(" ", str(node).replace("\n", " ")))
            elif node.name == "br":
                parts.append("\n")
            elif node.name in ("p", "div", "blockquote", "pre"):
                parts.append("\n\n")
        text = "".join(parts)
    return [line.strip().replace("\u00a0", " ") if mail.name != "pre" else line.rstrip()
            for line in text.replace("\r", "").split("\n")]


def header_date(soup: BeautifulSoup, article: Tag | None) -> str | None:
    """The posting date of an archive page, from the date line before the mail
    (pipermail's ``<I>Tue Oct  3 08:14:52 UTC 2023</I>``)."""
    if article is None:
        return None
    for string in article.find_all_previous(string=True, limit=_HEADER_STRINGS):
        if (found := posting_date(str(string).strip())) is not None:
            return found
    return None


def prune_and_find_content(soup: BeautifulSoup) -> Tag:
    """Drop scripts, styles and chrome, and find the post's own content, in one walk.

    One pre-order pass over the tags that skips a removed subtree, instead of a pass per
    rule and a CSS query per content selector (that was half the reader's time). The
    first tag matching each content rule is remembered; the best-ranked one with text wins.
    """
    candidates: list[Tag | None] = [None] * len(_CONTENT_RULES)
    stack: list[Tag] = [soup]
    while stack:
        node = stack.pop()
        children = [c for c in node.contents if isinstance(c, Tag)]
        for tag in reversed(children):  # reversed onto a stack: visited in document order
            name, attrs = tag.name, tag.attrs
            if name in _DROP_TAGS or _is_chrome(tag, attrs) or (
                    name == "a" and BACK_TO_TOP.match(tag.get_text(" "))):
                tag.decompose()
                continue
            stack.append(tag)
        # Rules are checked when a tag is popped, i.e. in document order.
        if node is not soup:
            for rank, rule in enumerate(_CONTENT_RULES):
                if candidates[rank] is None and rule(node.name, node.attrs):
                    candidates[rank] = node
    for found in candidates:
        if found is not None and found.get_text(strip=True):
            return found
    return soup.body or soup


def _is_chrome(tag: Tag, attrs: dict) -> bool:
    if not attrs:
        return False
    if attrs.get("role") in _ROLES_DROPPED or attrs.get("aria-hidden") == "true" \
            or "hidden" in attrs:
        return True
    classes = attrs.get("class")
    words = (" ".join(classes) if classes else "") + " " + str(attrs.get("id") or "")
    return tag.name not in ("html", "body") and bool(words.strip()) and bool(_CHROME.search(words))


def has_class(attrs: dict, name: str) -> bool:
    """Whether a tag with these attributes has the class `name`."""
    return name in (attrs.get("class") or ())
# Where forum, blog and list-archive templates keep the post itself, best first (a list
# archive's mail body, Discourse's "cooked" post body, schema.org articleBody, WordPress entry-content, then generic landmarks).
_CONTENT_RULES = (
    lambda name, attrs: has_class(attrs, "email-body"),  # a HyperKitty archive's mail
    lambda name, attrs: attrs.get("itemprop") == "articleBody",
    lambda name, attrs: has_class(attrs, "cooked"),
    lambda name, attrs: has_class(attrs, "post-body"),
    lambda name, attrs: has_class(attrs, "entry-content"),
    lambda name, attrs: has_class(attrs, "post-content"),
    lambda name, attrs: name == "article",
    lambda name, attrs: name == "main",
    lambda name, attrs: attrs.get("role") == "main",
    lambda name, attrs: attrs.get("id") == "content",
    lambda name, attrs: has_class(attrs, "content"),
)
_METADATA_TAGS = frozenset(("title", "meta", "time", "h1"))


def metadata_tags(soup: BeautifulSoup) -> dict[str, Tag]:
    """The first <title>, og:title and published-time <meta>, <time datetime> and <h1>,
    found in one pass over the tree (before chrome goes: the post date sits in it)."""
    found: dict[str, Tag] = {}
    # A plain walk: bs4's find_all filter machinery costs more than the walk itself.
    for tag in soup.descendants:
        if not isinstance(tag, Tag) or tag.name not in _METADATA_TAGS:
            continue
        if tag.name == "meta":
            key = {"og:title": "og_title", "article:published_time": "published"}.get(
                tag.get("property", ""))
        elif tag.name == "time":
            key = "time" if tag.has_attr("datetime") else None
        else:
            key = tag.name
        if key is not None:
            found.setdefault(key, tag)
    return found


def document_title(tags: dict[str, Tag]) -> str | None:
    """og:title, else <title> without a site suffix, else the first h1."""
    meta = tags.get("og_title")
    if meta is not None and meta.get("content", "").strip():
        return clean(meta["content"])
    title = tags.get("title")
    if title is not None and title.get_text(strip=True):
        return _strip_site_suffix(clean(title.get_text(" ")))
    h1 = tags.get("h1")
    return clean(h1.get_text(" ")) if h1 is not None else None


def _strip_site_suffix(title: str) -> str:
    """'DM Status Report for May 2022 - Announcements - Community Forum' -> the first part."""
    parts = re.split(r"\s+[-|\u2013\u2014\u00b7]\s+", title)
    return parts[0] if len(parts) > 1 and len(parts[0].split()) >= 2 else title


def post_date(tags: dict[str, Tag]) -> str | None:
    """The post's own date (article:published_time, ``<time datetime>``), as YYYY-MM."""
    meta, time_tag = tags.get("published"), tags.get("time")
    candidates = [meta.get("content", "") if meta is not None else "",
                  time_tag["datetime"] if time_tag is not None else ""]
    for value in candidates:
        m = re.match(r"\s*((?:19|20)\d\d)-(0[1-9]|1[0-2])", value or "")
        if m:
            return f"{m.group(1)}-{m.group(2)}"
    return None
