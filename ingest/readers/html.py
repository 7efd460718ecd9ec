"""HTML reports (forum posts saved from a browser, exported pages) via beautifulsoup4.

Only the report's own text is kept: scripts, styles, navigation and forum chrome (author
lines, tag lists, "Back to top" links, reply buttons) are dropped before anything is read,
so their words never become sections or entities. Headings are ``h1``-``h6`` plus two forum
habits: a paragraph that is only bold text (``<p><strong>Technical Progress</strong></p>``)
and a ``##Heading`` line typed into a paragraph.
"""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from ingest.readers.base import ParsedDocument, RawSection
from ingest.readers.decoding import ensure_text_bytes

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
_HEADING_TAGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCK_TAGS = {
    "div", "section", "article", "main", "blockquote", "header", "body", "html", "table",
    "thead", "tbody", "tfoot", "figure", "details", "dl", "center", "aside",
}
_BACK_TO_TOP = re.compile(r"^\W*(back to top|top|return to top|scroll to top)\W*$", re.I)
_HASH_LINE = re.compile(r"^(#{1,6})\s*(\S.*?)\s*#*$")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2009\u202f]+")
_BOLD_TAGS = {"strong", "b"}
BOLD_HEADING_LEVEL = 2
MAX_BOLD_HEADING_WORDS = 12


def read_html(path: Path, data: bytes) -> ParsedDocument:
    """Read an HTML report into title and sections, forum chrome removed."""
    ensure_text_bytes(path, data, "an HTML file")
    soup = BeautifulSoup(data, "html.parser")
    tags = _metadata_tags(soup)
    title, date_hint = _document_title(tags), _post_date(tags)
    root = _prune_and_find_content(soup)
    return ParsedDocument(format="html", title=title, sections=sections_from_html(root),
                          date_hint=date_hint)


def sections_from_html(root: Tag) -> list[RawSection]:
    """Group the blocks under `root` into sections at each heading."""
    sections: list[RawSection] = []
    heading, level, blocks = "", 0, []
    for kind, text, block_level in _blocks(root):
        if kind == "heading":
            if heading or blocks:
                sections.append(RawSection(heading, level, "\n\n".join(blocks)))
            heading, level, blocks = text, block_level, []
        elif blocks and kind == "item" and blocks[-1].startswith(("- ", "1")) and _is_list(blocks[-1]):
            blocks[-1] += "\n" + text
        else:
            blocks.append(text)
    if heading or blocks:
        sections.append(RawSection(heading, level, "\n\n".join(blocks)))
    return sections


def _is_list(block: str) -> bool:
    return all(line.startswith("- ") or re.match(r"\d+\. ", line) for line in block.split("\n"))


def _blocks(element: Tag):
    """Yield ("heading"|"para"|"item", text, level) in document order."""
    inline: list[str] = []

    def flush():
        text = _clean("".join(inline))
        inline.clear()
        if text:
            yield from _paragraph_blocks(text)

    for child in element.children:
        if isinstance(child, Comment):
            continue
        if isinstance(child, NavigableString):
            inline.append(str(child))
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name
        if name in _HEADING_TAGS:
            yield from flush()
            text = _clean(child.get_text(" "))
            if text:
                yield "heading", text, _HEADING_TAGS[name]
        elif name == "p":
            yield from flush()
            yield from _p_blocks(child)
        elif name in ("ul", "ol"):
            yield from flush()
            yield from _list_items(child, ordered=name == "ol")
        elif name == "pre":
            yield from flush()
            text = child.get_text().strip("\n")
            if text.strip():
                yield "para", text, 0
        elif name == "tr":
            yield from flush()
            cells = [_clean(c.get_text(" ")) for c in child.find_all(["td", "th"], recursive=False)]
            if any(cells):
                yield "para", " | ".join(cells), 0
        elif name == "br":
            inline.append("\n")
        elif name in ("li", "dt", "dd"):
            yield from flush()
            text = _clean(child.get_text(" "))
            if text:
                yield "para", text, 0
        elif name in _BLOCK_TAGS or name == "hr":
            yield from flush()
            yield from _blocks(child)
        else:
            inline.append(child.get_text())
    yield from flush()


def _p_blocks(p: Tag):
    """A paragraph: a bold-only paragraph is a heading; ``##Heading`` lines are headings."""
    text = _clean(_text_with_breaks(p))
    if not text or _BACK_TO_TOP.match(text):
        return
    if _is_bold_only(p) and len(text.split()) <= MAX_BOLD_HEADING_WORDS and not text.endswith("."):
        yield "heading", text.rstrip(":").strip(), BOLD_HEADING_LEVEL
        return
    yield from _paragraph_blocks(text)


def _paragraph_blocks(text: str):
    """Split a paragraph's lines, turning ``##Heading`` lines into headings."""
    pending: list[str] = []
    for line in text.split("\n"):
        m = _HASH_LINE.match(line.strip())
        if m is not None:
            if pending:
                yield "para", " ".join(pending), 0
                pending = []
            yield "heading", m.group(2), len(m.group(1))
        elif line.strip():
            pending.append(line.strip())
    if pending:
        yield "para", " ".join(pending), 0


def _list_items(lst: Tag, ordered: bool):
    number = 0
    for li in lst.find_all("li", recursive=False):
        number += 1
        nested = [sub.extract() for sub in li.find_all(["ul", "ol"], recursive=False)]
        text = _clean(li.get_text(" ")).replace("\n", " ")
        if text:
            yield "item", (f"{number}. " if ordered else "- ") + text, 0
        for sub in nested:
            yield from _list_items(sub, ordered=sub.name == "ol")


def _is_bold_only(p: Tag) -> bool:
    """True when every piece of text in `p` sits inside <strong>/<b>."""
    has_bold = False
    for node in p.descendants:
        if isinstance(node, NavigableString) and not isinstance(node, Comment) and node.strip():
            if not any(parent.name in _BOLD_TAGS for parent in node.parents if parent is not p):
                return False
            has_bold = True
    return has_bold


def _text_with_breaks(tag: Tag) -> str:
    parts = []
    for node in tag.descendants:
        if isinstance(node, NavigableString) and not isinstance(node, Comment):
            parts.append(str(node))
        elif isinstance(node, Tag) and node.name == "br":
            parts.append("\n")
    return "".join(parts)


def _clean(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _prune_and_find_content(soup: BeautifulSoup) -> Tag:
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
                    name == "a" and _BACK_TO_TOP.match(tag.get_text(" "))):
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


def _has_class(attrs: dict, name: str) -> bool:
    return name in (attrs.get("class") or ())


# Where forum and blog templates keep the post itself, best first (Discourse's "cooked"
# post body, schema.org articleBody, WordPress entry-content, then generic landmarks).
_CONTENT_RULES = (
    lambda name, attrs: attrs.get("itemprop") == "articleBody",
    lambda name, attrs: _has_class(attrs, "cooked"),
    lambda name, attrs: _has_class(attrs, "post-body"),
    lambda name, attrs: _has_class(attrs, "entry-content"),
    lambda name, attrs: _has_class(attrs, "post-content"),
    lambda name, attrs: name == "article",
    lambda name, attrs: name == "main",
    lambda name, attrs: attrs.get("role") == "main",
    lambda name, attrs: attrs.get("id") == "content",
    lambda name, attrs: _has_class(attrs, "content"),
)


_METADATA_TAGS = frozenset(("title", "meta", "time", "h1"))


def _metadata_tags(soup: BeautifulSoup) -> dict[str, Tag]:
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


def _document_title(tags: dict[str, Tag]) -> str | None:
    """og:title, else <title> without a site suffix, else the first h1."""
    meta = tags.get("og_title")
    if meta is not None and meta.get("content", "").strip():
        return _clean(meta["content"])
    title = tags.get("title")
    if title is not None and title.get_text(strip=True):
        return _strip_site_suffix(_clean(title.get_text(" ")))
    h1 = tags.get("h1")
    return _clean(h1.get_text(" ")) if h1 is not None else None


def _strip_site_suffix(title: str) -> str:
    """'DM Status Report for May 2022 - Announcements - Community Forum' -> the first part."""
    parts = re.split(r"\s+[-|\u2013\u2014\u00b7]\s+", title)
    return parts[0] if len(parts) > 1 and len(parts[0].split()) >= 2 else title


def _post_date(tags: dict[str, Tag]) -> str | None:
    """The post's own date (article:published_time, ``<time datetime>``), as YYYY-MM."""
    meta, time_tag = tags.get("published"), tags.get("time")
    candidates = [meta.get("content", "") if meta is not None else "",
                  time_tag["datetime"] if time_tag is not None else ""]
    for value in candidates:
        m = re.match(r"\s*((?:19|20)\d\d)-(0[1-9]|1[0-2])", value or "")
        if m:
            return f"{m.group(1)}-{m.group(2)}"
    return None
