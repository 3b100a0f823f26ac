"""Property-based fuzzing of load -> validate -> lower -> analyse -> report, DOT and lint.

The property: for any input, the compiler either succeeds (and then every renderer works on
the result) or raises `SpecError` whose diagnostics all point at a line and column >= 1 and
render without error. Any other exception is a crash, i.e. a bug.

Inputs are random bytes, random text, and zoo specs with random mutations (lines deleted,
duplicated, swapped or truncated; numbers replaced by 0, negatives, huge values, floats or
words; keys renamed; layer names replaced by colliding or invalid ones; characters
inserted). CI runs `ARCHC_FUZZ_EXAMPLES` examples per test
(default 300); `docs/reliability.md` records a long run. A crash found here is fixed in the
core and its reproducer added to `tests/hostile/corpus/`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archc.backends.summary import RENDERERS, build_report
from archc.diagnostics import SpecError, render
from archc.pipeline import Compiled, Options, compile_file, compile_text

from .hostile_helpers import ROOT

EXAMPLES = int(os.environ.get("ARCHC_FUZZ_EXAMPLES", "300"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not os.environ.get(
    "ARCHC_FUZZ_RANDOM"), suppress_health_check=[HealthCheck.too_slow,
                                                  HealthCheck.data_too_large])
# Small caps keep each example cheap; the caps themselves are code under test too.
OPTIONS = Options()

ZOO = {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "specs").glob("*.yaml"))}
# The 1001-layer network is too slow to compile hundreds of times; the rest cover the language.
ZOO.pop("preact_resnet1001.yaml", None)

_NUMBER = re.compile(r"(?<![\w$.])-?\d+(\.\d+)?(?![\w.])")
_KEY = re.compile(r"^(\s*-?\s*)([A-Za-z_][\w]*)(\s*:)", re.MULTILINE)
_NAME = re.compile(r"\bname: *([\w.-]+)")
# Names that collide with the input, automatic names and scope parts, or are not names.
_NAMES = ["input", "conv2d_1", "dense_1", "add", "block1", "branch1", "shortcut", "squeeze",
          "a/b", "..", "x", "conv1", "'x y'", "''"]
_KEYS = ["filters", "kernel_size", "strides", "padding", "units", "name", "inputs", "times",
         "block", "layers", "body", "branches", "shortcut", "with", "first", "when", "output",
         "conv2d", "dense", "repeat", "residual", "parallel", "concat", "add", "variables",
         "variants", "blocks", "params", "defaults", "tables", "connections", "groups", "input",
         "outputs", "archc", "ratio", "depth_multiplier", "pool_size", "rate", "function"]
_VALUES = ["0", "-1", "-3", "1", "2", "3", "7", "16384", "16385", "1000000000", "2.5", "1e9",
           "9223372036854775807", "9223372036854775808", "99999999999999999999999", "-0",
           "true", "null", "~", "''", "x", "relu", "same", "[]", "{}", "[1, 2]", "[[0]]",
           "$undefined", "'$a ** 64'", "'1 // 0'", "on", "010", ".nan", ".inf", "'\\u0000'"]


def check_outcome(compile_once: object) -> None:
    """Run `compile_once()`; success must render, failure must be located diagnostics."""
    assert callable(compile_once)
    try:
        compiled = compile_once()
    except SpecError as exc:
        assert exc.diagnostics, "a SpecError without diagnostics"
        for d in exc.diagnostics:
            assert d.span is not None, f"unlocated: {d.code} {d.message}"
            assert d.span.line >= 1 and d.span.col >= 1, (d.code, d.span)
            assert render(d, None)
        return
    assert isinstance(compiled, Compiled) and compiled.analysis is not None
    # A success with no output means layers were dropped without a diagnostic (a layer
    # named `input` did exactly that before N002 covered it).
    assert compiled.graph.outputs, "compiled without errors but the graph has no output"
    report = build_report(compiled.analysis)
    for name, renderer in RENDERERS.items():
        assert renderer(report), name
    _dot(compiled)
    _lint(compiled)


def _lint(compiled: Compiled) -> None:
    """Every lint rule on the result: warnings only, each located."""
    from archc.lint import RULES, config_for, lint

    try:
        config = config_for(compiled.doc, compiled.header.lint,
                            enable=[rule.code for rule in RULES])
    except SpecError as exc:  # a bad `lint:` section: located like every other error
        assert all(d.span is not None and d.span.line >= 1 for d in exc.diagnostics)
        return
    for d in lint(compiled.analysis, config):
        assert not d.is_error and d.span is not None and d.span.line >= 1, d


def _dot(compiled: Compiled) -> None:
    try:
        from archc.backends.graphviz.dot import build_diagram
    except ImportError:  # the diagram backend is optional for this property
        return
    assert compiled.analysis is not None
    try:
        diagram = build_diagram(compiled.analysis)
    except SpecError as exc:  # D002: too large to draw is a located diagnostic too
        assert all(d.span is not None and d.span.line >= 1 for d in exc.diagnostics)
        return
    assert diagram.source.startswith("digraph ")


@FUZZ
@given(st.binary(max_size=2048))
def test_random_bytes(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.yaml"
        path.write_bytes(data)
        check_outcome(lambda: compile_file(str(path), OPTIONS))


@FUZZ
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=2048))
def test_random_text(text: str) -> None:
    check_outcome(lambda: compile_text(text, "fuzz.yaml", OPTIONS))


_YAMLISH = st.text(alphabet="abcdefgilnoprstuvwxyz_0123456789:-[]{},'\"!&*#|>$ \n", max_size=400)


@FUZZ
@given(_YAMLISH)
def test_yaml_shaped_text(text: str) -> None:
    check_outcome(lambda: compile_text("archc: 1\nname: f\ninput: [8, 8, 3]\n" + text,
                                       "fuzz.yaml", OPTIONS))


@st.composite
def mutated_zoo_spec(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(sorted(ZOO)))
    lines = ZOO[name].splitlines()
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["delete", "duplicate", "swap", "number", "number",
                                     "number", "key", "name", "truncate", "insert"]))
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        if kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "number":
            spots = [m.span() for m in _NUMBER.finditer(lines[i])]
            if spots:
                a, b = draw(st.sampled_from(spots))
                value = draw(st.sampled_from(_VALUES) | st.integers(-10**6, 10**12).map(str))
                lines[i] = lines[i][:a] + value + lines[i][b:]
        elif kind == "key":
            match = _KEY.match(lines[i])
            if match:
                new = draw(st.sampled_from(_KEYS) | st.from_regex(r"[a-z_]{1,12}", fullmatch=True))
                lines[i] = match.group(1) + new + lines[i][match.end(2):]
        elif kind == "name":
            spots = [m.span(1) for m in _NAME.finditer(lines[i])]
            if spots:
                a, b = draw(st.sampled_from(spots))
                lines[i] = lines[i][:a] + draw(st.sampled_from(_NAMES)) + lines[i][b:]
        elif kind == "truncate":
            cut = draw(st.integers(0, len(lines[i])))
            lines = lines[:i] + [lines[i][:cut]]
        else:
            pos = draw(st.integers(0, len(lines[i])))
            char = draw(st.sampled_from(list("[]{}:,-&*!|>'\"#\t $%@`\\")))
            lines[i] = lines[i][:pos] + char + lines[i][pos:]
    return "\n".join(lines) + "\n"


@FUZZ
@given(mutated_zoo_spec())
def test_mutated_zoo_specs(text: str) -> None:
    check_outcome(lambda: compile_text(text, "fuzz.yaml", OPTIONS))


def test_the_mutator_reaches_both_outcomes() -> None:
    # A fuzzer whose mutants all fail (or all pass) tests only one branch of the property.
    outcomes: set[str] = set()

    @settings(max_examples=120, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow])
    @given(mutated_zoo_spec())
    def probe(text: str) -> None:
        try:
            compile_text(text, "fuzz.yaml", OPTIONS)
            outcomes.add("ok")
        except SpecError:
            outcomes.add("error")

    probe()
    assert outcomes == {"ok", "error"}


_DOT = shutil.which("dot")


@pytest.mark.skipif(_DOT is None, reason="Graphviz `dot` is not installed")
@settings(max_examples=min(EXAMPLES, 60), deadline=None, derandomize=not os.environ.get(
    "ARCHC_FUZZ_RANDOM"))
@given(st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1,
               max_size=60))
def test_any_network_name_gives_dot_that_graphviz_parses(name: str) -> None:
    # The network's name and description are free text and land in the DOT title; whatever
    # they hold, the DOT must stay one well-formed graph (no injected statements).
    from archc.backends.graphviz.dot import build_diagram

    def canon(title: str) -> str | None:
        spec = ("archc: 1\nname: " + json.dumps(title) + "\ndescription: " + json.dumps(title)
                + "\ninput: [8, 8, 3]\nlayers:\n  - conv2d: {filters: 4, kernel_size: 3}\n")
        try:
            compiled = compile_text(spec, "fuzz.yaml", OPTIONS)
        except SpecError as exc:  # e.g. control characters YAML itself refuses
            assert all(d.span is not None for d in exc.diagnostics)
            return None
        assert compiled.analysis is not None and _DOT is not None
        source = build_diagram(compiled.analysis).source
        done = subprocess.run([_DOT, "-Tcanon"], input=source.encode(), capture_output=True,
                              timeout=30, check=False)
        assert done.returncode == 0, done.stderr.decode(errors="replace")
        return done.stdout.decode()

    fuzzed, reference = canon(name), canon("net")
    assert reference is not None
    if fuzzed is not None:  # the same nodes and edges as with a plain name: nothing injected
        for token in ("label=<<B>", " -> "):  # `<` and `>` in a name are escaped
            assert fuzzed.count(token) == reference.count(token), token
