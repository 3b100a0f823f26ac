"""Building Keras models from specs: the lowering table, exactness against the analysis and
numbers.md, names people can find, located `B` diagnostics, and the `archc build` command."""

from __future__ import annotations

import dataclasses
import gc
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.tf

keras = pytest.importorskip("keras")

from keras_helpers import ZOO, spec_path, weight_count  # noqa: E402

import archc  # noqa: E402
from archc import cli  # noqa: E402
from archc.backends.keras import BuildMismatch, build_model, op_rules  # noqa: E402
from archc.backends.keras.builder import keras_error_diagnostic  # noqa: E402
from archc.diagnostics import SpecError, render  # noqa: E402
from archc.ir.ops import ConvOp, DenseOp  # noqa: E402

WriteSpec = Callable[..., Path]


def test_the_backend_is_the_one_asked_for() -> None:
    # `make test-backends` sets KERAS_BACKEND per venv; archc's prediction (which names the
    # backend in its messages before importing Keras) must be what Keras chose.
    from archc.backends.keras.runtime import expected_backend

    assert keras.config.backend() == expected_backend()
    assert keras.config.backend() == os.environ.get("KERAS_BACKEND", keras.config.backend())


@pytest.mark.parametrize(("spec", "variant", "params", "trainable"), ZOO,
                         ids=[f"{s}-{v}" if v else s for s, v, _, _ in ZOO])
def test_zoo_model_equals_analysis_and_numbers(spec: str, variant: str | None, params: int,
                                               trainable: int) -> None:
    summary = archc.load(spec_path(spec), variant=variant)
    assert (summary.total_params, summary.trainable_params) == (params, trainable)
    # build_model itself compares every layer's output shape and params with the analysis
    # (BuildMismatch otherwise); here the totals are compared once more from the outside.
    model = build_model(summary.analysis)
    assert model.count_params() == params
    assert weight_count(model.trainable_weights) == trainable
    assert weight_count(model.non_trainable_weights) == params - trainable
    outputs = model.outputs
    assert [tuple(t.shape[1:]) for t in outputs] == list(summary.outputs.values())
    del model, outputs
    keras.backend.clear_session()
    gc.collect()


def test_layers_are_found_by_their_spec_names() -> None:
    model = archc.build(spec_path("googlenet"))
    layer = model.get_layer("inception_3a__branches__branch2__conv3x3")
    assert isinstance(layer, keras.layers.Conv2D)
    assert (layer.filters, layer.kernel_size) == (128, (3, 3))  # numbers.md, module 3a
    assert model.get_layer("norm1").__class__.__name__ == "LocalResponseNormalization"
    keras.backend.clear_session()


def test_numeric_padding_lowers_to_zero_padding_and_valid(write_spec: WriteSpec) -> None:
    path = write_spec("""
        archc: 1
        name: pad
        input: [8, 8, 2]
        layers:
          - conv2d: {name: c, filters: 4, kernel_size: 3, padding: [1, 2]}
          - max_pool2d: {name: p, pool_size: 2, padding: 1}
          - avg_pool2d: {name: a, pool_size: 2, strides: 1, padding: [1, 0]}
    """)
    model = archc.build(str(path))
    pad = model.get_layer("c_pad")
    assert isinstance(pad, keras.layers.ZeroPadding2D)
    assert tuple(map(tuple, pad.padding)) == ((1, 1), (2, 2))
    assert model.get_layer("c").padding == "valid"
    assert model.get_layer("p").padding == "valid"
    assert tuple(map(tuple, model.get_layer("a_pad").padding)) == ((1, 1), (0, 0))
    # 8 + 2 - 3 + 1 = 8 rows, 8 + 4 - 3 + 1 = 10 columns; pool 2/2 with 1 each side:
    # (8 + 2 - 2) // 2 + 1 = 5, (10 + 2 - 2) // 2 + 1 = 6; avg 2/1 padded to 7x6: 6x5.
    assert tuple(model.output.shape[1:]) == (6, 5, 4)


def test_layer_arguments_reach_keras(write_spec: WriteSpec) -> None:
    path = write_spec("""
        archc: 1
        name: args
        input: [6, 6, 4]
        layers:
          - conv2d: {name: g, filters: 8, kernel_size: 3, groups: 2, padding: same}
          - batch_norm: {name: bn, epsilon: 0.002, momentum: 0.9, center: false}
          - squeeze_excitation: {name: se, ratio: 4}
          - global_max_pool2d: {name: gmp, keepdims: true}
    """)
    model = archc.build(str(path))
    assert model.get_layer("g").__class__.__name__ == "GroupedConv2D"
    bn = model.get_layer("bn")
    assert (bn.epsilon, bn.momentum, bn.center, bn.scale) == (0.002, 0.9, False, True)
    # SE: (1, 1, 8) gate times the (6, 6, 8) map, broadcast by Keras's Multiply.
    assert tuple(model.get_layer("se__scale").output.shape[1:]) == (6, 6, 8)
    assert tuple(model.output.shape[1:]) == (1, 1, 8)


def test_one_branch_parallel_is_a_named_identity(write_spec: WriteSpec) -> None:
    path = write_spec("""
        archc: 1
        name: one
        input: [4, 4, 3]
        layers:
          - parallel:
              name: p
              branches:
                - [conv2d: {name: c, filters: 2, kernel_size: 1}]
    """)
    model = archc.build(str(path))
    assert isinstance(model.get_layer("p__concat"), keras.layers.Identity)


# -- errors --------------------------------------------------------------------------------------

PLAIN_CONV = """\
archc: 1
name: dil
input: [32, 32, 3]
layers:
  - conv2d: {name: c1, filters: 8, kernel_size: 3, dilation: 2}
"""


def test_keras_refusal_is_a_located_b001(tmp_path: Path, capsys: Any,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # Every combination archc knows Keras to refuse is refused at check time (strides with
    # dilation: G010), so a Keras refusal is simulated: B001 is the net for the others.
    spec = tmp_path / "dil.yaml"
    spec.write_text(PLAIN_CONV, encoding="utf-8")

    def refuse(*args: Any) -> Any:
        raise ValueError("`strides > 1` not supported in conjunction with `dilation_rate > 1`"
                         "\nsecond line")

    monkeypatch.setitem(op_rules.LOWERINGS, ConvOp.CONV2D, refuse)
    code = cli.main(["build", str(spec), "-q", "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith(f"{spec}:5:5: error[B001]: Keras refused to build `c1` (conv2d): "
                          "`strides > 1` not supported in conjunction with `dilation_rate > 1`\n")
    assert "5 |   - conv2d: {name: c1" in err
    assert "Traceback" not in err and "second line" not in err
    assert not (tmp_path / "out" / "dil.keras").exists()


def test_strides_with_dilation_never_reach_keras(tmp_path: Path, capsys: Any) -> None:
    spec = tmp_path / "dil.yaml"
    spec.write_text(PLAIN_CONV.replace("dilation: 2", "strides: 2, dilation: 2"),
                    encoding="utf-8")
    assert cli.main(["build", str(spec), "-q", "-o", str(tmp_path / "out")]) == 1
    assert capsys.readouterr().err.startswith(f"{spec}:5:5: error[G010]: `conv2d` has both "
                                              "strides 2 and dilation 2")


def test_backend_limitation_is_a_located_b002(write_spec: WriteSpec) -> None:
    # `check` refuses a dilated connection table (G007); a graph built without the checks
    # (here: the dilation put into the IR by hand) still meets the backend's own guard.
    from archc.pipeline import compile_file

    path = write_spec("""
        archc: 1
        name: table
        input: [9, 9, 2]
        layers:
          - conv2d: {name: c, filters: 2, kernel_size: 3,
                     connections: [[0], [0, 1]]}
    """)
    compiled = compile_file(str(path))
    graph = compiled.graph
    nodes = tuple(dataclasses.replace(n, attrs=dataclasses.replace(n.attrs, dilation=(2, 2)))
                  if n.name == "c" else n for n in graph.nodes)
    assert compiled.analysis is not None
    analysis = dataclasses.replace(compiled.analysis,
                                   graph=dataclasses.replace(graph, nodes=nodes))
    with pytest.raises(SpecError) as info:
        build_model(analysis)
    (diag,) = info.value.diagnostics
    assert diag.code == "B002"
    # line 1 of the file is the empty line after the opening quotes
    assert diag.span is not None and (diag.span.line, diag.span.col) == (6, 5)
    assert diag.message == ("the Keras backend cannot build `c` (conv2d): a convolution with a "
                            "connection table cannot be dilated in the Keras backend")


def test_keras_error_diagnostic_keeps_the_first_line_and_the_span() -> None:
    summary = archc.load(spec_path("lenet5"))
    node = summary.graph["c3"]
    diag = keras_error_diagnostic(node, ValueError("first line\nsecond line"))
    assert diag.code == "B001" and diag.span == node.span
    text = render(diag, Path(spec_path("lenet5")).read_text(encoding="utf-8"))
    assert text.splitlines()[0].endswith(
        "error[B001]: Keras refused to build `c3` (conv2d): first line")
    long = keras_error_diagnostic(node, ValueError("x" * 1000))
    assert len(long.message) < 400 and long.message.endswith("...")


def test_disagreement_with_the_analysis_is_an_internal_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    # Sabotage the dense rule (one unit too many) to prove the build-time check fires and
    # names the node; the CLI turns it into exit code 4.
    original = op_rules.LOWERINGS[DenseOp.DENSE]

    def wrong(em: Any, attrs: Any, inputs: Any) -> Any:
        return original(em, dataclasses.replace(attrs, units=attrs.units + 1), inputs)

    monkeypatch.setitem(op_rules.LOWERINGS, DenseOp.DENSE, wrong)
    with pytest.raises(BuildMismatch, match="`f6` \\(dense\\) has shape \\(85,\\)"):
        build_model(archc.load(spec_path("lenet5")).analysis)
    code = cli.main(["build", spec_path("lenet5"), "-q", "-o", str(tmp_path)])
    assert code == 4
    assert "internal error" in capsys.readouterr().err


# -- the command ---------------------------------------------------------------------------------

TINY = """\
archc: 1
name: tiny
input: [8, 8, 1]
variables: {width: 2}
variants:
  narrow: {width: 2}
  wide: {width: 4}
default_variant: narrow
layers:
  - conv2d: {name: c, filters: $width, kernel_size: 3}
  - flatten: {}
  - dense: {name: out, units: 3}
"""


def test_build_command_writes_the_file_and_one_line(tmp_path: Path, capsys: Any) -> None:
    spec = tmp_path / "tiny.yaml"
    spec.write_text(TINY, encoding="utf-8")
    out = tmp_path / "models"
    assert cli.main(["build", str(spec), "-o", str(out), "--variant", "wide"]) == 0
    captured = capsys.readouterr()
    target = out / "tiny-wide.keras"
    # conv 3*3*1*4 + 4 = 40; dense 6*6*4*3 + 3 = 435; MACs 6*6*4*9 = 1,296 + 432 = 1,728.
    assert captured.out == f"tiny [wide]: 475 params (475 trainable), 1,728 MACs -> {target}\n"
    # The messages name the backend in use (`make test-backends` runs this under each).
    label = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}[
        keras.config.backend()]
    assert captured.err.splitlines() == [f"archc: loading Keras ({label} backend)...",
                                         f"archc: building the Keras model (4 nodes, {label} "
                                         "backend)...",
                                         "archc: saving..."]
    assert target.is_file()
    assert keras.saving.load_model(target).count_params() == 475
    keras.backend.clear_session()


def test_build_command_default_variant_set_and_quiet(tmp_path: Path, capsys: Any) -> None:
    spec = tmp_path / "tiny.yaml"
    spec.write_text(TINY, encoding="utf-8")
    assert cli.main(["build", str(spec), "-q", "-o", str(tmp_path), "--set", "width=1"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    # width 1: conv 9 + 1 = 10, dense 36*3 + 3 = 111.
    assert captured.out.startswith("tiny [narrow]: 121 params")
    assert (tmp_path / "tiny-narrow.keras").is_file()
    keras.backend.clear_session()


def test_failed_save_leaves_the_earlier_file_intact(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "tiny.yaml"
    spec.write_text(TINY, encoding="utf-8")
    target = tmp_path / "tiny-narrow.keras"
    target.write_bytes(b"an earlier build")

    def broken_save(self: Any, *args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(keras.Model, "save", broken_save)
    assert cli.main(["build", str(spec), "-q", "-o", str(tmp_path)]) == 2
    assert target.read_bytes() == b"an earlier build"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny-narrow.keras", "tiny.yaml"]
    keras.backend.clear_session()


def test_layer_norm_builds_as_keras_layer_normalization(write_spec: WriteSpec) -> None:
    path = write_spec("""
        archc: 1
        name: ln
        input: [8, 8, 3]
        layers:
          - conv2d: {filters: 16, kernel_size: 3}
          - layer_norm: {name: ln, epsilon: 1.0e-5}
          - layer_norm: {name: gamma_only, center: false}
    """)
    model = archc.build(str(path))
    layer = model.get_layer("ln")
    assert isinstance(layer, keras.layers.LayerNormalization)
    assert layer.epsilon == 1e-5
    assert tuple(layer.gamma.shape) == tuple(layer.beta.shape) == (16,)  # the channel axis
    # conv 3*3*3*16 + 16, layer norm 2 x 16, gamma only 16: by hand, as count_params counts
    assert model.count_params() == (3 * 3 * 3 * 16 + 16) + 2 * 16 + 16
    assert archc.load(str(path)).total_params == model.count_params()


def test_a_scaled_residual_is_x_plus_scale_times_the_body(write_spec: WriteSpec) -> None:
    # InceptionResNetV2's block: x + 0.17 * f(x), computed by archc's ScaledAdd, no Lambda.
    path = write_spec("""
        archc: 1
        name: scaled
        input: [6, 6, 4]
        layers:
          - residual:
              name: block
              scale: 0.17
              shortcut: identity
              body:
                - conv2d: {name: conv, filters: 4, kernel_size: 3, padding: same}
          - dense: {name: head, units: 3}
    """)
    import numpy as np

    model = archc.build(str(path))
    add = model.get_layer("block__add")
    assert type(add).__name__ == "ScaledAdd" and add.scale == 0.17 and add.weights == []
    # conv 3*3*4*4 + 4, the add 0, dense on 6x6x4 per position 4*3 + 3: by hand
    assert model.count_params() == (3 * 3 * 4 * 4 + 4) + 0 + (4 * 3 + 3)
    assert archc.load(str(path)).total_params == model.count_params()
    x = np.random.default_rng(1).standard_normal((2, 6, 6, 4)).astype("float32")
    body = keras.Model(model.inputs, model.get_layer("block__conv").output).predict(x, verbose=0)
    summed = keras.Model(model.inputs, add.output).predict(x, verbose=0)
    np.testing.assert_allclose(summed, x + body * 0.17, rtol=1e-6, atol=1e-6)
    keras.backend.clear_session()


def test_a_switched_off_shortcut_builds_the_body_alone(write_spec: WriteSpec) -> None:
    path = write_spec("""
        archc: 1
        name: switched_off
        input: [6, 6, 4]
        layers:
          - residual:
              name: block
              shortcut_when: $in.channels == 8
              body:
                - conv2d: {name: conv, filters: 8, kernel_size: 1}
    """)
    model = archc.build(str(path))
    assert [layer.name for layer in model.layers] == ["input", "block__conv"]
    keras.backend.clear_session()
