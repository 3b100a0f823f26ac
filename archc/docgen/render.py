"""The generated parts of the docs, each a Markdown string rendered from the catalogue.

Every fact comes through `source` (the catalogue, the spec models, the receptive-field
kinds) or `hand` (what only prose knows: the Keras layer, a cross-reference, what a kind of
rule does). Output is a pure function of those, in their order, so it is the same on every
machine and every run.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from archc.docgen import hand, source
from archc.docgen.values import describe, literal


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _names(names: Sequence[str]) -> str:
    return ", ".join(f"`{n}`" for n in names)


def _groups() -> Iterator[list[str]]:
    """Layer types, consecutive ones that share a spec model as one group (the pools)."""
    group: list[str] = []
    for name in source.layer_types():
        if group and source.model_of(group[0]) is not source.model_of(name):
            yield group
            group = []
        group.append(name)
    if group:
        yield group


def _family(layer_type: str) -> str:
    return source.family_of(layer_type) if layer_type in source.ops() else "block"


def _field_summary(layer_type: str) -> str:
    """`filters`, `kernel_size`, `strides = 1`: each field, with its default if it has one."""
    parts = [f"`{name}`" if field.required else f"`{name} = {literal(field.schema.get('default'))}`"
             for name, field in source.own_fields(layer_type).items()]
    text = ", ".join(parts) or "(none)"
    if layer_type in hand.SEE:
        text += f"; see {hand.SEE[layer_type]}"
    return text


def _keras(layer_type: str) -> str:
    if layer_type in hand.STRUCTURE_KERAS:
        return hand.STRUCTURE_KERAS[layer_type]
    layer = source.keras_layer_of(layer_type)
    if layer is None:
        raise KeyError(f"layer type `{layer_type}` has no Keras layer: add its rule to "
                       "archc/backends/keras/op_rules.py, or a structure's text to "
                       "archc/docgen/hand.py STRUCTURE_KERAS")
    own = "archc's "
    return own + f"`{layer[len(own):]}`" if layer.startswith(own) else f"`{layer}`"


def layer_table() -> str:
    """spec-language.md's table of layer types: family, description, fields, Keras layer."""
    lines = ["| type | family | what it is | fields | Keras |", "|---|---|---|---|---|"]
    for group in _groups():
        first = group[0]
        docs = dict.fromkeys(source.doc_of(t) for t in group)
        lines.append("| " + " | ".join(_cell(c) for c in (
            _names(group), _family(first), " ".join(d for d in docs if d),
            _field_summary(first), ", ".join(_keras(t) for t in group))) + " |")
    return "\n".join(lines) + "\n"


def layer_fields() -> str:
    """spec-language.md's field lists: every field of every type, its values and default."""
    activations = source.activations()
    lines = ["| type | field | values | default | meaning |", "|---|---|---|---|---|"]
    for group in _groups():
        fields = source.own_fields(group[0])
        if not fields:
            lines.append(f"| {_names(group)} | (none) | | | |")
        for i, (name, field) in enumerate(fields.items()):
            default = ("required" if field.required
                       else f"`{literal(field.schema.get('default'))}`")
            lines.append("| " + " | ".join(_cell(c) for c in (
                _names(group) if i == 0 else "", f"`{name}`",
                describe(field.schema, activations), default,
                field.schema.get("description", ""))) + " |")
    return "\n".join(lines) + "\n"


def receptive_table() -> str:
    """receptive-field.md's per-op rules, one row per kind of rule."""
    by_kind: dict[str, list[str]] = {}
    for op in source.ops():
        by_kind.setdefault(source.rule_kind_of(op), []).append(op)
    missing = set(by_kind) - set(hand.RULE_TEXT)
    if missing:
        raise KeyError(f"no text for receptive-field kind(s) {sorted(missing)} in "
                       "archc/docgen/hand.py RULE_TEXT: add it, then run "
                       "`python -m archc.docgen`")
    lines = ["| kind | ops | rule |", "|---|---|---|"]
    lines += [f"| {kind} | {_names(by_kind[kind])} | {_cell(text)} |"
              for kind, text in hand.RULE_TEXT.items() if kind in by_kind]
    return "\n".join(lines) + "\n"


def _listed(names: Sequence[str], last: str | None = None) -> str:
    words = [f"`{n}`" for n in names] + ([last] if last else [])
    return (", ".join(words[:-1]) + " or " + words[-1] if len(words) > 1 else words[0]) + "."


def linear_stack_list() -> str:
    """lint-rules.md, L007: what may lie between two convolutions and keep them linear."""
    return _listed(source.looks_through("linear_passthrough"), "a `linear` activation") + "\n"


def wide_reduction_list() -> str:
    """lint-rules.md, L008: what may lie between a 1x1 reduction and the convolution it
    feeds."""
    return _listed(source.looks_through("width_passthrough")) + "\n"
