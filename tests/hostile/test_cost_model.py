"""The cost model of issue 18, class by class: each generator of `generators.py` at its cap
(compiles, and the counter the code computes says it reached the cap) and just past it (a
located diagnostic, decided before the expensive work). Nothing here asserts a duration:
the counters are the terms spent (`Budget.steps`), the deepest nesting (`Budget.deepest`),
expanded sizes, the layer cap's count (`Lowered.cost`) and traced memory in bytes.
"""

from __future__ import annotations

import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from archc.cli import main
from archc.diagnostics import Diagnostic, DiagnosticSink, SpecError
from archc.lower.expr_context import MAX_LEVELS, MAX_SPEC_TERMS, MAX_TERMS, MAX_VALUE_DEPTH
from archc.pipeline import (
    MAX_VARIANTS,
    Attempt,
    Compiled,
    Options,
    Stage,
    attempt,
    compile_text,
    plan_variants,
)

from . import generators as gen


def _attempt(text: str, options: Options | None = None) -> Attempt:
    return attempt(text, "spec.yaml", options or Options())


def _codes(result: Attempt) -> list[str]:
    return [d.code for d in result.diagnostics]


def _only(result: Attempt, code: str) -> Diagnostic:
    assert _codes(result) == [code], [str(d.message) for d in result.diagnostics]
    return result.diagnostics[0]


# -- depth: one budget shared by structures, expressions and calls ------------------------------


def test_structures_nest_up_to_the_depth_budget_and_not_one_level_past() -> None:
    # 9 blocks of 10 residuals: 1 + 9 x 11 = 100 levels, exactly the budget.
    assert gen.block_levels(9, 10) == MAX_LEVELS
    ok = _attempt(gen.blocks_of_residuals(9, 10))
    assert ok.diagnostics == ()
    assert ok.compiled is not None and ok.compiled.budget is not None
    assert ok.compiled.budget.deepest == MAX_LEVELS
    # 10 blocks of 9: 101 levels, each cap (YAML 64, blocks 32) holding alone.
    assert gen.block_levels(10, 9) == MAX_LEVELS + 1
    found = _only(_attempt(gen.blocks_of_residuals(10, 9)), "C012")
    assert "nests deeper than 100 levels" in found.message


def test_the_issue_s_blocks_of_residuals_are_refused_not_a_recursion_error() -> None:
    # 20 blocks each with 14 nested residuals (11.8 KB): exit 4 before issue 18.
    found = _only(_attempt(gen.blocks_of_residuals(20, 14)), "C012")
    assert found.span is not None and found.span.line > 4


def test_an_expression_nests_up_to_the_budget() -> None:
    # `-` x 99 then `$w`: 100 expression levels.
    ok = _attempt(gen.minus_signs(MAX_LEVELS - 1))
    assert ok.diagnostics == ()
    assert ok.compiled is not None and ok.compiled.budget is not None
    assert ok.compiled.budget.deepest == MAX_LEVELS
    found = _only(_attempt(gen.minus_signs(MAX_LEVELS)), "C012")
    assert (found.span.line, found.span.col) == (4, 22) if found.span else False


def test_calls_charge_the_same_budget_as_their_texts() -> None:
    # 3 + functions x (signs + 2) levels: 3 functions of 30 signs are 99, of 31 are 102.
    ok = _attempt(gen.functions_through_minus_signs(3, 30))
    assert ok.diagnostics == ()
    assert ok.compiled is not None and ok.compiled.budget is not None
    assert ok.compiled.budget.deepest == 3 + 3 * (30 + 2)
    found = _only(_attempt(gen.functions_through_minus_signs(3, 31)), "C012")
    assert found.notes and found.notes[0].startswith("called from")
    # The issue's three functions of about 190 signs: exit 4 before.
    _only(_attempt(gen.functions_through_minus_signs(3, 190)), "C012")


def test_values_nest_up_to_their_cap() -> None:
    assert _attempt(gen.nested_values(MAX_VALUE_DEPTH)).diagnostics == ()
    found = _only(_attempt(gen.nested_values(MAX_VALUE_DEPTH + 1)), "E003")
    assert f"nests lists {MAX_VALUE_DEPTH + 1} deep" in found.message
    # The issue's 600 levels stop at the first one past the cap.
    found = _only(_attempt(gen.nested_values(600)), "E003")
    assert found.span is not None and found.span.line == 5 + MAX_VALUE_DEPTH + 1  # `v33:`


def test_the_deepest_accepted_spec_runs_far_below_python_s_recursion_limit(
        tmp_path: Path) -> None:
    """Each accepted depth compiles with the interpreter's limit at a fifth of its default:
    the walks are bounded by the budget, not by RecursionError."""
    import subprocess

    specs = {"blocks": gen.blocks_of_residuals(9, 10), "minus": gen.minus_signs(99),
             "calls": gen.functions_through_minus_signs(3, 30)}
    for name, text in specs.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        child = ("import sys; sys.setrecursionlimit(700); from archc.pipeline import "
                 f"compile_file; compile_file({str(path)!r}); print('ok')")
        run = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True,
                             check=False, cwd=Path(__file__).resolve().parents[2])
        assert run.stdout.strip() == "ok", (name, run.stderr[-500:])


# -- sharing: sizes are expanded sizes, measured without expanding ------------------------------


@pytest.mark.parametrize("yaml_lists", [False, True])
def test_doubling_values_are_refused_at_the_step_that_passes_the_size_cap(
        yaml_lists: bool) -> None:
    # s_k = 2^(k+2) - 1: s_14 = 65,535 fits, s_15 = 131,071 does not.
    assert gen.doubled_size(14) <= MAX_TERMS < gen.doubled_size(15)
    ok = _attempt(gen.doubling(14, yaml_lists))
    assert ok.diagnostics == ()
    found = _only(_attempt(gen.doubling(15, yaml_lists)), "E003")
    assert f"expands to {gen.doubled_size(15):,} terms" in found.message
    assert found.span is not None and found.span.line == 4 + 15 + 1  # at `v15:`


@pytest.mark.parametrize("yaml_lists", [False, True])
def test_refusing_2_to_the_40_leaves_costs_its_distinct_nodes_only(yaml_lists: bool) -> None:
    result = _attempt(gen.doubling(40, yaml_lists))
    _only(result, "E003")
    assert result.compiled is not None and result.compiled.budget is not None
    # 16 variables were measured, each in a few terms: linear in distinct nodes.
    assert result.compiled.budget.steps < 2_000


def test_a_list_written_around_large_values_is_measured_too() -> None:
    text = gen.doubling(14).replace(
        "layers:\n", "layers:\n  - conv2d: {filters: 2, kernel_size: ['$v14', '$v14']}\n")
    found = _only(_attempt(text), "E003")
    assert "expands to 131,071 terms" in found.message
    # At the list in the conv2d item: 3 header lines, `variables:`, v0..v14, `layers:`.
    assert found.span is not None and found.span.line == 3 + 1 + 15 + 1 + 1


# -- quadratic name sets: memory linear in the spec ------------------------------------------------


def _peak_bytes(text: str) -> int:
    tracemalloc.start()
    try:
        compile_text(text, "spec.yaml", stop_after=Stage.VALIDATE)
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


@pytest.mark.parametrize("make", [gen.many_lets, gen.many_parameters])
def test_memory_grows_linearly_with_let_names_and_parameters(
        make: Callable[[int], str]) -> None:
    # Copying the visible names per text made 10,000 lets cost 2.4 GB: quadratic. Doubling
    # the names must about double the peak (the spec text and its YAML grow as much).
    small, large = _peak_bytes(make(1_000)), _peak_bytes(make(2_000))
    assert large < 2.6 * small, (small, large)


def test_every_let_and_parameter_binding_is_a_term() -> None:
    result = _attempt(gen.many_parameters(10_000))
    assert result.diagnostics == ()
    assert result.compiled is not None and result.compiled.budget is not None
    # Two calls, each binding 10,000 parameters.
    assert result.compiled.budget.steps >= 2 * 10_000
    # 100 bare-`$x` lets in g, called 100 x 100 times: 1,010,000 bindings at least, past the
    # 100,000 terms of the one evaluation that makes them (before: uncounted).
    found = _only(_attempt(gen.bare_lets_mapped(100, 100)), "E003")
    assert "visits more than 100,000 terms" in found.message


def test_texts_are_charged_when_first_read_so_many_lets_meet_the_spec_budget() -> None:
    ok = _attempt(gen.many_lets(10_000))
    assert ok.diagnostics == ()
    assert ok.compiled is not None and ok.compiled.budget is not None
    assert ok.compiled.budget.steps <= MAX_SPEC_TERMS
    found = _only(_attempt(gen.many_lets(20_000)), "C011")
    assert found.span is not None and found.span.line > 10_000


def test_block_calls_do_not_copy_the_variables() -> None:
    # 5,000 variables read by 2,000 block calls: a copy per call was 10 million entries.
    tracemalloc.start()
    try:
        compile_text(gen.variables_read_by_blocks(5_000, 2_000), "spec.yaml",
                     stop_after=Stage.LOWER)
        many = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        compile_text(gen.variables_read_by_blocks(5_000, 20), "spec.yaml",
                     stop_after=Stage.LOWER)
        few = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert many < few + 2_000 * 20_000, (few, many)  # under 20 KB per call


# -- removed items count against the layer cap --------------------------------------------------


def test_removed_items_reach_the_layer_cap_statically() -> None:
    found = _only(_attempt(gen.removed_repeat(10_000, 10_000)), "C001")
    assert "at least 100,000,001 layers" in found.message
    # At the cap: 1 input + 2 x 9,998 removed walks + 1 layer = 19,998 + 2 <= 20,000.
    ok = _attempt(gen.removed_repeat(2, 9_998))
    assert ok.diagnostics == ()
    assert ok.compiled is not None and ok.compiled.lowered is not None
    assert ok.compiled.lowered.cost == 1 + 2 * 9_998 + 1
    assert len(ok.compiled.graph.nodes) == 2
    _only(_attempt(gen.removed_repeat(2, 10_000)), "C001")


def test_removed_items_known_only_while_lowering_are_counted_as_they_are_walked() -> None:
    found = _only(_attempt(gen.removed_by_parameter(10_000, 10_000)), "C001")
    assert "per repetition" in found.message
    result = _attempt(gen.removed_by_parameter(3, 6_666))
    assert result.diagnostics == ()
    assert result.compiled is not None and result.compiled.lowered is not None
    assert result.compiled.lowered.cost == 1 + 3 * 6_666 + 1


def test_a_mistake_in_every_copy_is_reported_once_and_the_copies_are_counted() -> None:
    result = _attempt(gen.failing_in_every_copy(50))
    assert _codes(result) == ["S004"]  # `received -99,999`, `-99,998`, ...: one report
    assert result.compiled is not None and result.compiled.lowered is not None
    # The input, the flatten and 50 failed copies, each a walk without a node.
    assert result.compiled.lowered.cost == 1 + 1 + 50
    found = _only(_attempt(gen.failing_in_every_copy(30_000)), "C002")
    assert "30,000" in found.message


# -- variant amplification: decided before any variant compiles -------------------------------


def _first(text: str) -> tuple[Options, Compiled]:
    options = Options()
    return options, compile_text(text, "spec.yaml", options)


def test_variants_up_to_the_cap_are_planned_and_one_more_is_refused() -> None:
    options, first = _first(gen.many_variants(MAX_VARIANTS, 2))
    assert len(plan_variants(first, options)) == MAX_VARIANTS
    options, first = _first(gen.many_variants(MAX_VARIANTS + 1, 2))
    with pytest.raises(SpecError) as caught:
        plan_variants(first, options)
    assert [d.code for d in caught.value.diagnostics] == ["C013"]


def test_variants_are_refused_when_their_layers_together_pass_the_cap() -> None:
    # 20 variants of 999 layers + the input: 20 x 1,000 = 20,000 fits, 1,000 more do not.
    options, first = _first(gen.many_variants(20, 999))
    assert len(plan_variants(first, options)) == 20
    options, first = _first(gen.many_variants(20, 1_000))
    with pytest.raises(SpecError) as caught:
        plan_variants(first, options)
    message = caught.value.diagnostics[0].message
    assert "expand to at least 20,020 layers together (by `v19`)" in message


@pytest.mark.parametrize("command", [["summary", "--all-variants"], ["report", "-o", "-"]])
def test_commands_that_multiply_refuse_before_compiling_variants(
        command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "net.yaml"
    spec.write_text(gen.many_variants(3_000, 100), encoding="utf-8")
    assert main([*command, str(spec)]) == 1
    captured = capsys.readouterr()
    assert "error[C013]: this command compiles every variant: 3,000 variants, the cap is 64" \
        in captured.err
    assert captured.out == ""
    assert main(["check", str(spec)]) == 0  # one variant: not multiplied


def test_the_running_count_catches_what_the_static_bound_cannot_see(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # `when: $big` inside a repeat is unknown before lowering: each copy counts one either
    # way, so the bound is the same; the blocks' real size shows only while compiling.
    text = (gen.HEAD + "variables: {n: 1}\nvariants:\n" + "".join(
        f"  v{i}: {{n: 2000}}\n" for i in range(12)) + "blocks:\n  b:\n    params: [k]\n"
            "    layers:\n      - repeat: {times: $k, layers: [dense: {units: 2}]}\n"
            "layers:\n  - b: {k: $n}\n")
    spec = tmp_path / "net.yaml"
    spec.write_text(text, encoding="utf-8")
    assert main(["summary", "--all-variants", str(spec)]) == 1
    err = capsys.readouterr().err
    assert "error[C013]: this command compiles every variant: they make more than 20,000 " \
        "layers together (by `v9`)" in err


# -- the spec's budget: every copy spends from one account ------------------------------------


def test_the_spec_budget_bounds_every_copy_together() -> None:
    # Each copy compares a 111-term table with itself: 111 terms, plus the rest of the text.
    ok = _attempt(gen.costly_when(8_000))
    assert ok.diagnostics == ()
    assert ok.compiled is not None and ok.compiled.budget is not None
    assert 8_000 * 111 < ok.compiled.budget.steps <= MAX_SPEC_TERMS
    found = _only(_attempt(gen.costly_when(10_000)), "C011")
    assert "together visit more than 1,000,000 terms" in found.message


def test_the_budget_is_spent_once_per_spec_not_per_process() -> None:
    """Charges do not depend on the parse cache: the same spec twice costs the same."""
    first = _attempt(gen.costly_when(100))
    second = _attempt(gen.costly_when(100))
    assert first.compiled is not None and second.compiled is not None
    assert first.compiled.budget is not None and second.compiled.budget is not None
    assert first.compiled.budget.steps == second.compiled.budget.steps


def test_a_sink_keeps_one_diagnostic_per_place_and_code_for_numbered_messages() -> None:
    sink = DiagnosticSink()
    from archc.diagnostics import SourceSpan

    span = SourceSpan("spec.yaml", 5, 49)
    for copy in range(1, 51):
        sink.error("S004", f"input should be greater than 0; received `{copy - 10}`", span)
    sink.error("S004", "a different mistake at the same place", span)
    assert [d.message for d in sink.sorted()] == [
        "input should be greater than 0; received `-9`", "a different mistake at the same place"]


def test_the_variants_expressions_share_one_budget_before_any_compiles() -> None:
    # Each variant's variables compare two 40,044-term lists (about 40,000 terms): 30 of
    # them together pass the 1,000,000 terms one spec may spend.
    row = ", ".join(str(i) for i in range(1, 101))
    text = (gen.HEAD + "variables:\n  w: 1\n  row: [" + row + "]\n"
            "  t: '[$row, $row, $row, $row, $row, $row, $row, $row, $row, $row]'\n"
            "  u: '[$t, $t, $t, $t]'\n  same: '[$u, $u, $u, $u, $u, $u, $u, $u, $u, $u] == "
            "[$u, $u, $u, $u, $u, $u, $u, $u, $u, $u]'\nvariants:\n"
            + "".join(f"  v{i}: {{w: {i}}}\n" for i in range(30))
            + "layers:\n  - dense: {units: $w}\n")
    options, first = _first(text)
    assert first.budget is not None and 40_000 < first.budget.steps < MAX_SPEC_TERMS // 20
    with pytest.raises(SpecError) as caught:
        plan_variants(first, options)
    (found,) = caught.value.diagnostics
    assert found.code == "C013" and "variables together visit more than 1,000,000 terms" \
        in found.message
