"""Checks of the names a spec's header defines, made before anything is evaluated.

The names under `inputs`, `variables`, `variants`, `tables` and `blocks` become scope paths,
`$` references, Keras and DOT names, so each must be a plain identifier of the right kind;
a block's parameters and inputs are read as `$name`, so they must not collide with each
other, with `$in` or with the fields every item takes itself (`COMMON_FIELDS`); and
`defaults:` must name layer types. The pipeline runs `check_header_names` in its validate
stage, after the header matched the schema.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from archc.diagnostics import DiagnosticSink, SourceSpan, did_you_mean
from archc.lower.expr import INPUT, PARAM_PATTERN
from archc.spec.items import COMMON_FIELDS, LAYER_KINDS, STRUCTURE_KINDS
from archc.spec.loader import Document
from archc.spec.value_rules import NAME_PATTERN

if TYPE_CHECKING:
    from archc.spec.schema import BlockDef, SpecHeader


def check_header_names(doc: Document, header: SpecHeader, sink: DiagnosticSink) -> None:
    """Report every badly chosen name of the header (S005, S008, N007, N009) to `sink`."""
    _check_defaults(doc, header, sink)
    _check_names(doc, header, sink)


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
        if name in LAYER_KINDS or name in STRUCTURE_KINDS or name == "input":
            # A layer type wins when an item is read, so the block could never be used.
            what = "the input" if name == "input" else "a layer type"
            sink.error("S008", f"`{name}` cannot name a block: it is {what}",
                       doc.key_span(("blocks", name)), f"rename the block, e.g. `{name}_block`")
        _check_params(doc, name, block.params, sink)
        _check_block_inputs(doc, name, block, sink)


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
            elif param in COMMON_FIELDS:
                sink.error("S008", f"`{param}` cannot be a parameter of block `{block}`: every "
                           "layer item takes it as its own field", span,
                           f"rename the parameter (the reserved names: "
                           f"{', '.join(COMMON_FIELDS)})")
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
    """`defaults:` is keyed by layer type: a typo there would silently default nothing."""
    for kind in header.defaults:
        if kind not in LAYER_KINDS:
            sink.error("S005", f"`defaults` names an unknown layer type `{kind}`",
                       doc.key_span(("defaults", kind)), did_you_mean(kind, LAYER_KINDS))
