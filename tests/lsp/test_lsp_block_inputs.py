"""Hover and go-to-definition on a block's declared inputs, on the zoo's U-Net: the
`decoder` block reads `x` (the map from below) and `skip` (the encoder's map)."""

from __future__ import annotations

from lsp_helpers import cursor, read, where

from archc.lsp.complete import complete
from archc.lsp.hover import hover
from archc.lsp.model import build
from archc.lsp.navigate import definition

TEXT = read("unet.yaml")
MODEL = build(TEXT, "unet.yaml")
DECLARED = where(TEXT, "inputs: [x, skip]", offset=12)  # `skip` in the declaration


def _goto(needle: str, offset: int) -> tuple[int, int] | None:
    span = definition(MODEL, where(TEXT, needle, offset=offset))
    return (span.line, span.col) if span is not None else None


def test_every_mention_of_an_input_leads_to_its_declaration() -> None:
    assert MODEL.diagnostics == ()
    assert _goto("name: crop, inputs: skip", 20) == DECLARED           # a reference
    assert _goto("($skip.height", 2) == DECLARED                        # its shape
    assert _goto("inputs: {skip: enc3", 9) == DECLARED                  # a call, by name
    assert _goto("inputs: [x, skip]", 9) == where(TEXT, "inputs: [x, skip]", offset=9)


def test_hover_shows_what_the_input_read_in_each_use() -> None:
    found = hover(MODEL, where(TEXT, "name: crop, inputs: skip", offset=20))
    assert found is not None
    lines = found.markdown.splitlines()
    assert lines[0].startswith("**input `skip`** of block `decoder` (2 of 2)")
    # The encoders' maps before pooling: 572 - 4 = 568, then (568 / 2) - 4 = 280, 136, 64
    # (numbers in the spec's comments); enc4's is its dropout's output.
    assert lines[2:] == [
        "- `dec4` reads `enc4/features/dropout_1` 64x64x512",
        "- `dec3` reads `enc3/features/conv2` 136x136x256",
        "- `dec2` reads `enc2/features/conv2` 280x280x128",
        "- `dec1` reads `enc1/features/conv2` 568x568x64",
    ]


def test_hover_on_the_first_input_in_a_call_by_position_is_the_layer() -> None:
    # `bottom` in `inputs: [bottom, ...]` is a layer reference: the layer's own hover.
    found = hover(MODEL, where(TEXT, "inputs: [bottom", offset=9))
    assert found is not None and found.markdown.startswith("**bottom** · `level`")


def test_completion_in_a_block_body_offers_its_declared_inputs() -> None:
    marked = TEXT.replace("name: crop, inputs: skip", "name: crop, inputs: |")
    text, pos = cursor(marked)
    labels = {c.label for c in complete(build(text, "unet.yaml"), pos).items}
    assert {"x", "skip", "upconv"} <= labels


def test_a_reference_to_an_exposed_output_leads_to_the_blocks_outputs_entry() -> None:
    reference = where(TEXT, "inputs: [bottom, enc4.features]", offset=17)
    span = definition(MODEL, reference)
    assert span is not None
    assert (span.line, span.col) == where(TEXT, "outputs: [features]", offset=10)
    found = hover(MODEL, reference)
    assert found is not None
    assert found.markdown.splitlines() == [
        "**`features`**: output `features` of block `encoder` (its layer `features`)", "",
        "- `enc4/features/dropout_1` 64x64x512"]
