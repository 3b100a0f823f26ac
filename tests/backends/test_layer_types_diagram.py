"""Diagram labels and colours of the layer types added for the modern families (issue 12):
each box names the type and the arguments that tell it apart, coloured by its family."""

from __future__ import annotations

import textwrap

from archc.backends.graphviz import build_diagram
from archc.backends.graphviz.style import CONV, NORM, SHAPE, Swatch
from archc.pipeline import compile_text


def _box(spec: str, name: str) -> str:
    """The DOT line of the box named `name`."""
    compiled = compile_text(textwrap.dedent(spec), "t.yaml")
    assert compiled.analysis is not None
    dot = build_diagram(compiled.analysis).source
    [line] = [x for x in dot.splitlines() if x.strip().startswith(f'"{name}" [')]
    return line


def _filled(line: str, swatch: Swatch) -> bool:
    return f'fillcolor="{swatch.fill}"' in line


def test_layer_scale_shows_its_start_value() -> None:
    line = _box("""
        archc: 1
        name: t
        input: [4, 4, 8]
        layers:
          - layer_scale: {name: ls}
    """, "ls")
    assert _filled(line, NORM)
    assert "layer_scale x1e-06" in line
    assert "8 params" in line  # one gamma per channel



def test_preprocessing_says_what_it_holds() -> None:
    spec = """
        archc: 1
        name: t
        input: [4, 4, 3]
        layers:
          - rescaling: {name: r, scale: 0.00784313725490196, offset: -1}
          - rescaling: {name: per, scale: [1, 2, 3]}
          - normalization: {name: adaptable}
          - normalization: {name: given, mean: 0.5, variance: 0.25}
    """
    assert "rescaling x 0.00784 + -1" in _box(spec, "r")
    assert "rescaling x per channel" in _box(spec, "per")
    assert "normalization (adaptable)" in _box(spec, "adaptable")
    assert "7 params" in _box(spec, "adaptable")  # mean 3, variance 3, count 1
    assert "normalization (constants)" in _box(spec, "given")
    assert all(_filled(_box(spec, n), NORM) for n in ("r", "per", "adaptable", "given"))


def test_reshape_shows_the_target() -> None:
    line = _box("""
        archc: 1
        name: t
        input: [7, 7, 32]
        layers:
          - reshape: {name: r, shape: [49, -1]}
    """, "r")
    assert "reshape 49x?" in line and _filled(line, SHAPE)


def test_upsampling_shows_factor_and_interpolation() -> None:
    spec = """
        archc: 1
        name: t
        input: [4, 4, 3]
        layers:
          - upsampling2d: {name: a}
          - upsampling2d: {name: b, size: [1, 2], interpolation: bilinear}
    """
    assert "upsampling2d x2" in _box(spec, "a") and _filled(_box(spec, "a"), SHAPE)
    assert "upsampling2d x1x2 bilinear" in _box(spec, "b")


def test_conv2d_transpose_is_an_up_convolution() -> None:
    line = _box("""
        archc: 1
        name: t
        input: [28, 28, 1024]
        layers:
          - conv2d_transpose: {name: up, filters: 512, kernel_size: 2, strides: 2}
    """, "up")
    assert "up-conv 512@2x2 /2" in line and _filled(line, CONV)
    assert "2,097,664 params" in line  # numbers.md, U-Net's deepest up-conv


def test_cropping_shows_what_it_cuts() -> None:
    spec = """
        archc: 1
        name: t
        input: [16, 16, 3]
        layers:
          - cropping2d: {name: even, cropping: 4}
          - cropping2d: {name: sides, cropping: [[0, 1], [2, 3]]}
    """
    assert "cropping2d 4" in _box(spec, "even") and _filled(_box(spec, "even"), SHAPE)
    assert "cropping2d 0,1,2,3" in _box(spec, "sides")


def test_per_sample_dropout_says_so() -> None:
    spec = """
        archc: 1
        name: t
        input: [4, 4, 3]
        layers:
          - dropout: {name: plain, rate: 0.5}
          - dropout: {name: path, rate: 0.2, per_sample: true}
    """
    assert "dropout 0.5" in _box(spec, "plain") and "per sample" not in _box(spec, "plain")
    assert "dropout 0.2 per sample" in _box(spec, "path")


def test_channel_slice_shows_its_range() -> None:
    line = _box("""
        archc: 1
        name: t
        input: [4, 4, 32]
        layers:
          - channel_slice: {name: s, start: 16, stop: 32}
    """, "s")
    assert "channel_slice [16:32]" in line and _filled(line, SHAPE)


def test_dfl_shows_its_bins() -> None:
    line = _box("""
        archc: 1
        name: t
        input: [4, 4, 64]
        layers:
          - dfl: {name: d}
    """, "d")
    assert "dfl, 4 sides x 16 bins" in line
