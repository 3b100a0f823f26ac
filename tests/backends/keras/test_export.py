"""`archc export`: every zoo network in ONNX, TFLite and SavedModel, run by the runtime that
will run it and compared with Keras on the same random batch (within 1e-4 of the largest
output), with weights perturbed so batch norm, biases and layer scales count
(`export_helpers.perturb`). The cheap variant of each family by default, every other
variant with the `slow` and `export_all` markers (deselected unless `-m export_all`: they
take hours and tens of GB, more than CI has); then the command, and B003-B005.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytestmark = pytest.mark.tf

keras = pytest.importorskip("keras")
pytest.importorskip("onnxruntime")

from export_helpers import (  # noqa: E402
    CHEAP,
    FORMATS,
    MORE,
    build,
    perturb,
    release,
    to_logits,
    verify_all,
)

from archc.backends.keras.export import TOLERANCE  # noqa: E402
from archc.backends.keras.export import run as export_run  # noqa: E402
from archc.backends.keras.export.onnx_layers import RULES  # noqa: E402
from archc.cli import main  # noqa: E402

WriteSpec = Callable[..., Path]
HEAD = "archc: 1\nname: demo\ninput: [32, 32, 3]\nlayers:\n"


def _assert_verified(results: list[tuple[str, Any, float]], formats: tuple[str, ...]) -> None:
    assert [fmt for fmt, _, _ in results] == list(formats)
    for fmt, v, _ in results:
        assert v.format == fmt and v.batch == 2
        assert v.largest_output > 0, f"{fmt}: the outputs are all zero, nothing was compared"
        assert v.max_difference <= TOLERANCE * v.largest_output, f"{fmt}: {v.describe()}"


@pytest.mark.parametrize(("name", "variant", "formats"), CHEAP,
                         ids=[f"{n}-{v}" for n, v, _ in CHEAP])
def test_zoo_cheap_variant_exports_and_agrees(name: str, variant: str | None,
                                              formats: tuple[str, ...], tmp_path: Path) -> None:
    _assert_verified(verify_all(name, variant, tmp_path, formats), formats)


@pytest.mark.slow
@pytest.mark.export_all
@pytest.mark.parametrize(("name", "variant", "formats"), MORE,
                         ids=[f"{n}-{v}-{'-'.join(f)}" for n, v, f in MORE])
def test_zoo_every_other_variant_exports_and_agrees(name: str, variant: str | None,
                                                    formats: tuple[str, ...],
                                                    tmp_path: Path) -> None:
    _assert_verified(verify_all(name, variant, tmp_path, formats), formats)


KITCHEN_SINK = """\
archc: 1
name: sink
input: [12, 12, 3]
layers:
  - rescaling: {scale: [0.5, 2, 1], offset: 0.1}
  - normalization: {mean: [0.1, 0.2, 0.3], variance: [1, 2, 0.5]}
  - conv2d: {filters: 8, kernel_size: 3, padding: same, strides: 2, activation: elu}
  - conv2d: {filters: 8, kernel_size: 3, padding: same, groups: 2, activation: selu}
  - depthwise_conv2d: {kernel_size: 3, depth_multiplier: 2, padding: same, dilation: 2,
                       activation: hard_swish}
  - separable_conv2d: {filters: 6, kernel_size: 3, padding: same, activation: hard_sigmoid}
  - zero_padding2d: {padding: 1}
  - avg_pool2d: {pool_size: 3, strides: 2, padding: same}
  - upsampling2d: {size: 2, interpolation: bilinear}
  - conv2d_transpose: {filters: 4, kernel_size: 3, strides: 2, padding: same,
                       activation: leaky_relu}
  - cropping2d: {cropping: 1}
  - upsampling2d: {size: 2}
  - max_pool2d: {pool_size: 2, padding: same}
  - layer_norm: {}
  - dense: {units: 5, activation: gelu}
  - layer_scale: {init: 0.5}
  - activation: {function: softplus}
  - batch_norm: {}
  - activation: {function: relu6}
  - global_max_pool2d: {}
  - dense: {units: 4, activation: tanh}
  - dense: {units: 4, activation: swish}
  - dense: {units: 4, activation: softmax}
  - dense: {units: 4, activation: sigmoid}
  - dense: {units: 4, activation: lecun_tanh}
  - dropout: {rate: 0.5}
  - dense: {units: 6}
"""


def test_every_other_layer_type_and_activation_exports(write_spec: WriteSpec,
                                                       tmp_path: Path) -> None:
    # What the zoo does not use (or uses only behind a softmax): bilinear upsampling, a
    # `same` transposed convolution, dilated depthwise with a multiplier, per-channel
    # rescaling and normalization, layer norm on maps, dense on maps, and every activation
    # but relu and linear; a linear last layer, so no error hides behind a softmax.
    from archc.backends.keras.builder import build_traced
    from archc.backends.keras.export.run import convert_and_verify
    from archc.pipeline import Options, compile_file

    compiled = compile_file(str(write_spec(KITCHEN_SINK)), Options())
    assert compiled.analysis is not None
    model, _ = build_traced(compiled.analysis)
    assert perturb(model) >= 10  # biases, BN statistics, layer scale, LN gamma and beta
    for fmt in FORMATS:
        v = convert_and_verify(model, fmt, tmp_path / f"sink.{fmt}")
        assert v.largest_output > 0 and v.max_difference <= TOLERANCE * v.largest_output, \
            v.describe()
    release()


DETECTION_PARTS = """\
archc: 1
name: parts
input: [8, 8, 16]
layers:
  - conv2d: {name: maps, filters: 80, kernel_size: 3, padding: same}
  - max_pool2d: {name: small, inputs: maps}
  - global_avg_pool2d: {name: pooled, inputs: maps}
  - channel_slice: {name: part, inputs: pooled, start: 3, stop: 9, output: true}
  - channel_slice: {name: classes, inputs: maps, start: 64, stop: 80, output: true}
  - channel_slice: {name: box3, inputs: maps, start: 0, stop: 64}
  - channel_slice: {name: box4, inputs: small, start: 0, stop: 64}
  - dfl: {name: dfl, inputs: [box3, box4]}
"""


def test_yolov8_layers_export(write_spec: WriteSpec, tmp_path: Path) -> None:
    # YOLOv8's channel slice (on a map and on a vector) and its DFL over two levels, in
    # every format; the DFL's distances (8 x 8 + 4 x 4 = 80 rows of 4) are the first output.
    from archc.backends.keras.builder import build_traced
    from archc.backends.keras.export.run import convert_and_verify
    from archc.pipeline import Options, compile_file

    compiled = compile_file(str(write_spec(DETECTION_PARTS)), Options())
    assert compiled.analysis is not None
    model, _ = build_traced(compiled.analysis)
    assert [tuple(o.shape[1:]) for o in model.outputs] == [(80, 4), (6,), (8, 8, 16)]
    for fmt in FORMATS:
        v = convert_and_verify(model, fmt, tmp_path / f"parts.{fmt}")
        assert v.largest_output > 0 and v.max_difference <= TOLERANCE * v.largest_output, \
            v.describe()
    release()


def test_every_keras_class_of_the_zoo_has_an_onnx_rule() -> None:
    model, _ = build("inception_resnet_v2", None)
    kinds = {type(layer).__name__ for layer in model.layers} - {"InputLayer"}
    assert "ScaledAdd" in kinds and kinds <= set(RULES)
    release()


def test_perturbation_changes_what_starts_constant() -> None:
    model, _ = build("lenet5", None)
    before = [np.asarray(w.numpy()).copy() for w in model.weights]
    changed = perturb(model)
    after = [np.asarray(w.numpy()) for w in model.weights]
    moved = sum(not np.array_equal(a, b) for a, b in zip(before, after, strict=True))
    assert changed == moved > 0  # the biases and subsampling coefficients of LeNet-5
    release()


def test_the_zoo_is_compared_on_logits() -> None:
    model, _ = build("lenet5", None)
    x = np.random.default_rng(0).standard_normal((2, 32, 32, 1)).astype(np.float32)
    probabilities = keras.ops.convert_to_numpy(model(x))
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    assert to_logits(model) == 1
    logits = keras.ops.convert_to_numpy(model(x))
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    np.testing.assert_allclose(shifted / shifted.sum(axis=1, keepdims=True), probabilities,
                               rtol=1e-5, atol=1e-7)
    release()


# -- the command -----------------------------------------------------------------------------


def _export(capsys: Any, *argv: str) -> tuple[int, str, str]:
    rc = main(["export", *argv])
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_command_writes_a_verified_artefact(fmt: str, tmp_path: Path,
                                                   capsys: Any) -> None:
    from keras_helpers import spec_path

    target = tmp_path / f"out.{fmt}"
    rc, out, err = _export(capsys, spec_path("lenet5"), "--format", fmt, "-o", str(target))
    assert rc == 0, err
    label = {"onnx": "ONNX", "tflite": "TFLite", "savedmodel": "SavedModel"}[fmt]
    assert out.startswith(f"lenet5: {label} -> {target}; verified with ")
    assert "on a random batch of 2: max |difference| " in out
    assert "archc: converting to" in err and "Traceback" not in err
    if fmt == "savedmodel":
        assert (target / "saved_model.pb").is_file()
    else:
        assert target.is_file() and target.stat().st_size > 60_850 * 4  # the weights
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temporaries left
    release()


def test_onnx_file_is_standalone(tmp_path: Path, capsys: Any) -> None:
    import onnx
    import onnxruntime
    from keras_helpers import spec_path

    target = tmp_path / "lenet5.onnx"
    assert _export(capsys, spec_path("lenet5"), "--format", "onnx", "-o", str(target),
                   "-q")[0] == 0
    proto = onnx.load(str(target))
    onnx.checker.check_model(proto, full_check=True)
    assert [o.domain for o in proto.opset_import] == [""]  # standard operators only
    session = onnxruntime.InferenceSession(str(target), providers=["CPUExecutionProvider"])
    (x,) = session.get_inputs()
    assert x.shape == ["batch", 32, 32, 1]  # channels-last like the spec, batch free
    (y,) = session.run(None, {x.name: np.zeros((3, 32, 32, 1), np.float32)})
    assert y.shape == (3, 10)
    release()


def test_savedmodel_replaces_an_earlier_savedmodel_only(tmp_path: Path, capsys: Any) -> None:
    from keras_helpers import spec_path

    target = tmp_path / "sm"
    args = (spec_path("lenet5"), "--format", "savedmodel", "-o", str(target), "-q")
    assert _export(capsys, *args)[0] == 0
    first = (target / "saved_model.pb").stat().st_ino
    assert _export(capsys, *args)[0] == 0
    assert (target / "saved_model.pb").stat().st_ino != first  # replaced as a whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sm"]
    release()


def test_a_layer_without_onnx_rule_is_a_located_b003(write_spec: WriteSpec, capsys: Any,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # Every layer archc makes has a rule; take one away to see what a new one would get.
    spec = write_spec(HEAD + "  - conv2d: {filters: 4, kernel_size: 3}\n  - lrn: {name: norm}\n")
    monkeypatch.delitem(RULES, "LocalResponseNormalization")
    target = spec.parent / "x.onnx"
    rc, out, err = _export(capsys, str(spec), "--format", "onnx", "-o", str(target))
    code = "B003"
    assert rc == 1 and out == ""
    assert err.endswith(
        f"{spec}:6:5: error[{code}]: ONNX cannot express `norm` (Keras layer "
        "LocalResponseNormalization): archc has no ONNX rule for the Keras layer class "
        "LocalResponseNormalization\n"
        "  |\n6 |   - lrn: {name: norm}\n  |     ^^^\n"
        "  = help: export this network to another format, or replace `norm` with layers ONNX "
        "can express (docs/export.md lists them)\n1 error\n")
    assert not target.exists()
    release()


def test_a_converter_refusal_is_a_b004_at_the_layer_it_names(
        write_spec: WriteSpec, capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import tensorflow as tf

    class Refusing:
        def convert(self) -> bytes:
            raise RuntimeError("'tf.Conv2D' op is neither a custom op nor a flex op "
                               "(at c1/convolution)\nsecond line of converter noise")

    monkeypatch.setattr(tf.lite.TFLiteConverter, "from_keras_model",
                        staticmethod(lambda model: Refusing()))
    spec = write_spec(HEAD + "  - conv2d: {name: c1, filters: 4, kernel_size: 3}\n")
    rc, _, err = _export(capsys, str(spec), "--format", "tflite", "-o",
                         str(spec.parent / "x.tflite"))
    code = "B004"
    assert rc == 1
    assert err.endswith(
        f"{spec}:5:5: error[{code}]: the TFLite converter refused the model at `c1`: "
        "'tf.Conv2D' op is neither a custom op nor a flex op (at c1/convolution)\n"
        "  |\n5 |   - conv2d: {name: c1, filters: 4, kernel_size: 3}\n  |     ^^^^^^\n"
        "  = help: another format may express it (docs/export.md); if the spec builds with "
        "`archc build`, please report this with the spec\n1 error\n")
    assert "second line" not in err and "Traceback" not in err
    release()


def test_a_disagreeing_runtime_is_b005_and_nothing_is_written(
        tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from keras_helpers import spec_path

    real = export_run._RUNNERS["onnx"]

    def off_by_one(path: Path, batch: Any) -> tuple[str, list[Any]]:
        runtime, outputs = real(path, batch)
        return runtime, [o + 1.0 for o in outputs]

    monkeypatch.setitem(export_run._RUNNERS, "onnx", off_by_one)
    target = tmp_path / "lenet5.onnx"
    target.write_bytes(b"the previous file")
    rc, out, err = _export(capsys, spec_path("lenet5"), "--format", "onnx", "-o", str(target),
                           "-q")
    code = "B005"
    assert rc == 4 and out == ""
    assert err.startswith(f"archc: error: [{code}] the ONNX model disagrees with the Keras "
                          "model, so nothing was written: onnxruntime ")
    assert "max |difference| 1 (largest output " in err
    assert err.endswith("This is a bug in archc or the converter; please report it with the "
                        "spec.\n")
    assert target.read_bytes() == b"the previous file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lenet5.onnx"]
    release()
