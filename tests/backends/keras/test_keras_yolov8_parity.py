"""YOLOv8 weight for weight with Ultralytics' own PyTorch model, under Keras's torch backend.

Ultralytics builds the network from the `yolov8.yaml` it ships (`YOLO_OFFLINE=1`, random
initialisation, nothing downloaded). Its batch-norm statistics are first set from one
batch (cumulative average, so they are that batch's statistics: no block is near the
identity or blows up), gammas and betas are drawn from a seeded generator, and then every
weight is copied into the archc build of `specs/yolov8.yaml` with `dfl: true`: convolution
kernels OIHW -> HWIO, biases as they are, batch norm (gamma, beta, mean, variance), and
the DFL's fixed projection. Each Ultralytics module has exactly one archc layer
(`model.2.m.0.cv1.conv` is `backbone/c2f2/m/block1/.../cv1/conv`, `model.22.dfl.conv` is
`dfl`).
Both models read the same random image; the three raw head maps (box and class branches
concatenated, before decoding, taken by hooks on Detect's `cv2` and `cv3`) and the DFL's
expected distances (a hook on Detect's `dfl`) must agree to 1e-4 of their largest value.

Runs only under the torch backend with ultralytics installed (`make test-backends` installs
it into .venv-torch; docs/backends.md). Variant n by default; the other four scales are
marked `yolo_all` and run only when `-m` names it (`pytest -m yolo_all`; tests/conftest.py),
since x alone builds two 68M-parameter models.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

pytestmark = [pytest.mark.tf, pytest.mark.slow]

keras = pytest.importorskip("keras")
if keras.backend.backend() != "torch":
    pytest.skip("Ultralytics is a PyTorch model: this parity test runs under the torch "
                "backend (make test-backends)", allow_module_level=True)

# Before ultralytics is imported: never reach the network, keep its settings file out of
# the home directory, and keep it quiet.
os.environ["YOLO_OFFLINE"] = "1"
os.environ.setdefault("YOLO_CONFIG_DIR", tempfile.mkdtemp(prefix="archc-ultralytics-"))
os.environ["YOLO_VERBOSE"] = "False"

torch = pytest.importorskip("torch")
tasks = pytest.importorskip("ultralytics.nn.tasks")

from keras_helpers import spec_path  # noqa: E402

import archc  # noqa: E402
from archc.backends.keras.names import keras_name  # noqa: E402

TOLERANCE = 1e-4
"""max |ours - theirs| <= TOLERANCE * max |theirs|, per head map (issue 20)."""

# Ultralytics' layer index -> the archc name of that module in specs/yolov8.yaml.
TOP = {0: "backbone/conv0", 1: "backbone/conv1", 2: "backbone/c2f2", 3: "backbone/conv3",
       4: "backbone/c2f4", 5: "backbone/conv5", 6: "backbone/c2f6", 7: "backbone/conv7",
       8: "backbone/c2f8", 9: "backbone/sppf9", 12: "top4/c2f", 15: "top3/c2f",
       16: "bottom4/conv", 18: "bottom4/c2f", 19: "bottom5/conv", 21: "bottom5/c2f"}
DETECT = 22
DFL = "model.22.dfl.conv"  # the decoder's fixed convolution: archc's `dfl` layer


def archc_layer(module: str) -> str:
    """The archc IR name of one Ultralytics Conv2d / BatchNorm2d, from its module path."""
    if module == DFL:
        return "dfl"
    _, index, *rest = module.split(".")
    if int(index) == DETECT:  # cv2.<level>.<k>[.conv|.bn]: box (cv2) or class (cv3) branch
        branch, level, k, *leaf = rest
        path = ["head", f"p{3 + int(level)}", "branches",
                "branch1" if branch == "cv2" else "branch2", f"{branch}_{k}", *leaf]
    elif rest[0] == "m":  # a C2f bottleneck: m.<j>.cv1.conv
        _, j, *leaf = rest
        path = [TOP[int(index)], "m", f"block{int(j) + 1}", "grow", "branch2", "b",
                "residual_1", *leaf]
    else:
        path = [TOP[int(index)], *rest]
    return "/".join(path)


def _keras_weights(module: Any) -> list[np.ndarray]:
    """A torch Conv2d's or BatchNorm2d's tensors in the Keras layer's layout and order."""
    if isinstance(module, torch.nn.Conv2d):
        kernel = module.weight.detach().permute(2, 3, 1, 0).numpy()  # OIHW -> HWIO
        bias = [] if module.bias is None else [module.bias.detach().numpy()]
        return [kernel, *bias]
    return [t.detach().numpy() for t in (module.weight, module.bias, module.running_mean,
                                         module.running_var)]


def _calibrated_reference(variant: str, image: Any) -> Any:
    """Ultralytics' model, its BN statistics those of `image`, random gammas and betas."""
    torch.manual_seed(0)
    model = tasks.DetectionModel(f"yolov8{variant}.yaml", verbose=False)
    norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    for bn in norms:
        bn.reset_running_stats()
        bn.momentum = None  # cumulative average: after one batch, that batch's statistics
    model.train()
    with torch.no_grad():
        model(image)
    model.eval()
    generator = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for bn in norms:
            bn.momentum = 0.03
            bn.weight.copy_(torch.rand(bn.weight.shape, generator=generator) + 0.5)
            bn.bias.copy_(torch.randn(bn.bias.shape, generator=generator) * 0.2)
    # The box logits of a trained model are of order 1 to 10; after 60 random layers they
    # are in the thousands, where the softmax over the bins is a step and float32 rounding
    # of the logits alone moves DFL's distances by more than 1e-4 of 15. So each level's last
    # box convolution is scaled to a standard deviation of 3 on this image.
    maps = _head_outputs(model, image)
    with torch.no_grad():
        for level, seq in enumerate(model.model[DETECT].cv2):
            scale = float(np.std(maps[level][..., :64])) / 3.0
            seq[2].weight /= scale
            seq[2].bias /= scale
    return model


def _head_outputs(model: Any, image: Any) -> list[np.ndarray]:
    """The three raw maps (box then class channels, NHWC), taken by hooks before decoding,
    and the DFL's distances as (positions, 4)."""
    detect = model.model[DETECT]
    seen: dict[tuple[str, int], Any] = {}
    hooks = [seq.register_forward_hook(
        lambda _m, _i, out, key=(branch, level): seen.__setitem__(key, out))
        for branch in ("cv2", "cv3") for level, seq in enumerate(getattr(detect, branch))]
    hooks.append(detect.dfl.register_forward_hook(
        lambda _m, _i, out: seen.__setitem__(("dfl", 0), out)))
    try:
        with torch.no_grad():
            model(image)
    finally:
        for hook in hooks:
            hook.remove()
    maps = [torch.cat([seen[("cv2", level)], seen[("cv3", level)]], 1)
            .permute(0, 2, 3, 1).numpy() for level in range(detect.nl)]
    return [*maps, seen[("dfl", 0)].permute(0, 2, 1).numpy()]


def _copy_weights(reference: Any, ours: Any) -> None:
    """Every Conv2d and BatchNorm2d of `reference` into its archc layer; each archc layer
    with weights receives exactly one."""
    filled: set[str] = set()
    for path, module in reference.named_modules():
        if not isinstance(module, torch.nn.Conv2d | torch.nn.BatchNorm2d):
            continue
        name = keras_name(archc_layer(path))
        layer = ours.get_layer(name)
        weights = _keras_weights(module)
        layer.set_weights([weights[0].reshape(-1)] if path == DFL else weights)
        assert name not in filled, f"{path}: {name} was filled twice"
        filled.add(name)
    holders = {layer.name for layer in ours.layers if layer.weights}
    assert filled == holders, f"archc layers without an Ultralytics weight: {holders - filled}"


@pytest.fixture(autouse=True)
def _free_models() -> Iterator[None]:
    yield
    keras.backend.clear_session()


VARIANTS = [pytest.param("n", id="yolov8n"),
            *[pytest.param(v, id=f"yolov8{v}", marks=pytest.mark.yolo_all)
              for v in ("s", "m", "l", "x")]]


@pytest.mark.parametrize("variant", VARIANTS)
def test_same_head_outputs_as_ultralytics(variant: str) -> None:
    pixels = np.random.default_rng(2).random((1, 640, 640, 3), dtype=np.float32)
    image = torch.from_numpy(pixels.transpose(0, 3, 1, 2).copy())
    reference = _calibrated_reference(variant, image)
    ours = archc.build(spec_path("yolov8"), variant=variant, overrides={"dfl": "true"})
    # Ultralytics' parameters (BN statistics are its buffers) are our trainable weights
    # plus the 16 of the DFL convolution, which Keras counts as non-trainable.
    theirs_params = sum(p.numel() for p in reference.parameters())
    ours_trainable = sum(int(np.prod(w.shape)) for w in ours.trainable_weights)
    assert theirs_params == ours_trainable + 16
    _copy_weights(reference, ours)
    expected = _head_outputs(reference, image)
    got = [keras.ops.convert_to_numpy(t) for t in ours(pixels, training=False)]
    shapes = [(1, 80, 80, 144), (1, 40, 40, 144), (1, 20, 20, 144), (1, 8400, 4)]
    for label, shape, theirs, mine in zip(("P3", "P4", "P5", "DFL"), shapes, expected, got,
                                          strict=True):
        assert mine.shape == theirs.shape == shape
        largest = float(np.max(np.abs(theirs)))
        error = float(np.max(np.abs(mine - theirs)))
        print(f"yolov8{variant} {label}: largest {largest:.4g}, max error {error:.3g}")
        assert largest > 1.0  # the heads carry signal, not a vanished map
        assert error <= TOLERANCE * largest
