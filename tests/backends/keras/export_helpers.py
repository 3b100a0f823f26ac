"""The zoo through every export format, with weights that make every layer count.

A freshly built model starts with batch-norm statistics at 0 and 1, biases at 0 and
ConvNeXt's layer scale at 1e-6: an export that dropped a bias, swapped mean and variance
or ignored a layer scale would still agree with Keras. `perturb` moves every weight that
starts as a constant by a random amount (variances stay positive), so those mistakes show;
`to_logits` compares the logits rather than a softmax that would hide differences.

`python -m tests.backends.keras.export_helpers [--all]` prints the table of
docs/export.md: per spec (the cheap variant of each family, or every variant) and format,
the runtime's maximum difference from Keras and the largest output, plus seconds (not
asserted anywhere, and not comparable between machines).
"""

from __future__ import annotations

import argparse
import gc
import os
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]

FORMATS = ("onnx", "tflite", "savedmodel")

Row = tuple[str, str | None, tuple[str, ...]]
"""(spec, variant, formats)."""

CHEAP: list[Row] = [
    *[(name, variant, FORMATS) for name, variant in [
        ("lenet5", None),
        ("alexnet", "two_gpu"),
        ("vgg16", None),
        ("googlenet", "default"),
        ("resnet", "resnet18"),
        ("xception", None),
        ("se_resnet50", None),
        ("convnext", "tiny"),
        ("efficientnet", "b0"),
        ("mobilenetv3", "small"),
        ("inception_resnet_v2", None),
        ("unet", None),
    ]],
    # 3,000+ Keras layers: TensorFlow's TFLite converter and SavedModel export each trace
    # it for many minutes (see docs/export.md), so by default only archc's ONNX writer.
    ("preact_resnet1001", None, ("onnx",)),
    # YOLOv8n through ONNX here; its TFLite conversion has its own test
    # (test_keras_yolov8_tflite.py), and `export_all` adds TFLite and SavedModel.
    ("yolov8", "n", ("onnx",)),
]
"""The cheap variant of each zoo family (its smallest, or the one with its custom layer)."""

MORE: list[Row] = [
    *[(name, variant, FORMATS) for name, variant in [
        ("alexnet", "one_tower"),
        ("googlenet", "with_aux"),
        *[("resnet", v) for v in ("resnet34", "resnet50", "resnet101", "resnet152")],
        *[("convnext", v) for v in ("small", "base", "large", "xlarge")],
        *[("efficientnet", f"b{i}") for i in range(1, 8)],
        *[("mobilenetv3", v) for v in ("large", "small_minimalistic", "large_minimalistic")],
    ]],
    ("preact_resnet1001", None, ("tflite", "savedmodel")),
    *[("yolov8", v, FORMATS) for v in ("s", "m", "l", "x")],
    ("yolov8", "n", ("tflite", "savedmodel")),
]
"""The other variants, and the formats left out above (`export_all`)."""



def spec_path(name: str) -> str:
    return str(ROOT / "specs" / f"{name}.yaml")


def build(name: str, variant: str | None) -> tuple[Any, Any]:
    """The checked Keras model of a zoo spec, and the IR node of each of its layers."""
    from archc.backends.keras.builder import build_traced
    from archc.pipeline import Options, compile_file

    compiled = compile_file(spec_path(name), Options(variant=variant))
    assert compiled.analysis is not None
    return build_traced(compiled.analysis)


def perturb(model: Any, seed: int = 1) -> int:
    """Move every weight whose entries are all equal by up to +-10% (at least 0.1).

    Returns how many weights were changed (a test asserts there were some where the
    network has batch norm or biases).
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    changed = 0
    for weight in model.weights:
        value = np.asarray(weight.numpy())
        if value.size == 0 or not np.all(value == value.flat[0]):
            continue
        base = float(value.flat[0])
        spread = max(abs(base), 1.0) * 0.1
        weight.assign((value + rng.uniform(-spread, spread, value.shape)).astype(value.dtype))
        changed += 1
    return changed


def to_logits(model: Any) -> int:
    """Make each output layer that ends in a softmax linear; returns how many.

    A softmax over 1,000 classes squeezes every output towards 0.001, and on a network
    whose logits are large (PreAct-ResNet-1001 with random weights) it saturates to one-hot
    rows that agree whatever came before: the comparison then checks nothing. On logits it
    checks every layer. (Softmax itself is checked by the kitchen-sink spec and the CLI
    tests.) Keras layers apply `self.activation` in `call`, so this changes the model.
    """
    from archc.backends.keras.export.onnx_layers import activation_name

    changed = 0
    outputs = {id(t._keras_history[0]) for t in model.outputs}
    for layer in model.layers:
        if id(layer) in outputs and getattr(layer, "activation", None) is not None \
                and activation_name(layer.activation) == "softmax":
            layer.activation = activation_linear()
            changed += 1
    return changed


def activation_linear() -> Any:
    import keras

    return keras.activations.get("linear")


def release() -> None:
    """Free a model's memory before the next (one pytest process runs them all)."""
    import keras

    keras.backend.clear_session()
    gc.collect()


def verify_all(name: str, variant: str | None, directory: Path,
               formats: tuple[str, ...] = FORMATS) -> list[tuple[str, Any, float]]:
    """Build, perturb, then export to each format and verify; (format, result, seconds).

    Seconds are the conversion and the runtime's run (the Keras run is done once before)."""
    from archc.backends.keras.export.run import convert_and_verify, reference

    model, _ = build(name, variant)
    perturb(model)
    to_logits(model)
    results = []
    try:
        known = reference(model)  # one Keras run for all formats
        for fmt in formats:
            start = time.perf_counter()
            target = directory / f"{name}-{variant}.{fmt}"
            results.append((fmt, convert_and_verify(model, fmt, target, known=known),
                            time.perf_counter() - start))
            record(name, variant, *results[-1])
    finally:
        del model
        release()
    return results


HEADER = ("| spec | variant | format | runtime | max difference | largest output | s |\n"
          "|---|---|---|---|---:|---:|---:|\n")


def row(name: str, variant: str | None, fmt: str, v: Any, seconds: float) -> str:
    mark = "" if v.passed else " FAILED"
    return (f"| {name} | {variant or '-'} | {fmt} | {v.runtime} | {v.max_difference:.2e}{mark} "
            f"| {v.largest_output:.3g} | {seconds:.1f} |\n")


def record(name: str, variant: str | None, fmt: str, v: Any, seconds: float) -> None:
    """Append the row to the file `ARCHC_EXPORT_TABLE` names, if set (the tests' figures
    for docs/export.md: `ARCHC_EXPORT_TABLE=t.md pytest tests/backends/keras/test_export.py`)."""
    path = os.environ.get("ARCHC_EXPORT_TABLE")
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(row(name, variant, fmt, v, seconds))


def main() -> None:
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="every variant, not only cheap")
    parser.add_argument("--only", nargs="*", help="spec names to run")
    args = parser.parse_args()
    rows = CHEAP + (MORE if args.all else [])
    if args.only:
        rows = [r for r in rows if r[0] in args.only]
    print(HEADER, end="")
    for name, variant, formats in rows:
        with tempfile.TemporaryDirectory() as tmp:
            for fmt, v, seconds in verify_all(name, variant, Path(tmp), formats):
                print(row(name, variant, fmt, v, seconds), end="", flush=True)


if __name__ == "__main__":
    main()
