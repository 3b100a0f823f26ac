"""YAML scalars as the spec language reads them: YAML 1.2's core schema, nothing more.

libyaml reports every scalar as text; this module gives it its type (int, float, bool,
null, str) by the 1.2 core rules and refuses, as located diagnostics, what YAML 1.1 would
read differently (`on`, `010`, `1_000`, `1:30`) and any tag beyond the core ones (a tag asks
a loader to construct an object; a spec is data only).
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml

from archc.diagnostics import DiagnosticSink, SourceSpan

_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {f"{_CORE}{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq")}

_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_SPECIAL_FLOAT = {".inf": math.inf, "+.inf": math.inf, "-.inf": -math.inf, ".nan": math.nan}
_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_YAML11_BOOL = {"yes", "no", "on", "off"}
# YAML 1.1 numbers start with a digit: `1_000` is one, `_`, `__` and `_1` are plain names.
_YAML11_NUMBER = re.compile(
    r"[-+]?(0[0-9_]+|0o[0-7_]+|0x[0-9a-fA-F_]+|0b[01_]+|[0-9][0-9_]*(:[0-5]?[0-9])+"
    r"|[0-9]+_[0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?)\Z"
)


def scalar_value(event: yaml.ScalarEvent, span: SourceSpan, sink: DiagnosticSink) -> Any:
    """The value of one scalar: quoted text stays text, a plain one is typed by the core
    rules; an ambiguous one is reported and kept as text so the walk goes on."""
    text = event.value
    tag = event.tag
    if tag is not None and tag != "!":
        check_tag(tag, span, sink, None)
        if tag == f"{_CORE}str":
            return text
    plain = event.style is None or event.style == ""
    if not plain and tag in (None, "!"):
        return text
    lowered = text.lower()
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if lowered in _YAML11_BOOL or lowered in ("true", "false"):
        sink.error("Y001", f"`{text}` is ambiguous: YAML 1.1 reads it as a boolean, YAML 1.2 "
                   "as text", span, f"write true/false for a boolean, or quote it: '{text}'")
        return text
    if _INT.match(text):
        if len(text.lstrip("+-")) > 18 and abs(int(text[:30])) >= 2**63:
            # Python refuses int() past 4,300 digits and float() past 1e308; no layer size
            # needs more than int64, so stop here with a location instead of crashing later.
            sink.error("Y020", f"the number `{text[:20]}{'...' if len(text) > 20 else ''}` is "
                       "too large (the limit is 2**63 - 1)", span,
                       "check for a typo; sizes in a spec are far smaller")
            return text
        return int(text)
    if _YAML11_NUMBER.match(text):
        sink.error("Y002", f"`{text}` is an ambiguous number (YAML 1.1 reads octal, sexagesimal "
                   "and underscored numbers differently)", span,
                   "write a plain decimal number, or quote it if you meant text")
        return text
    if _FLOAT.match(text):
        return float(text)
    if lowered in _SPECIAL_FLOAT:
        return _SPECIAL_FLOAT[lowered]
    return text


def check_tag(tag: str | None, span: SourceSpan, sink: DiagnosticSink, kind: str | None) -> None:
    """Y003 for any tag but the core ones (`!!str`, `!!int`, ...) and the plain `!`."""
    if tag is None or tag == "!" or tag in _ALLOWED_TAGS:
        return
    shown = "!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag
    sink.error("Y003", f"the tag `{shown}` is not allowed: specs are data, never code", span,
               "remove the tag; archc accepts only plain YAML values")
