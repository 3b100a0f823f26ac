"""Saved `.keras` files load in a fresh process, in safe mode, after `import archc` (in either
import order, and without `import archc` importing TensorFlow), and predict the same.

LeNet-5 and the two-GPU AlexNet between them use every custom layer: trainable subsampling,
the connection-table convolution, LeCun's tanh, LRN and the grouped convolution.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.tf

keras = pytest.importorskip("keras")

from keras_helpers import run_python, spec_path  # noqa: E402

import archc  # noqa: E402
from archc import cli  # noqa: E402
from archc.backends.keras import build_model, save_model  # noqa: E402

LOAD_AND_PREDICT = """
import sys
{first}
{second}
import numpy as np
model = keras.saving.load_model(sys.argv[1] if len(sys.argv) > 1 else {path!r}, safe_mode=True)
x = np.load({inputs!r})
np.save({out!r}, keras.ops.convert_to_numpy(model(x, training=False)))
"""

ORDERS = {
    "archc-first": ("import archc", "import keras"),
    "keras-first": ("import keras", "import archc"),
}


@pytest.mark.parametrize(("spec", "variant", "stem"), [
    ("lenet5", None, "lenet5"),
    ("alexnet", "two_gpu", "alexnet-two_gpu"),
])
def test_round_trip_in_a_fresh_process(tmp_path: Path, spec: str, variant: str | None,
                                       stem: str) -> None:
    summary = archc.load(spec_path(spec), variant=variant)
    model = build_model(summary.analysis)
    target = tmp_path / f"{stem}.keras"
    save_model(model, str(target))  # what `archc build` calls
    shape = (2, *summary.inputs["input"])
    x = np.random.default_rng(1).standard_normal(shape).astype("float32")
    expected = keras.ops.convert_to_numpy(model(x, training=False))
    np.save(tmp_path / "x.npy", x)
    for order, (first, second) in ORDERS.items():
        out = tmp_path / f"{order}.npy"
        result = run_python(LOAD_AND_PREDICT.format(first=first, second=second, path=str(target),
                                                    inputs=str(tmp_path / "x.npy"),
                                                    out=str(out)))
        assert result.returncode == 0, f"{order}: {result.stderr[-2000:]}"
        # Same weights, same ops: equal up to float32 summation order across processes.
        np.testing.assert_allclose(np.load(out), expected, rtol=1e-5, atol=1e-6, err_msg=order)
    keras.backend.clear_session()


def test_cli_built_file_loads_in_a_fresh_process(tmp_path: Path) -> None:
    assert cli.main(["build", spec_path("lenet5"), "-q", "-o", str(tmp_path)]) == 0
    target = tmp_path / "lenet5.keras"
    result = run_python(
        "import archc, sys, keras\n"
        f"m = keras.saving.load_model({str(target)!r})\n"
        "print(m.count_params(), sorted({type(l).__name__ for l in m.layers}))\n"
    )
    assert result.returncode == 0, result.stderr[-2000:]
    # numbers.md: LeNet-5 has 60,850 params.
    assert result.stdout.split()[0] == "60850"
    assert "ConnectionTableConv2D" in result.stdout and "Subsampling2D" in result.stdout


@pytest.mark.parametrize(("spec", "stem", "unknown"), [
    # LeNet-5's first custom object is LeCun's tanh (a function), AlexNet's the LRN (a class).
    ("lenet5", "lenet5", "Could not locate function 'archc>lecun_tanh'"),
    ("alexnet", "alexnet", "Could not locate class 'LocalResponseNormalization'"),
])
def test_without_archc_the_custom_layers_are_unknown_and_named(tmp_path: Path, spec: str,
                                                               stem: str, unknown: str) -> None:
    # The converse, so the tests above cannot pass by accident: plain Keras refuses the file.
    # The file names archc (registered name `archc>...`, module `archc.backends.keras.
    # layers`) and Keras's message repeats it: that is what docs/backends.md tells people
    # to look for.
    assert cli.main(["build", spec_path(spec), "-q", "-o", str(tmp_path)]) == 0
    result = run_python(
        "import keras\n"
        f"keras.saving.load_model({str(tmp_path / f'{stem}.keras')!r})\n"
    )
    assert result.returncode != 0
    assert unknown in result.stderr
    if "class" in unknown:
        assert "'module': 'archc.backends.keras.layers'" in result.stderr
        assert "'registered_name': 'archc>LocalResponseNormalization'" in result.stderr
