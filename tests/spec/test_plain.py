"""The pydantic-free checker (archc/spec/plain.py) against pydantic itself.

The checker may send any item to pydantic, but when it accepts one, pydantic must accept it
too and read it the same: the same values of the same types, the same fields given. Checked
over every item the zoo validates (where it must also accept every one: that is the point
of it) and over generated values for every field of every model.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from archc.docgen.compiled import compile_all, models
from archc.pipeline import Options, Stage, compile_file
from archc.spec import plain
from archc.spec.schema import model_named

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted((ROOT / "specs").glob("*.yaml"))


def _same(a: Any, b: Any) -> bool:
    """Equal values of the same types, all the way down (1 is not 1.0, a list no tuple)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, float) and a != a:
        return b != b
    return bool(a == b)


def _agree(name: str, data: Any) -> bool:
    """Checker and pydantic agree on `data` as model `name`; True when the checker
    accepted it (False: it left the item to pydantic)."""
    found = plain.check(name, copy.deepcopy(data))
    if found is None:
        return False
    try:
        model = model_named(name).model_validate(copy.deepcopy(data))
    except ValidationError as error:  # pragma: no cover - the failure being tested for
        raise AssertionError(f"{name}: the checker accepted {data!r}, pydantic refused it:"
                             f"\n{error}") from None
    assert _same(found.model_dump(), model.model_dump()), (name, data)
    assert found.model_fields_set == model.model_fields_set, (name, data)
    return True


def _zoo_items(spec: Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    """Every (model, data) the lowering of every variant of `spec` validates."""
    seen: list[tuple[str, Any]] = []
    check = plain.check

    def recording(name: str, data: Any) -> Any:
        seen.append((name, copy.deepcopy(data)))
        return check(name, data)

    monkeypatch.setattr(plain, "check", recording)
    first = compile_file(str(spec), stop_after=Stage.LOWER)
    assert first.header is not None
    for variant in first.header.variants:
        compile_file(str(spec), Options(variant=variant), stop_after=Stage.LOWER)
    monkeypatch.setattr(plain, "check", check)
    return seen


@pytest.mark.parametrize("spec", SPECS, ids=[s.stem for s in SPECS])
def test_the_checker_accepts_every_zoo_item_as_pydantic_reads_it(
        spec: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    items = _zoo_items(spec, monkeypatch)
    assert any(name == "SpecHeader" for name, _ in items)
    left = [(name, data) for name, data in items if not _agree(name, data)]
    assert not left, f"left to pydantic: {left[:3]}"


CANDIDATES: list[Any] = [
    0, 1, 2, 3, -1, 7, 2**40, 3.0, 2.5, -0.5, 1e-5, 0.0, float("inf"), float("nan"),
    True, False, None, "", "x", "a/b", "relu", "same", "valid", "auto", "identity", "concat",
    "index", "in", "conv", "mean", "bilinear", "channels_last",
    [], [1], [1, 2], [2, 2], [0, 0], [1, 2, 3], [3.0, 3.0], [1, "a"], [True, 1], ["a", "b"],
    [[1, 2], [3, 4]], [[0, 1]], [[1, 2], [3]], [1.5, 2.0], [-1, 4], (1, 2),
    {}, {"a": 1}, {"a": "b"}, {"x": [1, 2]}, {"f": {"value": 1}}, {"f": {"value": 1, "z": 2}},
    {"b": {"layers": ["relu"]}}, {"b": {"layers": []}}, {"use_bias": True},
    {"batch_norm": False}, {"use_bias": 1}, {"x": [224, 224, 3]},
]
"""Values every field is tried with: each type, the edges of the usual bounds, whole floats,
booleans where numbers go, wrong lengths, nested models with and without a mistake."""


def _base(name: str) -> dict[str, Any] | None:
    """A valid item for model `name`, built from the candidates: each required field gets
    the first value pydantic finds no fault with; None when the result is not valid."""
    model = model_named(name)
    base: dict[str, Any] = {}
    for field, info in model.model_fields.items():
        if not info.is_required():
            continue
        key = info.alias or field
        for value in CANDIDATES:
            try:
                model.model_validate({**base, key: value})
            except ValidationError as error:
                if any(e["loc"][:1] == (key,) for e in error.errors()):
                    continue
            base[key] = value
            break
    try:
        model.model_validate(base)
    except ValidationError:
        return None
    return base


MODEL_NAMES = list(models())


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_every_field_value_the_checker_accepts_pydantic_reads_alike(name: str) -> None:
    base = _base(name)
    assert base is not None, f"no valid {name} from the candidates"
    assert _agree(name, base)
    accepted = 0
    for field, info in model_named(name).model_fields.items():
        key = info.alias or field
        for value in CANDIDATES:
            accepted += _agree(name, {**base, key: value})
        assert not _agree(name, {**base, key + "_": 1})  # an unknown field: never accepted
    assert accepted > 0


def test_every_model_is_compiled_whole() -> None:
    """No model or field is left to pydantic wholesale: a `defer` would make every spec
    using it import pydantic, the slow path the checker exists to avoid."""
    compiled = compile_all()
    assert set(compiled) == set(MODEL_NAMES)
    assert not [name for name, model in compiled.items() if model.get("defer")]
    assert "'defer'" not in repr(compiled)


def test_a_check_across_fields_runs_in_the_checker_too() -> None:
    """normalization's mean needs its variance: the whole-item check is compiled by name
    and refuses (leaves to pydantic) what the model refuses."""
    assert plain.check("normalization", {"mean": 0.5}) is None
    assert _agree("normalization", {"mean": 0.5, "variance": 2.0})


def test_a_plain_model_reads_like_the_model() -> None:
    found = plain.check("residual", {"body": ["relu"], "scale": 1})
    assert found is not None
    assert found.scale == 1.0 and type(found.scale) is float
    assert found.projection.batch_norm is True
    assert found.model_fields_set == {"body", "scale"}
    with pytest.raises(AttributeError):
        found.scale = 2.0
    with pytest.raises(AttributeError):
        _ = found.nonsense
