"""The one place where the compiler's stage order lives, as `_stages` runs it:

    load      safe YAML with a source position for every value (`spec.loader`)
    validate  the header against the schema, `defaults:` names, names the spec defines and
              block parameters, and the `lint:` settings (`spec.validate`,
              `lower.header_checks`, `lint.config`)
    variables the spec's variables, then the chosen variant's, then `--set` overrides
              (`lower.variables`)
    bound     a static lower bound on the layers (`lower.estimate`): a spec that surely
              expands past the layer cap is refused (C001) before anything is lowered
    lower     one walk over the layer items (`lower`): substitute `$` expressions, validate
              each item against its layer model, resolve names, expand blocks / repeat /
              parallel / residual, emit typed IR nodes and infer their shapes on the way
    check     at least one layer is left (G011); `Graph.lint()`: structural invariants
              (a failure there is a bug in archc)
    analyse   parameters, MACs and activation memory per node and per scope, with caps
              (`passes.analysis`)

Emitters (report, DOT, Keras, lint) take the `Analysis`; none of them runs a stage again.
Each stage collects every diagnostic it can; the pipeline stops after a stage that found
errors, raising `SpecError` with all of them, so a file's mistakes are reported in one run.
`stop_after` ends early for debugging (`--dump ir`) and for commands that need less;
`attempt` runs the same stages for editors and returns the errors as data.
"""

from __future__ import annotations

import contextlib
import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from archc.backends.keras.limits import KERAS_LIMITS
from archc.diagnostics import Diagnostic, DiagnosticSink, SpecError
from archc.diagnostics import UsageError as UsageError  # re-exported: the CLI catches it
from archc.ir import Graph
from archc.ir.limits import BackendLimits
from archc.ir.ops import InputOp
from archc.lower import Caps, Lowered, lower
from archc.lower.estimate import first_over_cap, static_layers
from archc.lower.expr import Budget, Exhausted
from archc.lower.expr_context import MAX_SPEC_TERMS
from archc.lower.functions import SpecFunction, compile_functions
from archc.lower.header_checks import check_header_names
from archc.lower.memo import ExpansionMemo as ExpansionMemo  # re-exported: editors keep one
from archc.lower.variables import resolve_variables
from archc.passes.analysis import Analysis, CostCaps, analyse
from archc.perf import cyclic_gc_paused
from archc.spec.loader import MAX_BYTES, Document, load_bytes, load_file, load_text, oversize
from archc.spec.validate import validate_header

if TYPE_CHECKING:
    from archc.spec.schema import SpecHeader


class Stage(enum.IntEnum):
    LOAD = 1
    VALIDATE = 2
    LOWER = 3
    ANALYSE = 4


@dataclass(frozen=True)
class Options:
    variant: str | None = None
    overrides: tuple[tuple[str, str], ...] = ()
    caps: Caps = field(default_factory=Caps)
    cost_caps: CostCaps = field(default_factory=CostCaps)
    max_bytes: int = MAX_BYTES
    reuse_expansions: bool = False
    """Copy a block expansion made before with the same inputs (`lower.memo`; editors)."""
    memo: ExpansionMemo | None = field(default=None, compare=False)
    """A memo kept across compiles of one document (the language server's); implies reuse."""
    limits: BackendLimits = KERAS_LIMITS
    """What the target backend cannot run, as it declares it (`archc.ir.limits`); Keras is
    the backend `build` uses, so `check` refuses what it would fail on."""


@dataclass
class Compiled:
    """Everything the stages produced; later fields are None when stopped early."""

    doc: Document
    header: SpecHeader | None = None
    variant: str | None = None
    variables: dict[str, Any] = field(default_factory=dict)
    functions: dict[str, SpecFunction] = field(default_factory=dict)
    lowered: Lowered | None = None
    analysis: Analysis | None = None
    budget: Budget | None = None
    """The spec's cost account (terms spent, deepest nesting), once the stages ran."""

    @property
    def graph(self) -> Graph:
        assert self.lowered is not None
        return self.lowered.graph


def compile_file(path: str, options: Options = Options(),
                 stop_after: Stage = Stage.ANALYSE) -> Compiled:
    """Run the stages on a spec file. Raises SpecError, UsageError or OSError."""
    with cyclic_gc_paused():
        return _run(load_file(path, options.max_bytes), options, stop_after)


def compile_bytes(raw: bytes, file: str, options: Options = Options(),
                  stop_after: Stage = Stage.ANALYSE) -> Compiled:
    """Run the stages on spec bytes read elsewhere (`-`: standard input, read once)."""
    with cyclic_gc_paused():
        return _run(load_bytes(raw, file, options.max_bytes), options, stop_after)


def compile_text(text: str, file: str = "<string>", options: Options = Options(),
                 stop_after: Stage = Stage.ANALYSE) -> Compiled:
    with cyclic_gc_paused():
        return _run(load_text(text, file), options, stop_after)


@dataclass(frozen=True)
class Attempt:
    """A spec compiled as far as it goes, for editors: errors are data here, not exceptions.

    `diagnostics` are exactly those `compile_text` would raise (the stages stop at the same
    point); `compiled` holds what the stages before that point produced, or is None when
    the text is not loadable YAML. When lowering itself failed, `compiled.lowered` is still
    set (its shapes are None where an error made them unknown) and `analysis` is None.
    """

    compiled: Compiled | None
    diagnostics: tuple[Diagnostic, ...]


def attempt(text: str, file: str = "<string>", options: Options = Options()) -> Attempt:
    """Run every stage on `text` without raising SpecError (see `Attempt`)."""
    if len(text) * 4 > options.max_bytes and len(text.encode("utf-8")) > options.max_bytes:
        return Attempt(None, (oversize(file, options.max_bytes),))  # as `check` says it
    with cyclic_gc_paused():
        try:
            doc = load_text(text, file)
        except SpecError as exc:
            return Attempt(None, tuple(exc.diagnostics))
        result = Compiled(doc)
        try:
            _stages(result, options, Stage.ANALYSE)
        except SpecError as exc:
            return Attempt(result, tuple(exc.diagnostics))
        return Attempt(result, ())


def _run(doc: Document, options: Options, stop_after: Stage) -> Compiled:
    result = Compiled(doc)
    try:
        _stages(result, options, stop_after)
    except SpecError as exc:
        exc.sources.setdefault(doc.file, doc.source)  # so str(exc) shows the lines
        raise
    return result


def _stages(result: Compiled, options: Options, stop_after: Stage) -> None:
    """Fill `result` stage by stage; raise SpecError after the first stage with errors."""
    doc = result.doc
    if stop_after <= Stage.LOAD:
        return
    sink = DiagnosticSink()
    # One cost account for the whole spec: functions, variables, the static count, every item.
    budget = result.budget = Budget()
    header = validate_header(doc, sink)
    if header is not None:
        check_header_names(doc, header, sink)
        if header.lint:
            # The `lint:` mapping is part of the spec: `check` must catch its typos too.
            from archc.lint.config import from_spec

            from_spec(doc, header.lint, sink)
        with contextlib.suppress(Exhausted):  # reported at the text that crossed the cap
            result.functions = compile_functions(doc, header, sink, budget)
    sink.raise_if_errors()
    assert header is not None
    result.header = header
    result.variant, result.variables = resolve_variables(
        doc, header, options.variant, options.overrides, sink, result.functions, budget)
    sink.raise_if_errors()
    if stop_after <= Stage.VALIDATE:
        return
    _check_static_size(doc, header, result.variables, options.caps, sink, budget)
    lowered = lower(doc, header, result.variables, result.variant, sink, options.caps,
                    result.functions, reuse=options.memo or options.reuse_expansions,
                    budget=budget, limits=options.limits)
    result.lowered = lowered  # kept on errors for `attempt`; raising discards it otherwise
    sink.raise_if_errors()
    assert lowered is not None
    if all(node.op is InputOp.INPUT for node in lowered.graph.nodes):
        # Every item was left out (`when: false`): the model would be the identity.
        sink.error("G011", "the network has no layers: every item is removed by `when: false`"
                   + (f" in variant `{result.variant}`" if result.variant else ""),
                   doc.key_span(("layers",)), "keep at least one layer"
                   + (" in this variant" if result.variant else ""))
        sink.raise_if_errors()
    problems = lowered.graph.lint()
    if problems:  # a compiler bug, not the user's: say so plainly
        raise RuntimeError("internal error: malformed IR: " + "; ".join(problems))
    if stop_after <= Stage.LOWER:
        return
    memo = options.memo
    known = memo.infos if memo is not None and memo.cost_caps == options.cost_caps else None
    result.analysis = analyse(lowered.graph, lowered.shapes, sink, options.cost_caps, known,
                              options.limits)
    if memo is not None and result.analysis is not None:
        memo.infos = {id(info.node): info for info in result.analysis.nodes}
        memo.cost_caps = options.cost_caps
    sink.raise_if_errors()


MAX_VARIANTS = 64
"""The most variants one command compiles at once (`report`, `summary --all-variants`)."""


def plan_variants(first: Compiled, options: Options) -> list[str]:
    """The variants a command that compiles every variant will compile, decided before it
    compiles any: at most MAX_VARIANTS of them, and their static lower bounds together
    within the layer cap (`--max-layers` bounds one command's run, whatever it multiplies
    it by). Refused with `C013` at `variants:` (a SpecError, exit 1); `VariantRun` then
    checks the real counts as the variants compile."""
    header = first.header
    assert header is not None
    names = list(header.variants)
    if not names:
        return names
    span = first.doc.key_span(("variants",))
    help_ = "compile one variant at a time with --variant"
    if len(names) > MAX_VARIANTS:
        raise SpecError([Diagnostic("C013", f"this command compiles every variant: "
                                    f"{len(names):,} variants, the cap is {MAX_VARIANTS}",
                                    span, help_)], {first.doc.file: first.doc.source})
    total = 0
    inputs = 1 if header.input is not None else len(header.inputs or {})
    budget = Budget()  # one account for every variant's variables and bound
    for name in names:
        sink = DiagnosticSink()
        _, variables = resolve_variables(first.doc, header, name, options.overrides, sink,
                                         first.functions, budget)
        if any(d.code == "C011" for d in sink.sorted()):
            raise SpecError([Diagnostic(
                "C013", f"this command compiles every variant: the {len(names):,} variants' "
                f"variables together visit more than {MAX_SPEC_TERMS:,} terms (by `{name}`)",
                span, help_)], {first.doc.file: first.doc.source})
        total += static_layers(first.doc.data["layers"], header.blocks, variables, inputs,
                               options.caps.max_repeat, options.caps.max_block_depth, budget)
        if total > options.caps.max_nodes:
            raise SpecError([Diagnostic(
                "C013", f"this command compiles every variant: the {len(names):,} variants "
                f"expand to at least {total:,} layers together (by `{name}`); the cap is "
                f"{options.caps.max_nodes:,}", span, help_ + ", or raise the cap with "
                "--max-layers")], {first.doc.file: first.doc.source})
    return names


@dataclass
class VariantRun:
    """The running count of a command that compiles every variant: the layers made so far,
    against the same cap `plan_variants` checked statically."""

    first: Compiled
    options: Options
    total: int = 0
    terms: int = 0

    def add(self, compiled: Compiled) -> None:
        assert compiled.lowered is not None and compiled.budget is not None
        self.total += compiled.lowered.cost
        self.terms += compiled.budget.steps
        if self.terms > MAX_SPEC_TERMS:  # the variants' expressions, like one spec's
            raise SpecError([Diagnostic(
                "C013", f"this command compiles every variant: their expressions together "
                f"visit more than {MAX_SPEC_TERMS:,} terms (by `{compiled.variant}`)",
                self.first.doc.key_span(("variants",)), "compile one variant at a time with "
                "--variant")], {self.first.doc.file: self.first.doc.source})
        if self.total > self.options.caps.max_nodes:
            raise SpecError([Diagnostic(
                "C013", f"this command compiles every variant: they make more than "
                f"{self.options.caps.max_nodes:,} layers together (by `{compiled.variant}`)",
                self.first.doc.key_span(("variants",)), "compile one variant at a time with "
                "--variant, or raise the cap with --max-layers")],
                {self.first.doc.file: self.first.doc.source})


def _check_static_size(doc: Document, header: SpecHeader, variables: dict[str, Any],
                       caps: Caps, sink: DiagnosticSink, budget: Budget | None = None) -> None:
    """Refuse before lowering a spec that surely expands past the layer cap (`C001`)."""
    inputs = 1 if header.input is not None else len(header.inputs or {})
    over = first_over_cap(doc.data["layers"], header.blocks, variables, inputs, caps.max_nodes,
                          caps.max_repeat, caps.max_block_depth, budget)
    if over is None:
        return
    sink.error("C001", f"the network expands to at least {over.total:,} layers by this item "
               f"(which adds at least {over.own:,}); the cap is {caps.max_nodes:,}",
               doc.key_span(("layers", over.index, over.kind)), "raise the cap with --max-layers")
    sink.raise_if_errors()
