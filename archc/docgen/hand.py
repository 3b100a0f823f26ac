"""What the docs say that the code does not hold: written once here, keyed by name, and
checked by tests/docgen to cover every layer type and every receptive-field kind, so a new
op cannot be left out of a table.

An op's Keras layer is not here: the Keras backend declares it beside the rule that builds
it, and `source.keras_layer_of` reads it there.
"""

from __future__ import annotations

STRUCTURE_KERAS: dict[str, str] = {
    "squeeze_excitation": "pooling, two `Dense` (or 1x1 `Conv2D`) and `Multiply`",
}
"""The Keras layers of layer types that are not ops (an op's comes from its Keras lowering,
`archc.backends.keras.op_rules.KERAS_LAYERS`)."""

SEE: dict[str, str] = {
    "concat": "[merges](#merges)",
    "add": "[merges](#merges)",
    "multiply": "[merges](#merges)",
    "scaled_add": "[merges](#merges)",
    "squeeze_excitation": "[below](#squeeze_excitation)",
    "conv2d": "[connection tables](#connection-tables)",
}
"""Sections of spec-language.md that say more about a layer type."""

RULE_TEXT: dict[str, str] = {
    "input": "seeded, not derived: every pixel sees itself, r = 1, j = 1, start 0",
    "window": "the window rule with the kernel (`kernel_size`, or `pool_size` and the "
              "`strides` that default to it), `strides`, `dilation` and `padding`; a "
              "separable convolution follows its depthwise half (its 1x1 half changes "
              "nothing)",
    "pointwise": "unchanged: each output position reads only the same input position "
                 "(channels may mix, as in LRN, layer norm or a channel slice)",
    "map statistics": "r, j and start unchanged, marked `+global`: each unit also depends on "
                      "statistics taken over every position of the map",
    "dense": "on an H x W x C map: unchanged (it acts per position, as a 1x1 convolution); "
             "on a vector: whole input",
    "whole": "whole input: one value or vector from every position",
    "merge": "the union of the branches (below)",
    "padding": "r and j unchanged; start moves back by `top` (or `left`) x j",
    "cropping": "r and j unchanged; start moves on by `top` (or `left`) x j",
    "transposed": "`strides: 1`: a window of k, `r' = r + (k - 1) j`, the centre moving by "
                  "`(p - (k - 1) / 2) j` with p = 0 (`valid`) or `(k - 1) // 2` (`same`); "
                  "with a stride s <= k: the jump divides by s, see [upsampling](#upsampling) "
                  "(k = s, U-Net's 2x2 /2: r unchanged, as nearest); k < s: "
                  "[not defined](#fields-that-are-not-defined)",
    "upsampling": "`nearest`: r unchanged, `j' = j / s`; `bilinear`: largest `r' = r + j`, "
                  "`j' = j / s` (size 1: unchanged); the size varies from unit to unit, see "
                  "[upsampling](#upsampling)",
    "reshape": "unchanged if the shape is; to a vector (or a rank-2 array): whole input, as "
               "`flatten`; from a vector: the vector's field; one map into another: "
               "[not defined](#fields-that-are-not-defined)",
    "listed": "[not defined](#fields-that-are-not-defined): the output lists the positions of "
             "its input maps one after the other, with no constant jump",
}
"""What each kind of receptive-field rule does, in the order the table lists the kinds. The
keys are the catalogue's receptive-field kinds (`Reach` members, lower case, `_` as a
space); `map statistics` is a normalisation whose statistics span the whole map."""
