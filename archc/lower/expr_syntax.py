"""The text of a `$` expression: its references, its quoted strings, its parse.

A spec's expression is Python-like text with `$name` references. Before any evaluation the
text is checked and parsed here: each `$name` outside quoted strings becomes a prefixed
identifier (so a bare `name` is still seen as a forgotten `$`), non-ASCII look-alikes are
refused, and the tree is cached per text. `names_in` reads the variables and functions a
text mentions from the text alone, cheaply, for the checks made before evaluating.
`ALLOWED` is the whitelist in words, as E002's help prints it; the walk over the tree that
enforces it is `expr_walk.py`.
"""

from __future__ import annotations

import ast
import functools
import keyword
import re

from archc.diagnostics import Problem
from archc.lower.builtins import CALLABLE_NAMES

PREFIX = "__archc_var_"
"""What a `$name` reference becomes in the parsed text (`$w` -> `__archc_var_w`)."""
PARAM_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
"""What `$name` can read: variables, block and function parameters must match it."""
VAR = re.compile(r"\$(" + PARAM_PATTERN.pattern + ")")
"""A `$name` reference; group 1 is the name."""
_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
"""A quoted string inside an expression (its text may be anything)."""

ALLOWED = ("numbers, 'strings', true, false, [lists], $variables, $in.channels / .height / "
           ".width / .shape, + - * / // % **, == != < <= > >=, and, or, not, "
           "a if c else b, list[i], list[a:b], parentheses, and calls to "
           + ", ".join(CALLABLE_NAMES) + " and this spec's functions")
"""E002's help: exactly what an expression may contain."""
HELP = "allowed: " + ALLOWED


def variables_in(text: str) -> list[str]:
    """The `$name`s a text mentions, in order, repeats kept (quoted strings included)."""
    return VAR.findall(text)


@functools.lru_cache(maxsize=4096)
def parse(text: str) -> ast.expr:
    """The tree of `text`, `$name` marked with PREFIX; E002 when it is not an expression."""
    # `$name` becomes a prefixed identifier, so a bare `name` elsewhere in the text is still
    # recognised as a forgotten `$` (substituting plain `name` let `filters * $filters` pass).
    outside = _STRING.sub("''", text)
    if PREFIX in outside:
        raise Problem("E002", f"`{PREFIX}` in `{text}` is reserved by archc",
                      "read variables as `$name`")
    foreign = next((c for c in outside if not c.isascii()), None)
    if foreign is not None:
        # Python folds look-alikes (NFKC): `$w\U0001d422dth` would read `$width`, `\u210c`
        # call `H`. Names are ASCII, so such a text is refused under the name as written.
        raise Problem("E002", f"`{foreign}` (U+{ord(foreign):04X}) in `{text}` is not ASCII",
                      "names, numbers and operators in expressions are ASCII; only quoted "
                      "'strings' may hold other characters")
    # Outside quoted strings only: `'$x'` is the text `$x`.
    parts, last = [], 0
    for quoted_text in _STRING.finditer(text):
        parts += [VAR.sub(lambda m: PREFIX + m.group(1), text[last:quoted_text.start()]),
                  quoted_text.group()]
        last = quoted_text.end()
    parts.append(VAR.sub(lambda m: PREFIX + m.group(1), text[last:]))
    source = "".join(parts)
    if "$" in _STRING.sub("''", source):
        raise Problem("E002", f"`$` must be followed by a variable name in `{text}`", HELP)
    try:
        return ast.parse(source.strip(), mode="eval").body
    except (SyntaxError, ValueError):
        raise Problem("E002", f"cannot parse the expression `{text}`", HELP) from None


_CALLED = re.compile(r"(?<![$\w.])([A-Za-z_]\w*)\s*\(")
"""A bare name followed by `(`: a call (`$f(` and `x.f(` are not; the walker explains them)."""
_READ = re.compile(VAR.pattern + r"\b(?!\s*\()")
"""`$name` read as a value (`$f(...)` is a mistake the walker explains)."""
_MAPPED = re.compile(r"(?<![$\w.])map\s*\(\s*([A-Za-z_]\w*)\s*,")
"""`map(f, ...)`: the function `map` calls."""


@functools.lru_cache(maxsize=4096)
def names_in(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The variables a (parseable) text reads and the functions it calls, in every branch.

    Read from the text (outside its quoted strings) rather than by walking the tree: a
    regular expression is several times cheaper, and 20,000 `let`s call this 20,000 times."""
    outside = _STRING.sub("''", text)
    calls = [c for c in _CALLED.findall(outside) + _MAPPED.findall(outside)
             if not keyword.iskeyword(c)]  # `x if (...)`, `not (...)`, `in (...)`
    return tuple(dict.fromkeys(_READ.findall(outside))), tuple(dict.fromkeys(calls))
