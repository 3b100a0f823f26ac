"""Quoting for DOT identifiers and HTML-like labels.

Everything a spec author writes (layer names, block names, the spec's `name`) ends up in the
DOT text. DOT has two string syntaxes with different escape rules, and Graphviz's HTML labels
are parsed as XML, so a name such as `x" [URL="..."]` or `<b>` could otherwise add
attributes, break the file or inject markup into an SVG. Rather than escape selectively, both
helpers keep a small set of harmless ASCII characters and encode everything else, so the
output is plain ASCII whatever the input and the encoding is injective.
"""

from __future__ import annotations

import string

_ID_SAFE = frozenset(string.ascii_letters + string.digits + "_./:-")
# DOT's keywords (case-insensitive) cannot name a graph unquoted: `digraph node {` is a
# syntax error.
_DOT_KEYWORDS = frozenset({"node", "edge", "graph", "digraph", "subgraph", "strict"})
_TEXT_SAFE = frozenset(string.ascii_letters + string.digits + " _./:-,()+=*@#!?%$'[]{}|~^")


def quote_id(text: str, tag: str = "") -> str:
    """A quoted DOT identifier: unsafe characters become `%XX` (UTF-8 bytes), `%` included.

    Identifiers are never shown (labels are), so readability matters less than the
    guarantee that no two names collide and no name can close the quotes. `tag` names a
    separate namespace (clusters, output markers, the legend): it is joined with `%z`, which
    the encoding never produces, so a tagged identifier cannot equal any node's.
    """
    out = [f"{tag}%z"] if tag else []
    for ch in text:
        if ch in _ID_SAFE:
            out.append(ch)
        else:
            out.extend(f"%{b:02X}" for b in ch.encode("utf-8"))
    return '"' + "".join(out) + '"'


def graph_id(text: str) -> str:
    """A bare DOT identifier for the graph itself (letters, digits, underscores only).

    The `graphviz` package quotes the graph name itself; giving it a name that needs no
    quoting keeps `Digraph.source` byte-identical to the text archc writes.
    """
    cleaned = "".join(ch if ch in string.ascii_letters + string.digits else "_" for ch in text)
    if not cleaned or cleaned[0].isdigit() or cleaned.lower() in _DOT_KEYWORDS:
        cleaned = "g_" + cleaned
    return cleaned


def html_text(text: str) -> str:
    """Text for the inside of an HTML-like label: every unsafe character as `&#N;`.

    Control characters (newlines included) become spaces: a label line is one line, and
    XML forbids most of them anyway.
    """
    out = []
    for ch in text:
        if ch in _TEXT_SAFE:
            out.append(ch)
        elif ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0:
            out.append(" ")
        elif 0xD800 <= ord(ch) < 0xE000 or ord(ch) in (0xFFFE, 0xFFFF):
            out.append("&#65533;")  # not representable in XML: the replacement character
        else:
            out.append(f"&#{ord(ch)};")
    return "".join(out)
