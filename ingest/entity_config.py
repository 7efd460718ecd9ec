"""Load, check and merge the entity configuration (TOML): ID patterns, gazetteer, links.

The configuration is data, not code. The shipped default is two files: generic patterns
(`entities_generic.toml`: GitHub and GitLab issue, pull and merge request references) and
the project's own (`entities.toml`: its document series, tickets, gazetteer). A file has up
to six top-level keys:

```toml
replace = false            # true: this file replaces both shipped files instead of extending them
defaults = "generic"       # keep only the generic shipped patterns, drop the project's
                           # ("all", the default, keeps both; "project" drops the generic
                           # ones; "none" is replace = true)

[links]                    # URL template per entity type ({name}, {lower}, {upper})
ticket = "https://rubinobs.atlassian.net/browse/{name}"

[[pattern]]                # an identifier family, matched by a regular expression
type = "document"
regex = '(?P<series>DMTN|SQR)-(?P<num>\\d{1,4})'
canonical = "{series!u}-{num:0>3}"   # str.format over the named groups; !u/!l/!t = upper/lower/title
ignore_case = true         # default false
link = "https://{lower}.lsst.io/"   # a pattern's link may also use its named groups
url = false                # true: the regex matches URLs (a forge's issue URL); other URL
                           # text is never matched
requires = '#\\d'          # optional speed hint: a regex every text with a match contains;
                           # texts without it skip the pattern (for regexes that may start
                           # at any word, such as owner/repo#123)
require_before = '(?i:milestone)\\s+$'  # optional context rules, as for [[name]]

[[name]]                   # a gazetteer entry: one canonical name and its aliases
type = "system"
name = "Butler"
aliases = ["Data Butler", "daf_butler"]
case_sensitive = true      # default: per alias (see `default_case_sensitive`)
reject_before = '(?i:docker)\\s+$'   # optional context rules, see NameSpec

reject = ["Black", "Quokka"]   # curation: names the open-class rules must not report
```

Curating what the open-class rules found (`report-archive entities candidates`): *accept*
a name by adding a [[name]] entry for it, *retype* it by giving that entry another type,
*merge* it into another entity by listing it among that entry's aliases, *reject* it by
listing it (name or surface, any case) under `reject`.

`load_config(extra)` returns the shipped default, extended by (or, with ``replace = true``,
replaced by) the user's file; with ``defaults = "generic"`` only the generic shipped file is
extended. A canonical template keeps the spaces it writes (``"Sprint {num}"`` gives
``Sprint 12``); only a line break inside a matched ID is dropped. Every problem raises `EntityConfigError("<file>: <what is
wrong and how to fix it>")`, naming the entry so a user can find it.
"""

from __future__ import annotations

import re
import string
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import EntityConfigError
from ingest.entity_specs import (CONTEXT_KEYS, EntityConfig, NameSpec, PatternSpec,
                                 default_case_sensitive)
from ingest.model import ENTITY_TYPES

#: The configuration shipped with the package (package data).
DEFAULT_CONFIG_PATH: Path = Path(__file__).with_name("entities.toml")
#: The generic patterns shipped with it (forge references), kept by ``defaults = "generic"``.
GENERIC_CONFIG_PATH: Path = Path(__file__).with_name("entities_generic.toml")

_TOP_KEYS = ("replace", "defaults", "links", "pattern", "name", "reject")
_DEFAULTS = ("all", "generic", "project", "none")
_PATTERN_KEYS = ("type", "regex", "canonical", "case", "ignore_case", "link", "url", "requires",
                 *CONTEXT_KEYS)
_NAME_KEYS = ("type", "name", "aliases", "case_sensitive", "link", *CONTEXT_KEYS)
_CASES = ("upper", "lower", "title", "keep")


def load_config(extra: Path | None = None) -> EntityConfig:
    """The default configuration, extended or replaced by the TOML file `extra` if given.

    The default is the project's file over the generic one (project entries come first, so
    they win ties); the user's ``defaults`` says which of the two it keeps.
    """
    user = parse_file(Path(extra)) if extra is not None else None
    defaults = user.defaults if user is not None else "all"
    if defaults == "none":
        return user.config
    generic = parse_file(GENERIC_CONFIG_PATH).config if defaults != "project" else EntityConfig()
    base = generic if defaults == "generic" else merge(generic, parse_file(DEFAULT_CONFIG_PATH).config)
    return base if user is None else merge(base, user.config)


@dataclass(frozen=True)
class ParsedFile:
    """One file's configuration and whether it asks to replace the default."""

    config: EntityConfig
    replace: bool
    #: Which shipped files it keeps: "all", "generic" or "none" (``replace = true``).
    defaults: str = "all"


def parse_file(path: Path) -> ParsedFile:
    """Read and check one TOML file; raise `EntityConfigError` naming the file on any problem."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise EntityConfigError(
            f"{path}: file not found; pass the path of an existing TOML file"
        ) from None
    except OSError as exc:
        raise EntityConfigError(f"{path}: cannot read the file ({exc.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise EntityConfigError(f"{path}: not UTF-8 text; save the file as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise EntityConfigError(f"{path}: invalid TOML: {exc}") from None
    return _check(path, data)


def _check(path: Path, data: dict) -> ParsedFile:
    def fail(problem: str) -> EntityConfigError:
        return EntityConfigError(f"{path}: {problem}")

    for key in data:
        if key not in _TOP_KEYS:
            raise fail(f"unknown top-level key '{key}'; expected {_or_list(_TOP_KEYS)}")
    replace = data.get("replace", False)
    if not isinstance(replace, bool):
        raise fail("'replace' must be true or false")
    defaults = data.get("defaults", "none" if replace else "all")
    if defaults not in _DEFAULTS:
        raise fail(f"defaults = {defaults!r} is not one of {_or_list(_DEFAULTS)}; write "
                   "defaults = \"generic\" to keep only the generic shipped patterns")
    if replace and defaults != "none":
        raise fail(f"'replace = true' drops every shipped entry but defaults = '{defaults}' "
                   "keeps some; keep one of the two lines")
    links = data.get("links", {})
    if not isinstance(links, dict):
        raise fail("[links] must be a table of entity type = URL template")
    for type_, template in links.items():
        _check_type(fail, f"[links] key '{type_}'", type_)
        _check_template(fail, f"[links] {type_}", template)
    patterns = tuple(
        _check_pattern(fail, i, entry, str(path))
        for i, entry in enumerate(_entries(fail, data, "pattern"), 1)
    )
    names = tuple(
        _check_name(fail, i, entry, str(path))
        for i, entry in enumerate(_entries(fail, data, "name"), 1)
    )
    _check_duplicate_aliases(fail, names)
    rejects = data.get("reject", [])
    if not isinstance(rejects, list) or not all(isinstance(r, str) and r.strip() for r in rejects):
        raise fail("'reject' must be a list of names, e.g. reject = [\"Quokka\"]")
    return ParsedFile(EntityConfig(patterns, names, dict(links), _unique([" ".join(r.split()) for r in rejects])),
                      replace, defaults)


def _entries(fail, data: dict, key: str) -> list[dict]:
    entries = data.get(key, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise fail(f"'{key}' must be an array of tables: write each entry under [[{key}]]")
    return entries


def _check_pattern(fail, index: int, entry: dict, source: str) -> PatternSpec:
    label = f"pattern #{index}"
    if isinstance(entry.get("regex"), str):
        label += f" (regex '{entry['regex']}')"
    _check_keys(fail, label, entry, _PATTERN_KEYS)
    for key in ("type", "regex"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            raise fail(f"{label}: missing '{key}'; add {key} = \"...\"")
    _check_type(fail, label, entry["type"])
    try:
        compiled = re.compile(entry["regex"])
    except re.error as exc:
        raise fail(f"{label}: bad regex: {exc}; fix the 'regex' value") from None
    canonical = _string(fail, label, entry, "canonical", "{0}")
    for field_name in _template_fields(fail, label, canonical):
        if field_name != "0" and field_name not in compiled.groupindex:
            raise fail(
                f"{label}: 'canonical' uses {{{field_name}}} but the regex has no group "
                f"(?P<{field_name}>...); name the group or change the template"
            )
    case = _string(fail, label, entry, "case", "keep")
    if case not in _CASES:
        raise fail(f"{label}: case = '{case}' is not one of {_or_list(_CASES)}")
    ignore_case = entry.get("ignore_case", False)
    if not isinstance(ignore_case, bool):
        raise fail(f"{label}: 'ignore_case' must be true or false")
    link = _string(fail, label, entry, "link", None)
    if link is not None:
        _check_template(fail, label, link, groups=tuple(compiled.groupindex))
    url = entry.get("url", False)
    if not isinstance(url, bool):
        raise fail(f"{label}: 'url' must be true or false")
    requires = _string(fail, label, entry, "requires", None)
    if requires is not None:
        try:
            re.compile(requires)
        except re.error as exc:
            raise fail(f"{label}: bad regex in 'requires': {exc}") from None
    contexts = _check_contexts(fail, label, entry)
    return PatternSpec(entry["type"], entry["regex"], canonical, case, ignore_case, link,
                       source=source, url=url, requires=requires, **contexts)


def _check_name(fail, index: int, entry: dict, source: str) -> NameSpec:
    label = f"name #{index}"
    if isinstance(entry.get("name"), str):
        label += f" ('{entry['name']}')"
    _check_keys(fail, label, entry, _NAME_KEYS)
    for key in ("type", "name"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise fail(f"{label}: missing '{key}'; add {key} = \"...\"")
    _check_type(fail, label, entry["type"])
    aliases = entry.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise fail(f"{label}: 'aliases' must be a list of non-empty strings")
    case_sensitive = entry.get("case_sensitive")
    if case_sensitive is not None and not isinstance(case_sensitive, bool):
        raise fail(f"{label}: 'case_sensitive' must be true or false")
    contexts = _check_contexts(fail, label, entry)
    link = _string(fail, label, entry, "link", None)
    if link is not None:
        _check_template(fail, label, link)
    name = " ".join(entry["name"].split())
    all_aliases = _unique([name] + [" ".join(a.split()) for a in aliases])
    return NameSpec(entry["type"], name, all_aliases, case_sensitive, link, source=source, **contexts)


def _check_contexts(fail, label: str, entry: dict) -> dict[str, str | None]:
    contexts = {}
    for key in CONTEXT_KEYS:
        value = _string(fail, label, entry, key, None)
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise fail(f"{label}: bad regex in '{key}': {exc}") from None
        contexts[key] = value
    return contexts


def _check_duplicate_aliases(fail, names: tuple[NameSpec, ...]) -> None:
    """Within one file, one alias (as matched) may name one entity only."""
    seen: dict[tuple[str, bool], NameSpec] = {}
    for spec in names:
        for alias in spec.aliases:
            sensitive = spec.case_sensitive if spec.case_sensitive is not None else default_case_sensitive(alias)
            key = (alias if sensitive else alias.lower(), sensitive)
            other = seen.setdefault(key, spec)
            if (other.type, other.name) != (spec.type, spec.name):
                raise fail(
                    f"alias '{alias}' is given for both '{other.name}' ({other.type}) and "
                    f"'{spec.name}' ({spec.type}); keep it under one entry"
                )


def merge(base: EntityConfig, user: EntityConfig) -> EntityConfig:
    """Extend `base` with `user`: user entries come first, so they win ties and alias clashes;
    a user [[name]] with the canonical name and type of a default entry adds to its aliases."""
    names = list(user.names)
    position = {(n.type, n.name): i for i, n in enumerate(names)}
    for spec in base.names:
        i = position.get((spec.type, spec.name))
        if i is None:
            names.append(spec)
            continue
        mine = names[i]
        names[i] = NameSpec(**{**_fields(spec), **_set_fields(mine),
                               "aliases": _unique(mine.aliases + spec.aliases)})
    return EntityConfig(
        patterns=user.patterns + base.patterns,
        names=tuple(names),
        links={**base.links, **user.links},
        rejects=_unique(user.rejects + base.rejects),
    )


def _fields(spec: NameSpec) -> dict:
    return {k: getattr(spec, k) for k in NameSpec.__dataclass_fields__}


def _set_fields(spec: NameSpec) -> dict:
    return {k: v for k, v in _fields(spec).items() if v is not None and k != "aliases"}


def _check_keys(fail, label: str, entry: dict, allowed: tuple[str, ...]) -> None:
    for key in entry:
        if key not in allowed:
            raise fail(f"{label}: unknown key '{key}'; expected {_or_list(allowed)}")


def _check_type(fail, label: str, type_) -> None:
    if type_ not in ENTITY_TYPES:
        raise fail(f"{label}: unknown entity type '{type_}'; use one of {_or_list(ENTITY_TYPES)}")


def _check_template(fail, label: str, template, groups: tuple[str, ...] = ()) -> None:
    """A URL template may use {name}, {lower}, {upper} and, for a pattern, its named groups."""
    if not isinstance(template, str):
        raise fail(f"{label}: a URL template must be a string")
    known = ("name", "lower", "upper", *groups)
    for field_name in _template_fields(fail, label, template):
        if field_name not in known:
            fields = [f"{{{k}}}" for k in known]
            raise fail(f"{label}: URL template uses {{{field_name}}}; only "
                       f"{', '.join(fields[:-1])} and {fields[-1]} are known")


def _template_fields(fail, label: str, template: str) -> list[str]:
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise fail(f"{label}: bad template '{template}': {exc}; write literal braces as {{{{ }}}}") from None
    return [f for _, f, _, _ in parsed if f is not None]


def _string(fail, label: str, entry: dict, key: str, default):
    value = entry.get(key, default)
    if value is not None and not isinstance(value, str):
        raise fail(f"{label}: '{key}' must be a string")
    return value


def _unique(items: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _or_list(items) -> str:
    items = [f"'{i}'" for i in items]
    return ", ".join(items[:-1]) + " or " + items[-1]
