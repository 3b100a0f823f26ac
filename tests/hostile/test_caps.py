"""Static cost caps, checked before anything is built: refused, located, with the figure.

Each case runs `archc check` in-process and times it; none may import TensorFlow. Every cap
has a flag, and a test shows that the flag raises it (the same spec then passes that cap).
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path

import pytest

import archc.cli
from archc.lower import Caps
from archc.passes.analysis import CostCaps

_HEADER = "archc: 1\nname: t\ninput: [8, 8, 1]\n"

# Figures, by the conventions of numbers.md (Conv2D params = Kh*Kw*Cin*filters + filters).
_BILLION_FILTERS_PARAMS = 3 * 3 * 1 * 10**9 + 10**9  # 1e10 on an 8x8x1 input


def _blocks_chain(depth: int) -> str:
    """Blocks b0..b{depth}: each calls the previous one once (nesting `depth` deep)."""
    lines = [_HEADER, "blocks:\n", "  b0: {layers: [flatten]}\n"]
    lines += [f"  b{i}: {{layers: [b{i - 1}]}}\n" for i in range(1, depth + 1)]
    lines.append(f"layers:\n  - b{depth}\n")
    return "".join(lines)


def _blocks_exponential(levels: int = 8) -> str:
    """b0 has 10 layers; each b{i} calls b{i-1} ten times: 10**(levels+1) layers, no repeat."""
    relu = ", ".join(["activation: relu"] * 10)
    lines = [_HEADER, "blocks:\n", f"  b0: {{layers: [{relu}]}}\n"]
    for i in range(1, levels + 1):
        lines.append(f"  b{i}: {{layers: [{', '.join([f'b{i - 1}'] * 10)}]}}\n")
    lines.append(f"layers:\n  - b{levels}\n")
    return "".join(lines)


# name: (spec text, expected first line of stderr after the path, extra args)
_CASES: dict[str, tuple[str, str, list[str]]] = {
    "billion-filters": (
        _HEADER + "layers:\n  - conv2d: {filters: 1000000000, kernel_size: 3, padding: same}\n",
        f":5:5: error[C005]: the network needs {_BILLION_FILTERS_PARAMS:.3g} parameters by "
        f"this layer; the cap is {CostCaps().max_params:.3g}", []),
    "million-square-input": (
        "archc: 1\nname: t\ninput: [1000000, 1000000, 3]\nlayers: [flatten]\n",
        f":3:8: error[C003]: input dimension 1,000,000 exceeds the cap of "
        f"{Caps().max_input_dim:,}", []),
    "repeat-a-billion": (
        _HEADER + "layers:\n  - repeat:\n      times: 1000000000\n      layers: [flatten]\n",
        f":5:5: error[C002]: `times: 1,000,000,000` exceeds the repeat cap of "
        f"{Caps().max_repeat:,}", []),
    "million-layers-by-nested-repeat": (
        _HEADER + "layers:\n  - repeat:\n      times: 10000\n      layers:\n"
        "        - repeat:\n            times: 100\n            layers: [activation: relu]\n",
        # Counted before lowering: 10,000 x 100 activations, plus the input node.
        f":5:5: error[C001]: the network expands to at least {1 + 100 * 10_000:,} layers by "
        f"this item (which adds at least {100 * 10_000:,}); the cap is {Caps().max_nodes:,}",
        []),
    "exponential-blocks": (
        _blocks_exponential(),
        # b8 is 10**9 activations (ten calls of ten calls ... of b0's ten), counted before
        # any is lowered; the call `- b8` is on line 15.
        f":15:5: error[C001]: the network expands to at least {1 + 10**9:,} layers by this "
        f"item (which adds at least {10**9:,}); the cap is {Caps().max_nodes:,}", []),
    "fifty-thousand-items": (
        _HEADER + "layers:\n" + "  - flatten\n" * 50_000,
        # The input and 19,999 items fit; item 20,000 (line 4 + 20,000) is one too many.
        f":{4 + 20_000}:5: error[C001]: the network expands to at least 20,001 layers by this "
        f"item (which adds at least 1); the cap is {Caps().max_nodes:,}", []),
    "repeat-times-from-a-block-parameter": (
        # `times: $n` is known only when the block is called: the repeat's own estimate,
        # after its first repetition, refuses it (100 per repetition, 1,000 times).
        _HEADER + "blocks:\n  many:\n    params: [n]\n    layers:\n"
        "      - repeat: {times: $n, layers: [" + ", ".join(["activation: relu"] * 100)
        + "]}\nlayers:\n  - many: {n: 1000}\n",
        f":8:9: error[C001]: `repeat` expands to about {1 + 100 * 1000:,} layers "
        f"(100 per repetition x 1,000); the cap is {Caps().max_nodes:,}", []),
    "layers-behind-when": (
        # A `when` of the spec's variables is known before lowering: counted statically.
        _HEADER + "variables: {enabled: true}\nlayers:\n"
        + "  - {activation: {function: relu, when: $enabled}}\n" * 20_001,
        f":{5 + 20_000}:6: error[C001]: the network expands to at least 20,001 layers by "
        f"this item (which adds at least 1); the cap is {Caps().max_nodes:,}", []),
    "squeeze-excitations-past-the-cap": (
        # Each squeeze_excitation lowers to 4 nodes but is counted as 1 in advance (its
        # size depends on the input), so the cap on expansion stops this one: the input
        # and 4,999 x 4 nodes fit, the last node of item 5,000 (line 4 + 5,000) does not.
        "archc: 1\nname: t\ninput: [8, 8, 16]\nlayers:\n"
        + "  - squeeze_excitation: {}\n" * 5_000,
        f":{4 + 5_000}:5: error[C001]: the network has more than {Caps().max_nodes:,} layers "
        "after expansion", []),
    "deep-block-nesting": (
        _blocks_chain(Caps().max_block_depth + 5),
        # b37 is expanded at depth 0, b{k} at depth 37 - k: b5 (called on b6's line, 11)
        # is the first at depth 32.
        f":{5 + 6}:17: error[C004]: blocks nest deeper than "
        f"{Caps().max_block_depth} levels", []),
    "recursive-block": (
        _HEADER + "blocks:\n  loop: {layers: [flatten, loop]}\nlayers:\n  - loop\n",
        ":5:28: error[N004]: block `loop` uses itself: loop -> loop", []),
    "mutually-recursive-blocks": (
        _HEADER + "blocks:\n  a: {layers: [b]}\n  b: {layers: [a]}\nlayers:\n  - a\n",
        ":6:16: error[N004]: block `a` uses itself: a -> b -> a", []),
    "activation-memory": (
        "archc: 1\nname: t\ninput: [16384, 16384, 3]\nlayers:\n"
        "  - conv2d: {filters: 64, kernel_size: 3, padding: same}\n",
        # 16384*16384*3*4 bytes input + 16384*16384*64*4 bytes output = 67 GiB
        f":5:5: error[C006]: activations need {16384 * 16384 * (3 + 64) * 4 / 1024**3:.3g} "
        f"GiB per sample by this layer; the cap is {CostCaps().max_activation_bytes / 1024**3:.3g}"
        " GiB", []),
    "huge-power": (
        _HEADER + "variables: {a: 1000, b: 1000}\nlayers:\n  - dense: {units: '$a ** $b'}\n",
        ":6:20: error[E003]: exponent too large in `$a ** $b`", []),
    "tower-of-nines": (
        _HEADER + "variables: {a: 9}\nlayers:\n  - dense: {units: '$a ** 9 ** 9'}\n",
        ":6:20: error[E003]: exponent too large in `$a ** 9 ** 9`", []),
    "nested-powers": (
        # Each power is allowed alone (exponent 64); nested, 9**(64**4) has 5e7 digits.
        _HEADER + "variables: {a: 9}\nlayers:\n"
        "  - dense: {units: '(((($a ** 64) ** 64) ** 64) ** 64)'}\n",
        ":6:20: error[E003]: exponent too large in `(((($a ** 64) ** 64) ** 64) ** 64)`", []),
    "product-beyond-int64": (
        _HEADER + "variables: {a: 100000}\nlayers:\n  - dense: {units: '$a * $a * $a * $a'}\n",
        ":6:20: error[E003]: the value of `$a * $a * $a * $a` is too large (1e+20)", []),
    "very-long-expression": (
        _HEADER + "variables: {a: 1}\nlayers:\n  - dense: {units: '" + " + ".join(["$a"] * 100)
        + "'}\n",
        ":6:20: error[E002]: expression longer than 200 characters", []),
    "division-by-zero": (
        _HEADER + "variables: {a: 0}\nlayers:\n  - dense: {units: '8 // $a'}\n",
        ":6:20: error[E003]: cannot evaluate `8 // $a`: integer division or modulo by zero", []),
    "modulo-by-zero": (
        _HEADER + "variables: {a: 0}\nlayers:\n  - dense: {units: '8 % $a'}\n",
        ":6:20: error[E003]: cannot evaluate `8 % $a`: integer modulo by zero", []),
    "float-overflow": (
        _HEADER + "variables: {a: 10.0}\nlayers:\n  - dense: {units: '$a * 1e300 * 1e300'}\n",
        ":6:20: error[E003]: the value of `$a * 1e300 * 1e300` is too large (inf)", []),
}


@pytest.mark.parametrize("name", list(_CASES))
def test_a_cap_refuses_with_location_and_figure(
        name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text, expected, extra = _CASES[name]
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    before = set(sys.modules)
    # As in the console script (archc.cli.run): objects alive before the command, here the
    # rest of the test session's, are not re-scanned by the collector during it.
    gc.freeze()
    try:
        rc = archc.cli.main(["check", *extra, str(spec)])
    finally:
        gc.unfreeze()
    # Other tests in this process may have imported TensorFlow; `check` must not.
    imported = {m.split(".")[0] for m in set(sys.modules) - before}
    err = capsys.readouterr().err
    assert rc == 1
    assert err.startswith(f"{spec}{expected}\n"), err[:600]
    assert not imported & {"tensorflow", "keras"}


# name: (spec text, flag that raises the cap enough for the spec to pass it)
_RAISED = {
    "million-square-input": ["--max-input-dim", "1000000", "--max-activation-gib", "1e9",
                             "--max-params", "1e30"],
    "billion-filters": ["--max-params", "1e11", "--max-activation-gib", "1e3"],
    "activation-memory": ["--max-activation-gib", "100"],
}


@pytest.mark.parametrize("name", list(_RAISED))
def test_flags_raise_the_cost_caps(name: str, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(_CASES[name][0], encoding="utf-8")
    assert archc.cli.main(["check", "-q", *_RAISED[name], str(spec)]) == 0
    assert capsys.readouterr().err == ""


def test_flags_raise_the_structure_caps(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(_HEADER + "layers:\n  - repeat:\n      times: 30\n      layers: [flatten]\n",
                    encoding="utf-8")
    # 31 nodes: the input and 30 flattens.
    assert archc.cli.main(["check", "-q", "--max-repeat", "29", str(spec)]) == 1
    assert "error[C002]: `times: 30` exceeds the repeat cap of 29" in capsys.readouterr().err
    assert archc.cli.main(["check", "-q", "--max-repeat", "30", str(spec)]) == 0
    assert archc.cli.main(["check", "-q", "--max-layers", "30", str(spec)]) == 1
    assert "error[C001]: the network expands to at least 31 layers by this item (which adds " \
        "at least 30); the cap is 30" in capsys.readouterr().err
    assert archc.cli.main(["check", "-q", "--max-layers", "31", str(spec)]) == 0


def test_the_static_estimate_does_not_refuse_a_spec_that_fits(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Exactly at the cap: 1 input + 4 x 5 activations = 21 nodes.
    spec = tmp_path / "spec.yaml"
    spec.write_text(_HEADER + "layers:\n  - repeat:\n      times: 4\n      layers: ["
                    + ", ".join(["activation: relu"] * 5) + "]\n", encoding="utf-8")
    assert archc.cli.main(["check", "-q", "--max-layers", "21", str(spec)]) == 0
    assert archc.cli.main(["check", "-q", "--max-layers", "20", str(spec)]) == 1
    assert "at least 21 layers by this item (which adds at least 20); the cap is 20" in \
        capsys.readouterr().err


def test_the_default_layer_cap_fits_the_largest_zoo_spec() -> None:
    # preact_resnet1001 is the deepest network in the zoo; the default must leave headroom.
    from archc.pipeline import compile_file

    from .hostile_helpers import ROOT

    deepest = ROOT / "specs" / "preact_resnet1001.yaml"
    if not deepest.exists():
        pytest.skip("preact_resnet1001.yaml is not in the zoo yet")
    nodes = len(compile_file(str(deepest)).graph.nodes)
    assert nodes * 4 < Caps().max_nodes


# (flag, value given, value as the message shows it: float flags print as floats)
_NONSENSE = [
    ("--max-params", "nan", "nan"), ("--max-params", "inf", "inf"), ("--max-params", "-1", "-1.0"),
    ("--max-activation-gib", "inf", "inf"), ("--max-activation-gib", "0", "0.0"),
    ("--max-layers", "-5", "-5"), ("--max-repeat", "0", "0"), ("--max-input-dim", "0", "0"),
    ("--max-bytes", "-1", "-1"),
]


@pytest.mark.parametrize(("flag", "value", "shown"), _NONSENSE)
def test_a_nonsense_cap_is_a_usage_error(flag: str, value: str, shown: str, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    # `nan` and `inf` made int() raise inside the option handling: "internal error", exit 4.
    spec = tmp_path / "spec.yaml"
    spec.write_text(_HEADER + "layers: [flatten]\n", encoding="utf-8")
    assert archc.cli.main(["summary", flag, value, str(spec)]) == 2
    assert capsys.readouterr().err == \
        f"archc: error: {flag} must be a positive number; received {shown}\n"
