"""libyaml's errors as located diagnostics: the span of a mark or a byte offset, the
unclosed bracket a flow-style error really means, and a fix for the common mistakes.

libyaml reports a syntax error where it noticed it, in its own words; a user needs the
line they typed (often lines above, at the `{` left open) and what to change.
"""

from __future__ import annotations

from typing import Any

import yaml

from archc.diagnostics import SourceSpan


def mark_span(file: str, mark: Any, end: Any = None) -> SourceSpan:
    """A libyaml mark (0-based) as a 1-based span; with `end` on the same line, its width."""
    if end is not None and end.line == mark.line:
        return SourceSpan(file, mark.line + 1, mark.column + 1, end.line + 1, end.column + 1)
    return SourceSpan(file, mark.line + 1, mark.column + 1)


def open_bracket(text: str, mark: Any) -> tuple[int, int] | None:
    """(line, column), 0-based, of the innermost `{` or `[` still open at `mark`."""
    stack: list[tuple[int, int]] = []
    for number, line in enumerate(text.splitlines()[:mark.line + 1]):
        quote = ""
        end = mark.column if number == mark.line else len(line)
        for column, char in enumerate(line[:end]):
            if quote:
                quote = "" if char == quote else quote
            elif char in "'\"" and (column == 0 or line[column - 1] in " \t,[{:"):
                quote = char
            elif char == "#" and (column == 0 or line[column - 1] in " \t"):
                break
            elif char in "{[":
                stack.append((number, column))
            elif char in "}]" and stack:
                stack.pop()
    return stack[-1] if stack else None


def char_at(text: str, line: int, column: int) -> str:
    """The character at a 0-based position, "" past the text."""
    lines = text.splitlines()
    if 0 <= line < len(lines) and 0 <= column < len(lines[line]):
        return lines[line][column]
    return ""


def reader_problem(exc: yaml.reader.ReaderError) -> str:
    """A character libyaml's reader refused, named by its code point."""
    char = exc.character
    if isinstance(char, int):
        return f"the character U+{char:04X} is not allowed ({exc.reason})"
    return str(exc.reason)


def offset_span(file: str, text: str, byte_offset: int) -> SourceSpan:
    """The span of a UTF-8 byte offset (the reader reports no line or column)."""
    before = text.encode("utf-8", "surrogatepass")[:byte_offset].decode("utf-8", "ignore")
    before = before.replace("\r\n", "\n").replace("\r", "\n")
    line = before.count("\n") + 1
    col = len(before) - (before.rfind("\n") + 1) + 1
    return SourceSpan(file, line, col)


def syntax_help(problem: str) -> str | None:
    """The fix for a libyaml syntax problem we recognise, else None."""
    if "tab" in problem:
        return "indent with spaces; YAML forbids tabs for indentation"
    if problem.startswith("this `{` is not closed"):
        return "close it with `}` where the mapping ends, or use block style"
    if problem.startswith("this `[` is not closed"):
        return "close it with `]` where the list ends, or use block style"
    if "mapping values are not allowed" in problem:
        return "a value containing `: ` must be quoted, or a key is indented wrongly"
    if "expected ',' or '}'" in problem or "expected ',' or ']'" in problem:
        return "inside `{...}` or `[...]`, quote values that contain brackets or commas, " \
            "e.g. '$stages[0]', or use block style"
    return None
