"""Backend limits are data the backend declares (`archc.ir.limits`): the same checks with
other figures refuse other things, and no limits refuse nothing."""

from __future__ import annotations

import pytest

from archc.backends.keras.limits import INT32_MAX, KERAS_LIMITS, space_to_batch_padding
from archc.diagnostics import Problem, SpecError
from archc.ir.limits import NO_LIMITS, BackendLimits
from archc.ir.ops import make_attrs, op_named
from archc.pipeline import Options, compile_text

DILATED_STRIDE = "  - conv2d: {filters: 4, kernel_size: 3, strides: 2, dilation: 2}\n"
HEAD = "archc: 1\nname: t\ninput: [32, 32, 3]\nlayers:\n"


def _conv(**fields: object) -> object:
    return make_attrs(op_named("conv2d"), {"filters": 4, "kernel_size": 3, **fields}, {})


def test_strides_with_dilation_is_refused_only_where_declared() -> None:
    attrs = _conv(strides=2, dilation=2)
    NO_LIMITS.check_node("conv2d", attrs)  # nothing is refused
    with pytest.raises(Problem) as caught:
        KERAS_LIMITS.check_node("conv2d", attrs)
    assert caught.value.code == "G010" and "the Keras backend supports" in str(caught.value)
    KERAS_LIMITS.check_node("conv2d", _conv(strides=2))  # either alone is fine
    KERAS_LIMITS.check_node("conv2d", _conv(dilation=2))


def _codes(text: str, limits: BackendLimits) -> list[str]:
    try:
        compile_text(text, "spec.yaml", Options(limits=limits))
    except SpecError as error:
        return [d.code for d in error.diagnostics]
    return []


def test_the_pipeline_checks_the_limits_it_is_given() -> None:
    assert _codes(HEAD + DILATED_STRIDE, KERAS_LIMITS) == ["G010"]
    assert _codes(HEAD + DILATED_STRIDE, NO_LIMITS) == []
    # a backend of 16-bit sizes: 70,000 filters is over 65,535, an S004 at the value
    small = BackendLimits("Tiny", max_size=2**16 - 1, max_size_why="16-bit sizes")
    wide = HEAD + "  - conv2d: {filters: 70000, kernel_size: 1}\n"
    assert _codes(wide, small) == ["S004"]
    assert _codes(wide, KERAS_LIMITS) == []  # 70,000 < 2**31 - 1
    assert INT32_MAX == 2_147_483_647


def test_space_to_batch_padding_by_hand() -> None:
    # 8x8 input, 3x3 kernel, dilation 4, same: 8 + (3 - 1) * 4 = 16, already a multiple of 4
    assert space_to_batch_padding(_conv(dilation=4, padding="same"), (8, 8, 3)) == (16, 16)
    # dilation 3: 8 + 2 * 3 = 14, rounded up to a multiple of 3: 15
    assert space_to_batch_padding(_conv(dilation=3, padding="same"), (8, 8, 3)) == (15, 15)
    # no copy without dilation, or with valid padding
    assert space_to_batch_padding(_conv(padding="same"), (8, 8, 3)) is None
    assert space_to_batch_padding(_conv(dilation=3), (8, 8, 3)) is None
