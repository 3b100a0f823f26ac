"""The one place where the compiler's stage order lives, as `_stages` runs it:

    load      safe YAML with a source position for every value (`spec.loader`)
    validate  the header against the schema, `defaults:` names, names the spec defines and
              block parameters, and the `lint:` settings (`spec.validate`, `lint.config`)
    variables the spec's variables, then the chosen variant's, then `--set` overrides
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
from dataclasses import dataclass, field, replace
from typing import Any

from archc.diagnostics import (
    Diagnostic,
    DiagnosticSink,
    Problem,
    SourceSpan,
    SpecError,
    did_you_mean,
)
from archc.ir import Graph
from archc.ir.ops import InputOp
from archc.lower import Caps, Lowered, lower
from archc.lower.estimate import first_over_cap, static_layers
from archc.lower.expr import (
    INPUT,
    PARAM_PATTERN,
    Budget,
    Exhausted,
    InFunction,
    Silent,
    evaluate,
    is_expression,
    variables_in,
)
from archc.lower.expr_context import MAX_SPEC_TERMS
from archc.lower.functions import FunctionTable, SpecFunction, compile_functions
from archc.lower.memo import ExpansionMemo as ExpansionMemo  # re-exported: editors keep one
from archc.passes.analysis import Analysis, CostCaps, analyse
from archc.perf import cyclic_gc_paused
from archc.spec.loader import MAX_BYTES, Document, load_bytes, load_file, load_text, oversize
from archc.spec.schema import (
    LAYER_MODELS,
    NAME_PATTERN,
    STRUCTURE_MODELS,
    BlockDef,
    SpecHeader,
)
from archc.spec.validate import validate_header


class Stage(enum.IntEnum):
    LOAD = 1
    VALIDATE = 2
    LOWER = 3
    ANALYSE = 4


class UsageError(Exception):
    """A problem with how archc was called (unknown variant, bad --set): exit code 2."""


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
        _check_defaults(doc, header, sink)
        _check_names(doc, header, sink)
        if header.lint:
            # The `lint:` mapping is part of the spec: `check` must catch its typos too.
            from archc.lint.config import from_spec

            from_spec(doc, header.lint, sink)
        with contextlib.suppress(Exhausted):  # reported at the text that crossed the cap
            result.functions = compile_functions(doc, header, sink, budget)
    sink.raise_if_errors()
    assert header is not None
    result.header = header
    result.variant, result.variables = resolve_variables(doc, header, options, sink,
                                                         result.functions, budget)
    sink.raise_if_errors()
    if stop_after <= Stage.VALIDATE:
        return
    _check_static_size(doc, header, result.variables, options.caps, sink, budget)
    lowered = lower(doc, header, result.variables, result.variant, sink, options.caps,
                    result.functions, reuse=options.memo or options.reuse_expansions,
                    budget=budget)
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
    result.analysis = analyse(lowered.graph, lowered.shapes, sink, options.cost_caps, known)
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
        _, variables = resolve_variables(first.doc, header, replace(options, variant=name),
                                         sink, first.functions, budget)
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


def _check_names(doc: Document, header: SpecHeader, sink: DiagnosticSink) -> None:
    """Names the spec defines become scope paths, Keras and DOT names: plain identifiers."""
    sections = {"inputs": header.inputs or {}, "variables": header.variables,
                "variants": header.variants, "tables": header.tables, "blocks": header.blocks}
    for section, mapping in sections.items():
        for key in mapping:
            if section == "variables" and key == INPUT:
                sink.error("S008", "`in` cannot name a variable: `$in` is the input's shape",
                           doc.key_span((section, key)), "rename the variable")
            elif section == "variables" and NAME_PATTERN.fullmatch(key) \
                    and not PARAM_PATTERN.fullmatch(key):
                sink.error("S008", f"`{key}` is not a valid name in `variables`",
                           doc.key_span((section, key)), f"a variable is read as `$name`, and "
                           f"`${key}` would not read it: use letters, digits and `_`")
            elif not NAME_PATTERN.fullmatch(key):
                sink.error("S008", f"`{key}` is not a valid name in `{section}`",
                           doc.key_span((section, key)),
                           "use letters, digits, `_`, `.` and `-`, starting with a letter or `_`")
    for name, block in header.blocks.items():
        if name in LAYER_MODELS or name in STRUCTURE_MODELS or name == "input":
            # A layer type wins when an item is read, so the block could never be used.
            what = "the input" if name == "input" else "a layer type"
            sink.error("S008", f"`{name}` cannot name a block: it is {what}",
                       doc.key_span(("blocks", name)), f"rename the block, e.g. `{name}_block`")
        _check_params(doc, name, block.params, sink)
        _check_block_inputs(doc, name, block, sink)


_RESERVED_PARAMS = ("name", "inputs", "output", "when")
"""Fields every block call takes itself; a parameter of that name could never be given."""


def _check_params(doc: Document, block: str, params: list[str | dict[str, Any]],
                  sink: DiagnosticSink) -> None:
    """Block parameters are `$`-readable identifiers, declared once, not a call's own fields."""
    seen: dict[str, SourceSpan] = {}
    for index, entry in enumerate(params):
        names = [(entry, doc.span(("blocks", block, "params", index)))] if isinstance(
            entry, str) else [(k, doc.key_span(("blocks", block, "params", index, k)))
                              for k in entry]
        for param, span in names:
            if not PARAM_PATTERN.fullmatch(param):
                sink.error("S008", f"`{param}` is not a valid parameter name in block "
                           f"`{block}`", span, "a parameter is read as `$name`: use letters, "
                           "digits and `_`, starting with a letter or `_`")
            elif param == INPUT:
                sink.error("S008", f"`in` cannot name a parameter of block `{block}`: `$in` is "
                           "the input's shape", span, "rename the parameter")
            elif param in _RESERVED_PARAMS:
                sink.error("S008", f"`{param}` cannot be a parameter of block `{block}`: every "
                           "layer item takes it as its own field", span,
                           f"rename the parameter (the reserved names: "
                           f"{', '.join(_RESERVED_PARAMS)})")
            elif param in seen:
                sink.error("N007", f"block `{block}` declares the parameter `{param}` twice "
                           f"(first at line {seen[param].line})", span,
                           "remove one of the two declarations")
            else:
                seen[param] = span


def _check_block_inputs(doc: Document, block: str, definition: BlockDef,
                        sink: DiagnosticSink) -> None:
    """A block's input names are layer names and `$name` shapes: identifiers, declared once,
    none a parameter's name (`$skip` could not say which); exposed outputs are names."""
    params = {k for p in definition.params for k in ([p] if isinstance(p, str) else p)}
    seen: dict[str, SourceSpan] = {}
    for index, name in enumerate(definition.inputs or []):
        span = doc.span(("blocks", block, "inputs", index))
        if not PARAM_PATTERN.fullmatch(name) or name == INPUT:
            sink.error("S008", f"`{name}` is not a valid input name in block `{block}`", span,
                       "an input is read as a layer name and as `${name}.channels`: use "
                       "letters, digits and `_`, starting with a letter or `_` (not `in`)")
        elif name in seen:
            sink.error("N009", f"block `{block}` declares the input `{name}` twice (first at "
                       f"line {seen[name].line})", span, "give each input its own name")
        elif name in params:
            sink.error("N009", f"block `{block}` has an input and a parameter named `{name}`",
                       span, f"`${name}` would not say which: rename one of them")
        else:
            seen[name] = span
    outputs = definition.outputs
    for index, key in enumerate(outputs if isinstance(outputs, list) else outputs or {}):
        if not NAME_PATTERN.fullmatch(key):
            where = ("blocks", block, "outputs", index if isinstance(outputs, list) else key)
            sink.error("S008", f"`{key}` is not a valid output name in block `{block}`",
                       doc.span(where) if isinstance(outputs, list) else doc.key_span(where),
                       "use letters, digits, `_`, `.` and `-`, starting with a letter or `_`")


def _check_defaults(doc: Document, header: SpecHeader, sink: DiagnosticSink) -> None:
    for kind in header.defaults:
        if kind not in LAYER_MODELS:
            sink.error("S005", f"`defaults` names an unknown layer type `{kind}`",
                       doc.key_span(("defaults", kind)), did_you_mean(kind, LAYER_MODELS))


def resolve_variables(doc: Document, header: SpecHeader, options: Options,
                      sink: DiagnosticSink, functions: dict[str, SpecFunction] | None = None,
                      budget: Budget | None = None) -> tuple[str | None, dict[str, Any]]:
    """Spec variables, then the chosen variant's values, then `--set` overrides.

    A variable is evaluated against those above it (and functions called from it see the
    same), and expressions nested in a list are evaluated too, so a table row can hold
    `'72 / 16'` as the reference code writes it."""
    variant = options.variant if options.variant is not None else header.default_variant
    if header.default_variant is not None and header.default_variant not in header.variants:
        sink.error("N005", f"`default_variant` names an unknown variant "
                   f"`{header.default_variant}`", doc.span(("default_variant",)),
                   did_you_mean(header.default_variant, header.variants))
        return None, {}
    if variant is not None and variant not in header.variants:
        known = ", ".join(header.variants) or "none"
        hint = did_you_mean(variant, header.variants)
        raise UsageError(f"unknown variant `{variant}` (variants: {known})"
                         + (f"; {hint}" if hint else ""))
    # Each variable's definitions in order: the spec's, the chosen variant's, `--set`'s. A
    # later one may read the variable itself (`{w: $w * 2}`): that is the value before it.
    layers: dict[str, list[tuple[Any, SourceSpan]]] = {
        k: [(v, doc.span(("variables", k)))] for k, v in header.variables.items()
    }
    # Every variant is checked, not only the chosen one: `archc check` must catch a typo in
    # a variant that nobody happens to build.
    declared = set(layers)
    for name, values in header.variants.items():
        for key, value in values.items():
            if key not in declared:
                sink.error("N006", f"variant `{name}` sets `{key}`, which is not a variable",
                           doc.key_span(("variants", name, key)),
                           did_you_mean(key, declared) or "declare it under `variables:`")
            elif name == variant:
                layers[key].append((value, doc.span(("variants", variant, key))))
    for key, text in options.overrides:
        if key not in layers:
            hint = did_you_mean(key, layers)
            raise UsageError(f"--set {key}: the spec has no variable `{key}`"
                             + (f"; {hint}" if hint else ""))
        layers[key].append((_parse_override(key, text), SourceSpan("<--set>", 1, 1)))
    env: dict[str, Any] = {}
    table = FunctionTable(functions or {}, env)
    budget = budget if budget is not None else Budget()
    failed: set[str] = set()
    for key, definitions in layers.items():
        # Only the last definition counts, and those it reads through `$key`: an overridden
        # spec value is not evaluated (it may not even make sense for this variant).
        first = len(definitions) - 1
        while first > 0 and key in _reads(definitions[first][0]):
            first -= 1
        for value, span in definitions[first:]:
            if failed & set(_reads(value)):
                failed.add(key)  # reported where the first failure is: no E001 cascade
                break
            try:
                env[key] = _variable_value(value, env, table, budget)
            except Exhausted as exc:
                sink.add(exc.at(span))  # once: every later variable would fail too
                return variant, env
            except Problem as exc:
                if isinstance(exc, InFunction):
                    sink.add(Diagnostic(exc.code, exc.message, doc.span(exc.path), exc.help,
                                        notes=(f"called from {span}",)))
                elif not isinstance(exc, Silent):
                    sink.add(exc.at(span))
                failed.add(key)
                env.pop(key, None)
                break
    return variant, env


def _variable_value(value: Any, env: dict[str, Any], table: FunctionTable,
                    budget: Budget) -> Any:
    if isinstance(value, list):
        out = [_variable_value(v, env, table, budget) for v in value]
        budget.size(out, "[...]")  # `['$v', '$v']` doubles like `'[$v, $v]'`
        return out
    if is_expression(value):
        return evaluate(value, env, table, budget)
    return value


def _reads(value: Any) -> list[str]:
    """The variables a definition reads, inside lists too."""
    if isinstance(value, list):
        return [name for item in value for name in _reads(item)]
    return variables_in(value) if is_expression(value) else []


def _parse_override(key: str, text: str) -> Any:
    try:
        return load_text(f"value: {text}", "<--set>").data["value"]
    except SpecError as exc:
        raise UsageError(f"--set {key}={text}: {exc.diagnostics[0].message}") from None
