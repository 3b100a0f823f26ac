"""What passes `check` can run: values the Keras backend cannot run are refused at check time.

Three classes were found built but unrunnable: sizes beyond 32 bits (`strides:
9223372036854775807` built, then failed in predict), combinations Keras refuses only when
`build` makes the layer (strides with dilation, a dilated connection table), and a dilated
`same` kernel whose padded input TensorFlow allocates (dilation 1,000,000 on 8x8: about
33,500 GiB). Each is a located diagnostic now, and dilated kernels are analysed with the
extent Keras uses, (k - 1) * d + 1.
"""

from __future__ import annotations

import pytest

from archc.backends.keras.limits import INT32_MAX
from archc.diagnostics import Diagnostic, SpecError
from archc.pipeline import compile_text

_HEAD = "archc: 1\nname: t\ninput: [8, 8, 2]\nlayers:\n"
_INT32_HINT = "the Keras backend (TensorFlow) holds sizes as 32-bit integers, at most 2,147,483,647"


def _errors(text: str) -> list[Diagnostic]:
    with pytest.raises(SpecError) as caught:
        compile_text(text, "spec.yaml")
    return caught.value.diagnostics


@pytest.mark.parametrize("layer", [
    "conv2d: {filters: 2, kernel_size: 3, strides: BIG}",
    "conv2d: {filters: 2, kernel_size: 3, strides: [1, BIG]}",
    "conv2d: {filters: BIG, kernel_size: 3}",
    "conv2d: {filters: 2, kernel_size: BIG}",
    "conv2d: {filters: 2, kernel_size: 3, dilation: BIG}",
    "conv2d: {filters: 2, kernel_size: 3, groups: BIG}",
    "conv2d: {filters: 2, kernel_size: 3, padding: BIG}",
    "depthwise_conv2d: {kernel_size: 3, depth_multiplier: BIG}",
    "separable_conv2d: {filters: 2, kernel_size: 3, dilation: [BIG, 1]}",
    "dense: {units: BIG}",
    "max_pool2d: {pool_size: BIG}",
    "avg_pool2d: {pool_size: 2, strides: BIG}",
    "lrn: {n: BIG}",
    "zero_padding2d: {padding: [[1, BIG], [0, 0]]}",
    "squeeze_excitation: {ratio: BIG}",
])
@pytest.mark.parametrize("big", [INT32_MAX + 1, 2**63 - 1])
def test_sizes_beyond_32_bits_are_refused_where_they_are_written(layer: str, big: int) -> None:
    text = _HEAD + "  - " + layer.replace("BIG", str(big)) + "\n"
    errors = _errors(text)
    assert [d.code for d in errors] == ["S004"], errors
    (only,) = errors
    assert only.span is not None and only.span.line == 5
    assert text.splitlines()[4][only.span.col - 1:].startswith(str(big))  # caret on the value
    assert f"less than or equal to {INT32_MAX}" in only.message
    assert only.help == _INT32_HINT


def test_a_size_from_an_expression_is_checked_too() -> None:
    errors = _errors(_HEAD.replace("layers:", "variables: {s: 4294967296}\nlayers:")
                     + "  - conv2d: {filters: 2, kernel_size: 3, strides: $s}\n")
    assert [(d.code, d.help) for d in errors] == [("S004", _INT32_HINT)]


def test_the_largest_32_bit_size_is_accepted() -> None:
    compiled = compile_text(_HEAD + f"  - conv2d: {{filters: 2, kernel_size: 3, "
                            f"strides: {INT32_MAX}}}\n", "spec.yaml")
    assert compiled.analysis is not None
    assert compiled.analysis.shape(compiled.graph.outputs[0]) == (1, 1, 2)  # (8-3)//s + 1


@pytest.mark.parametrize("layer", ["conv2d: {filters: 2, kernel_size: 3,",
                                   "depthwise_conv2d: {kernel_size: 3,",
                                   "separable_conv2d: {filters: 2, kernel_size: 3,"])
def test_strides_with_dilation_are_refused_at_check_time(layer: str) -> None:
    (only,) = _errors(_HEAD + f"  - {layer} strides: [1, 2], dilation: [2, 1]}}\n")
    op = layer.split(":")[0]
    assert (only.code, only.message) == (
        "G010", f"`{op}` has both strides 1x2 and dilation 2x1; the Keras backend supports "
        "strides above 1 or dilation above 1, not both")


def test_a_dilated_connection_table_is_refused_at_check_time() -> None:
    (only,) = _errors(_HEAD + "  - conv2d: {filters: 2, kernel_size: 3, dilation: 2, "
                      "connections: [[0], [0, 1]]}\n")
    assert (only.code, only.message) == (
        "G007", "a conv2d with `connections` cannot be dilated: the Keras backend has no "
        "dilated connection-table convolution")


def test_a_dilated_kernel_larger_than_its_input_names_its_extent() -> None:
    (only,) = _errors(_HEAD + "  - conv2d: {filters: 2, kernel_size: 3, dilation: [4, 1]}\n")
    # (3 - 1) * 4 + 1 = 9 rows > 8; the columns span 3.
    assert (only.code, only.message) == (
        "G004", "the 3x3 kernel of `conv2d` with dilation 4x1 spans 9x3 and is larger than "
        "its 8x8 input")
    (only,) = _errors(_HEAD + "  - conv2d: {filters: 2, kernel_size: 11, padding: 1}\n")
    assert only.message == "the 11x11 window of `conv2d` is larger than its 8x8 input " \
        "(10x10 padded)"


def test_a_dilated_kernel_that_just_fits_gives_the_keras_shape_and_cost() -> None:
    # 3x3, dilation 3: extent (3 - 1) * 3 + 1 = 7 on 8x8 valid -> 8 - 7 + 1 = 2.
    compiled = compile_text(_HEAD + "  - conv2d: {filters: 4, kernel_size: 3, dilation: 3}\n",
                            "spec.yaml")
    assert compiled.analysis is not None
    info = compiled.analysis.nodes[-1]
    assert info.shape == (2, 2, 4)
    # Keras's count: each output position uses the 3x3 taps of 2 channels for 4 filters.
    assert info.cost.macs == 2 * 2 * 3 * 3 * 2 * 4
    assert info.cost.params == 3 * 3 * 2 * 4 + 4


def test_a_huge_same_dilation_is_refused_with_the_padded_size() -> None:
    # TensorFlow pads each axis by (k - 1) * d and rounds up to a multiple of d:
    # 8 + 2 * 1,000,000 = 2,000,008 -> 3,000,000; x 3,000,000 x 2 channels x 4 bytes.
    (only,) = _errors(_HEAD + "  - conv2d: {filters: 2, kernel_size: 3, dilation: 1000000, "
                      "padding: same}\n")
    gib = 3_000_000 * 3_000_000 * 2 * 4 / 1024**3
    assert (only.code, only.message) == (
        "C006", "the dilated kernel of this layer makes the Keras backend pad its 8x8x2 input "
        f"to 3,000,000x3,000,000x2: {gib:.3g} GiB per sample; the cap is 16 GiB")


def test_a_moderate_same_dilation_passes_and_keeps_the_keras_shape() -> None:
    # DeepLab's atrous rates on a small map: a dilation-18 kernel spans 37 > 33 and is
    # legal with `same` padding (the padded input is 33 + 36 = 69 -> 72 values per axis).
    compiled = compile_text("archc: 1\nname: t\ninput: [33, 33, 8]\nlayers:\n"
                            "  - conv2d: {filters: 4, kernel_size: 3, dilation: 18, "
                            "padding: same}\n", "spec.yaml")
    assert compiled.analysis is not None
    assert compiled.analysis.nodes[-1].shape == (33, 33, 4)


@pytest.mark.tf
def test_dilated_kernels_build_and_run_with_the_analysed_shapes() -> None:
    pytest.importorskip("keras")
    import numpy as np

    from archc.backends.keras import build_model

    compiled = compile_text(
        "archc: 1\nname: t\ninput: [33, 33, 4]\nlayers:\n"
        "  - conv2d: {filters: 4, kernel_size: 3, dilation: 18, padding: same}\n"
        "  - conv2d: {filters: 4, kernel_size: 3, dilation: [2, 5]}\n"
        "  - depthwise_conv2d: {kernel_size: 3, dilation: 3, padding: same}\n"
        "  - separable_conv2d: {filters: 2, kernel_size: [3, 2], dilation: 4}\n", "spec.yaml")
    assert compiled.analysis is not None
    # 33 -> same 33 -> (33 - 5 + 1, 33 - 11 + 1) = 29x23 -> same -> (29 - 9 + 1, 23 - 5 + 1)
    assert [i.shape for i in compiled.analysis.nodes[1:]] == [
        (33, 33, 4), (29, 23, 4), (29, 23, 4), (21, 19, 2)]
    # build_model compares every layer's shape and parameter count with the analysis.
    model = build_model(compiled.analysis)
    out = model.predict(np.ones((1, 33, 33, 4), "float32"), verbose=0)
    assert out.shape == (1, 21, 19, 2)
