"""The editor features in-process: completion contexts, hover text, definitions, outline.

The protocol layer is tested end to end in test_lsp_server.py; here the many cases run
without a server. Figures come from docs/numbers.md or from arithmetic
shown beside them.
"""

from __future__ import annotations

import textwrap

from lsp_helpers import cursor, read, where

from archc.lsp.complete import Kind, complete
from archc.lsp.hover import hover
from archc.lsp.model import SpecModel, build
from archc.lsp.navigate import Symbol, definition, symbols

SMALL = textwrap.dedent("""\
    archc: 1
    name: small
    input: [32, 32, 3]
    variables:
      width: 16
    variants:
      wide: {width: 64}
    default_variant: wide
    tables:
      pairs: [[0, 1], [1, 2], [0, 2]]
    blocks:
      unit:
        params: [filters, {strides: 1}]
        layers:
          - conv2d: {filters: $filters, kernel_size: 3, strides: $strides, padding: same}
    layers:
      - conv2d: {name: stem, filters: 3, kernel_size: 3, padding: same}
      - conv2d: {name: paired, filters: 3, kernel_size: 1, connections: pairs}
      - unit: {name: u1, filters: $width}
      - repeat:
          name: stack
          times: 2
          block: unit
          with: {filters: 8}
      - repeat:
          name: plain
          times: 2
          layers:
            - conv2d: {filters: 8, kernel_size: 1}
      - add: {name: merged, inputs: [stack, plain]}
      - global_avg_pool2d: {}
      - dense: {name: out, units: 10}
    """)


def test_the_example_spec_compiles_cleanly() -> None:
    assert build(SMALL, "spec.yaml").diagnostics == ()


def _complete(marked: str) -> list[str]:
    text, pos = cursor(marked)
    return [c.label for c in complete(build(text, "spec.yaml"), pos).items]


def _replace(anchor: str, new: str, text: str = SMALL) -> str:
    assert anchor in text
    return text.replace(anchor, new, 1)


# -- completion --------------------------------------------------------------------------------


def test_a_new_item_offers_layer_types_structures_and_blocks() -> None:
    labels = _complete(_replace("  - dense: {name: out", "  - |\n  - dense: {name: out"))
    assert {"conv2d", "dense", "batch_norm", "squeeze_excitation"} <= set(labels)
    assert {"repeat", "residual", "parallel", "unit"} <= set(labels)
    typed = _complete(_replace("  - dense: {name: out", "  - re|\n  - dense: {name: out"))
    assert sorted(typed) == ["repeat", "rescaling", "reshape", "residual"]


def test_candidates_carry_their_kind() -> None:
    text, pos = cursor(_replace("  - dense: {name: out", "  - un|\n  - dense: {name: out"))
    found = complete(build(text, "spec.yaml"), pos)
    assert [(c.label, c.kind) for c in found.items] == [("unit", Kind.BLOCK)]
    assert found.replace_from == (pos[0], pos[1] - 2) and found.replace_to == pos


def test_fields_of_a_layer_in_flow_and_block_style() -> None:
    # Valid YAML, unclosed flow mapping, and a block mapping with nothing under the key yet.
    for marked in ("  - dense: {units: 3, a|}\n", "  - dense: {units: 3, a|\n",
                   "  - dense:\n      units: 3\n      a|\n"):
        assert _complete(_replace("  - dense: {name: out", marked + "  - dense: {name: out")) \
            == ["activation"], marked
    labels = _complete(_replace("  - dense: {name: out",
                                "  - dense:\n      |\n  - dense: {name: out"))
    assert {"units", "use_bias", "activation", "name", "inputs"} <= set(labels)
    # A field already given is not offered again.
    labels = _complete(_replace("{name: stem, filters: 3,", "{name: stem, filters: 3, |"))
    assert "strides" in labels
    assert not {"name", "filters", "kernel_size", "padding"} & set(labels)


def test_block_parameters_at_a_use_and_in_repeat_with() -> None:
    labels = _complete(_replace("  - unit: {name: u1, filters: $width}",
                                "  - unit: {name: u1, filters: $width, |}"))
    assert labels[0] == "strides" and "filters" not in labels
    assert "inputs" in labels  # every item takes the common fields
    labels = _complete(_replace("      with: {filters: 8}", "      with: {|}"))
    assert labels == ["filters", "strides"]


def test_repeat_with_resolves_the_block_through_a_variable() -> None:
    text = read("resnet.yaml").replace("      with: {filters: 64}\n", "      with:\n        |\n", 1)
    clean, pos = cursor(text)
    assert [c.label for c in complete(build(clean, "resnet.yaml"), pos).items] == [
        "filters", "strides"]  # `block: $unit` is `bottleneck` under resnet50


def test_variables_after_a_dollar() -> None:
    labels = _complete(_replace("times: 2\n      block: unit", "times: $|\n      block: unit"))
    assert labels == ["$width"]
    # Inside a block: its parameters too; inside a repeat's layers: `$index`.
    labels = _complete(_replace("strides: $strides, padding", "strides: $|, padding"))
    assert labels == ["$width", "$filters", "$strides"]
    labels = _complete(_replace("{filters: 8, kernel_size: 1}", "{filters: $|, kernel_size: 1}"))
    assert labels == ["$width", "$index"]


def test_variable_candidates_show_the_current_value() -> None:
    text, pos = cursor(_replace("times: 2\n      block: unit", "times: $|\n      block: unit"))
    (only,) = complete(build(text, "spec.yaml"), pos).items
    assert only.detail == "= 64 (wide)"  # the default variant `wide` sets width: 64


def test_variant_names_and_values_from_the_schema() -> None:
    assert _complete(_replace("default_variant: wide", "default_variant: |")) == ["wide"]
    labels = _complete(_replace("{name: out, units: 10}", "{name: out, units: 10, activation: s|}"))
    assert labels == ["selu", "sigmoid", "softmax", "softplus", "swish"]
    assert _complete(_replace("connections: pairs", "connections: |")) == ["pairs"]
    labels = _complete(_replace("kernel_size: 1, connections", "kernel_size: 1, padding: |, c"))
    assert labels == ["valid", "same"]


def test_layer_names_in_inputs_and_outputs() -> None:
    labels = _complete(_replace("inputs: [stack, plain]", "inputs: [stack, |]"))
    assert labels == ["plain", "stack", "u1", "paired", "stem", "input"]
    text = SMALL + "outputs: [|]\n"
    assert _complete(text) == ["out", "merged", "plain", "stack", "u1", "paired", "stem",
                               "input"]


def test_names_inside_a_block_do_not_see_the_callers_layers() -> None:
    marked = _replace("strides: $strides, padding: same}",
                      "strides: $strides, padding: same}\n          - add: {inputs: [|]}")
    assert _complete(marked) == []


def test_top_level_keys_and_defaults() -> None:
    labels = _complete("archc: 1\nname: x\n|\n")
    assert {"input", "layers", "blocks", "variables"} <= set(labels)
    assert "archc" not in labels and "name" not in labels
    labels = _complete(_replace("input: [32, 32, 3]", "input: [32, 32, 3]\ndefaults:\n  c|"))
    assert "conv2d" in labels and "concat" in labels and "repeat" not in labels


def test_text_that_cannot_be_repaired_gives_nothing() -> None:
    assert _complete("archc: 1\n  - : : [\n|") == []


# -- hover -------------------------------------------------------------------------------------


def _hover(model: SpecModel, text: str, needle: str, nth: int = 0, offset: int = 0) -> str:
    found = hover(model, where(text, needle, nth, offset))
    assert found is not None, needle
    return found.markdown


def test_hover_on_a_layer_shows_its_figures() -> None:
    text = read("lenet5.yaml")
    shown = _hover(build(text, "lenet5.yaml"), text, "conv2d: {name: c3")
    # numbers.md, LeNet-5: C3 -> 10x10x16, 1,516 params (the connection table), 150,000 MACs.
    assert "Output `10x10x16` · 1,516 params · 150,000 MACs" in shown
    assert shown.startswith("**c3** · `conv2d`")
    # On the layer's name, and on a reference to it, the same.
    assert _hover(build(text, "lenet5.yaml"), text, "name: c3", offset=6) == shown


def test_hover_on_a_layer_inside_a_block_lists_every_instance() -> None:
    text = read("resnet.yaml")
    model = build(text, "resnet.yaml")
    shown = _hover(model, text, "conv2d: {filters: $filters, kernel_size: 1, strides")
    # ResNet-50 (numbers.md: stages [3, 4, 6, 3]) has 3 + 4 + 6 + 3 = 16 bottlenecks.
    assert "16 instances (variant `resnet50`):" in shown
    assert "| … 8 more | | | |" in shown
    # The first: 1x1, 64 -> 64 filters on 56x56, with bias: 64 * 64 + 64 = 4,160 params,
    # 56 * 56 * 64 * 64 = 12,845,056 MACs.
    assert "| `conv2/block1/residual_1/conv2d_1` | 56x56x64 | 4,160 | 12,845,056 |" in shown


def test_hover_on_a_variant_shows_its_totals() -> None:
    text = read("resnet.yaml")
    shown = _hover(build(text, "resnet.yaml"), text, "resnet101:")
    # numbers.md: ResNet-101 (Keras v1) 44,707,176 params, 7,570,194,432 MACs.
    assert "44,707,176 params · 7,570,194,432 MACs" in shown
    assert "(current)" not in shown
    assert "(current)" in _hover(build(text, "resnet.yaml"), text, "default_variant: resnet50",
                                 offset=len("default_variant: "))


def test_hover_on_a_layer_the_variant_leaves_out() -> None:
    text = read("googlenet.yaml")
    shown = _hover(build(text, "googlenet.yaml"), text, "aux_head: {name: aux1")
    assert "Not in the network" in shown


def test_hover_on_a_block_definition_lists_its_uses() -> None:
    text = read("googlenet.yaml")
    shown = _hover(build(text, "googlenet.yaml"), text, "  inception:", offset=2)
    assert shown.startswith("**block `inception`**(")
    assert "9 instances" in shown  # 3a, 3b, 4a-4e, 5a, 5b
    assert "| `inception_3a` | 28x28x256 | 163,696 |" in shown  # see test_lsp_server.py


def test_hover_still_helps_when_lowering_failed() -> None:
    text = _replace("  - dense: {name: out, units: 10}", "  - dense: {name: out, units: $nope}")
    model = build(text, "spec.yaml")
    assert [d.code for d in model.diagnostics] == ["E001"]
    shown = _hover(model, text, "conv2d: {name: stem")
    # A mistake on another line does not hide this line's figures: the lowering ran past
    # it, and what resolved is costed. stem: 3x3 conv, 3 -> 3 channels, same padding:
    # 3*3*3*3 + 3 = 84 params; 32*32 positions x 3 filters x 27 MACs = 82,944 MACs.
    assert "Output `32x32x3` · 84 params · 82,944 MACs" in shown
    assert "_Figures of what still resolves: the spec has errors elsewhere (see Problems)._" \
        in shown
    # The broken item itself has no figures, and says why.
    assert "No figures: this item did not lower (see Problems)." in \
        _hover(model, text, "dense: {name: out")
    # An item reading a layer whose shape failed: its shape and costs are unknown, and the
    # hover says so (a 64x64 kernel does not fit the 32x32 input).
    text = _replace("  - conv2d: {name: paired", "  - conv2d: {name: big, filters: 3, "
                    "kernel_size: 64}\n  - conv2d: {name: paired")
    model = build(text, "spec.yaml")
    assert [d.code[0] for d in model.diagnostics] == ["G"]
    late = _hover(model, text, "conv2d: {name: paired")
    assert "params and MACs unknown" in late
    assert "_Params and MACs unknown: this item's input depends on an error" in late


def test_hover_explains_when_validation_failed() -> None:
    text = SMALL.replace("name: small", "name: small\nnmae: typo")
    model = build(text, "spec.yaml")
    assert [d.code for d in model.diagnostics] == ["S002"]
    assert "No figures while the spec has errors" in _hover(model, text, "conv2d: {name: stem")
    # With the last analysis without errors (the server keeps it), an unchanged line shows
    # its figures from there, and says so.
    good = build(SMALL, "spec.yaml")
    good.version = 7
    line, col = where(text, "conv2d: {name: stem")
    found = hover(model, (line, col), good)
    assert found is not None and "84 params · 82,944 MACs" in found.markdown
    assert "_From the last analysis without errors (version 7)" in found.markdown
    # The rest works from the loaded document.
    assert [s.name for s in symbols(model)] == ["variables", "variants", "blocks", "layers"]
    assert definition(model, where(text, "unit: {name: u1")) is not None


# -- definition and outline --------------------------------------------------------------------


def _goto(text: str, needle: str, offset: int = 0) -> tuple[int, int] | None:
    span = definition(build(text, "spec.yaml"), where(text, needle, offset=offset))
    return (span.line, span.col) if span is not None else None


def test_definitions() -> None:
    assert _goto(SMALL, "unit: {name: u1") == where(SMALL, "  unit:", offset=2)
    assert _goto(SMALL, "block: unit", offset=7) == where(SMALL, "  unit:", offset=2)
    assert _goto(SMALL, "inputs: [stack", offset=9) == where(SMALL, "name: stack", offset=6)
    assert _goto(SMALL, "filters: $width", offset=11) == where(SMALL, "width: 16")
    assert _goto(SMALL, "filters: $filters, kernel", offset=11) == where(
        SMALL, "params: [filters", offset=9)
    assert _goto(SMALL, "default_variant: wide", offset=18) == where(SMALL, "wide: {")
    assert _goto(SMALL, "connections: pairs", offset=14) == where(SMALL, "pairs: [[")
    assert _goto(SMALL, "conv2d: {name: stem") is None  # a built-in type has no source


def test_outline() -> None:
    model = build(read("googlenet.yaml"), "googlenet.yaml")
    sections = {s.name: s for s in symbols(model)}
    (inception,) = [b for b in sections["blocks"].children if b.name == "inception"]
    (parallel,) = inception.children
    assert [b.name for b in parallel.children] == ["branch1", "branch2", "branch3", "branch4"]
    layers = sections["layers"].children
    assert layers[0].name == "conv1" and layers[0].detail == "conv2d → 112x112x64"
    assert _inside(sections["layers"])


def _inside(symbol: Symbol) -> bool:
    """Every child's range lies inside its parent's, as the protocol requires."""
    return all(symbol.range[0] <= c.range[0] and c.range[1] <= symbol.range[1] and _inside(c)
               for c in symbol.children)


def test_the_server_variant_applies_where_the_spec_has_it() -> None:
    assert build(read("resnet.yaml"), "resnet.yaml", "resnet18").variant == "resnet18"
    assert build(SMALL, "spec.yaml", "resnet18").variant == "wide"  # not here: the default


def test_the_size_cap_applies_as_in_check() -> None:
    from archc.pipeline import Options, attempt

    (only,) = attempt(SMALL, "spec.yaml", Options(max_bytes=100)).diagnostics
    assert (only.code, only.message) == ("Y009", "the file is larger than the size cap of "
                                                 "100 bytes")
    assert attempt(SMALL, "spec.yaml", Options(max_bytes=len(SMALL))).diagnostics == ()


def test_half_typed_text_gets_located_diagnostics_and_no_crash() -> None:
    """Prefixes of a spec, and the spec with a chunk cut out, as if typed or mangled: every
    feature answers, and every diagnostic points inside the document (the server moves one
    just past its end onto the last line: test_lsp_server.py)."""
    for name in ("resnet.yaml", "googlenet.yaml"):
        text = read(name)
        for cut in range(0, len(text), 97):
            for edited in (text[:cut], text[:cut] + text[cut + 15:]):
                lines = edited.split("\n")
                pos = (text[:cut].count("\n") + 1, len(text[:cut].split("\n")[-1]) + 1)
                model = build(edited, name)
                for d in model.diagnostics:  # an end-of-input mark may sit one line on
                    assert d.span is not None and 1 <= d.span.line <= len(lines) + 1, (cut, d)
                complete(model, pos)
                hover(model, pos)
                definition(model, pos)
                assert all(s.range[0] <= s.range[1] for s in symbols(model))
        assert build(text, name).diagnostics == ()


def test_hover_on_a_repeat_describes_it_without_stray_spaces() -> None:
    model = build(SMALL, "spec.yaml")
    shown = _hover(model, SMALL, "repeat:")
    assert shown.startswith("**stack** · `repeat` — A block (or a list of layers) repeated "
                            "`times` times; `first` overrides the first copy's arguments, "
                            "`last` the last copy's.")
    assert "  " not in shown.split("\n")[0]


def test_values_are_previewed_within_a_bound_however_large() -> None:
    from archc.lsp.show import PREVIEW_CHARS, preview

    shared: list[object] = [1, 2]
    for _ in range(60):  # 2**61 leaves, built from shared parts as `[$v, $v]` builds them
        shared = [shared, shared]
    shown = preview(shared)
    assert shown.startswith("[[[[") and shown.endswith("…")
    assert len(shown) == PREVIEW_CHARS + 1
    assert preview({"a": [1, True, None], "b": "x"}) == "{a: [1, true, null], b: x}"
    assert preview(10**5000) == "(a very large number)"


def test_completion_after_a_dollar_shows_bounded_values() -> None:
    big = ", ".join(str(i) for i in range(5000))
    text = SMALL.replace("  width: 16", f"  width: 16\n  many: [{big}]")
    model = build(text, "spec.yaml")
    marked = text.replace("{name: u1, filters: $width}", "{name: u1, filters: $|}")
    plain, pos = cursor(marked)
    found = complete(build(plain, "spec.yaml"), pos)
    many = next(c for c in found.items if c.label == "$many")
    assert many.detail.startswith("= [0, 1, 2, 3") and many.detail.endswith("… (wide)")
    assert len(many.detail) == len("= ") + 61 + len(" (wide)")  # 60 characters and `…`
    assert model.diagnostics == ()


def test_a_document_over_the_size_cap_gets_y009_and_no_parsing_per_keystroke() -> None:
    from archc.spec.loader import MAX_BYTES

    text = SMALL + "# " + "x" * MAX_BYTES + "\n"
    model = build(text, "big.yaml")
    assert [d.code for d in model.diagnostics] == ["Y009"]
    assert complete(model, (3, 1)).items == ()
    assert hover(model, (3, 1)) is None
