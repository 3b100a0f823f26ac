"""Reused block expansions (`Options(reuse_expansions=True)`, what the language server runs)
give exactly the graph, shapes, figures and diagnostics of a full lowering."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from archc.lower import memo
from archc.pipeline import Attempt, Options, attempt

ROOT = Path(__file__).resolve().parents[2]
ZOO = sorted((ROOT / "specs").glob("*.yaml"))


def _everything(result: Attempt) -> tuple[Any, ...]:
    compiled = result.compiled
    lowered = compiled.lowered if compiled is not None else None
    analysis = compiled.analysis if compiled is not None else None
    return (result.diagnostics, lowered.graph if lowered else None,
            dict(lowered.shapes) if lowered else None,
            analysis.total if analysis else None,
            [(i.node.name, i.cost) for i in analysis.nodes] if analysis else None)


@pytest.mark.parametrize("path", ZOO, ids=lambda p: p.stem)
def test_reuse_gives_the_same_result_on_every_zoo_spec(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert _everything(attempt(text, path.name, Options(reuse_expansions=True))) == \
        _everything(attempt(text, path.name))


def test_resnet1001_lowers_each_distinct_unit_once(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[memo.ExpansionMemo] = []
    original = memo.ExpansionMemo.__init__

    def spy(self: memo.ExpansionMemo, variables: Any) -> None:
        original(self, variables)
        made.append(self)

    monkeypatch.setattr(memo.ExpansionMemo, "__init__", spy)
    text = (ROOT / "specs" / "preact_resnet1001.yaml").read_text(encoding="utf-8")
    result = attempt(text, "r.yaml", Options(reuse_expansions=True))
    assert result.diagnostics == ()
    (used,) = made
    # 3 stages x 111 units: per stage the first unit (its `first:` arguments) and the
    # second are lowered; units 3..111 are copies of the second (the second's input shape
    # differs from the first's: 4f channels instead of the stage's input). The three
    # `repeat` items are lowered (and recorded) too.
    assert (used.lowered, used.copied) == (3 + 3 * 2, 3 * 109)


BROKEN = """archc: 1
name: demo
input: [8, 8, 3]
blocks:
  unit:
    params: [f]
    layers:
      - conv2d: {filters: $f, kernel_size: 3, padding: same}
      - dense: {units: $g}
layers:
  - repeat: {times: 3, block: unit, with: {f: 4}}
  - repeat: {name: again, times: 2, block: unit, with: {f: 4}}
"""


def test_a_mistake_inside_a_reused_block_is_reported_as_without_reuse() -> None:
    with_reuse = attempt(BROKEN, "b.yaml", Options(reuse_expansions=True))
    assert [d.code for d in with_reuse.diagnostics] == ["E001"]
    assert _everything(with_reuse) == _everything(attempt(BROKEN, "b.yaml"))


def test_a_clash_with_an_existing_name_is_lowered_again_and_reported() -> None:
    text = BROKEN.replace("$g", "2").replace("name: again, ", "name: repeat_1, ")
    assert _everything(attempt(text, "c.yaml", Options(reuse_expansions=True))) == \
        _everything(attempt(text, "c.yaml"))


def _edits(clean: str) -> list[str]:
    """Versions of a spec as an editor sends them: a comment added, a name misspelt, a
    number changed, a line inserted at the top, then the original again."""
    cut = clean.rindex("{name: ")
    misspelt = clean[:cut] + "{nmae: " + clean[cut + len("{name: "):]
    first = clean.index("filters: ")
    end = clean.index(",", first) if "," in clean[first:first + 20] else first + 12
    renumbered = clean[:first] + "filters: 7" + clean[end:]
    return [clean + "# edit\n", misspelt, renumbered, "# moved\n" + clean, clean]


@pytest.mark.parametrize("path", ZOO, ids=lambda p: p.stem)
def test_a_memo_kept_across_edits_gives_what_a_fresh_compile_gives(path: Path) -> None:
    kept = memo.ExpansionMemo()
    clean = path.read_text(encoding="utf-8")
    for text in [clean, *_edits(clean)]:
        assert _everything(attempt(text, path.name, Options(memo=kept))) == \
            _everything(attempt(text, path.name)), text[-200:]


def test_an_edit_after_the_repeats_reuses_them_whole() -> None:
    text = (ROOT / "specs" / "preact_resnet1001.yaml").read_text(encoding="utf-8")
    kept = memo.ExpansionMemo()
    before = attempt(text, "r.yaml", Options(memo=kept))
    edited = text.replace("dense: {name: predictions, units: $classes",
                          "dense: {name: predictions, units: 100")
    after = attempt(edited, "r.yaml", Options(memo=kept))
    assert after.diagnostics == ()
    # The three stages come back as they were: no unit is lowered or copied one by one.
    assert (kept.lowered, kept.copied) == (0, 3)
    assert before.compiled is not None and after.compiled is not None
    old, new = before.compiled.graph.nodes, after.compiled.graph.nodes
    staged = [(a, b) for a, b in zip(old, new, strict=True) if a.scope[:1] in
              (("stage1",), ("stage2",), ("stage3",))]
    # Per stage: the first unit has its shared BN + ReLU, 7 body layers, the projection
    # and the add (11); the other 110 have BN, ReLU, 7 body layers and the add (10).
    assert len(staged) == 3 * (11 + 110 * 10)
    assert all(a is b for a, b in staged)  # the units: the very same node objects
    assert old[-1] is not new[-1]  # the edited classifier: 10 -> 100 units
    assert after.compiled.analysis is not None and before.compiled.analysis is not None
    # Its figures: 256 * 100 + 100 = 25,700 params instead of 256 * 10 + 10 = 2,570.
    assert after.compiled.analysis.total.params - before.compiled.analysis.total.params == \
        25_700 - 2_570
