"""Generators of hostile specs for the cost model, one family per class of issue 18.

Each family is sized by a parameter, so the tests can build a spec exactly at a cap and one
just past it, and the reliability measurement (`python -m tests.hostile.reliability`) can
run the largest ones in a child process for their time and memory. The sizes that reach
each cap are computed here from the caps the code exports, never typed in twice.

- depth: nested structures (blocks of residuals), expressions (minus signs), calls through
  functions, values nested in lists;
- sharing: values that double at each step (`[$v, $v]`), in expressions and YAML lists;
- quadratic name sets: many `let` names, parameters, variables read by many items;
- removed items: repeats of layers left out by `when: false`, or failing in every copy;
- variant amplification: many variants, or variants that are large together;
- the spec's budget: a costly `when` in every copy of a repeat.
"""

from __future__ import annotations

HEAD = "archc: 1\nname: t\ninput: [8, 8, 1]\n"


# -- depth -----------------------------------------------------------------------------------


def blocks_of_residuals(blocks: int, residuals: int) -> str:
    """`blocks` blocks, each calling the previous inside `residuals` nested residuals.

    Levels (lists of items open at once): the top-level list, then per block its own list
    and one body per residual: 1 + blocks x (1 + residuals)."""
    lines = [HEAD, "blocks:\n"]
    for i in range(blocks):
        body = "[dense: {units: 4}]" if i == 0 else f"[b{i - 1}]"
        for _ in range(residuals):
            body = "[residual: {body: " + body + "}]"
        lines.append(f"  b{i}: {{layers: {body}}}\n")
    return "".join(lines).replace("input: [8, 8, 1]", "input: [4]") \
        + f"layers:\n  - b{blocks - 1}\n"


def block_levels(blocks: int, residuals: int) -> int:
    return 1 + blocks * (1 + residuals)


def minus_signs(count: int) -> str:
    """A variable of `count` minus signs before `$w`: count + 1 expression levels."""
    return HEAD + f"variables: {{w: 8, a: '{'-' * count}$w'}}\nlayers:\n  - dense: {{units: 4}}\n"


def functions_through_minus_signs(functions: int, signs: int) -> str:
    """f0 wraps `signs` minus signs around `$x`; each next one wraps them around a call of the
    previous; the layer calls the last inside `abs(...)`.

    Levels: the layer's list (1), `abs(...)` and the call node (2), then per function its
    call level (1), its text's root and `signs` unary levels, and the call node inside it
    (except f0, whose innermost node is `$x`): 3 + functions x (signs + 2)."""
    lines = [HEAD, "functions:\n", f"  f0: {{params: [x], value: '{'-' * signs}$x'}}\n"]
    for i in range(1, functions):
        lines.append(f"  f{i}: {{params: [x], value: '{'-' * signs}f{i - 1}($x)'}}\n")
    return "".join(lines) + f"layers:\n  - dense: {{units: 'abs(f{functions - 1}(4))'}}\n"


def nested_values(depth: int) -> str:
    """v_k = [v_{k-1}], k = 1..depth: the last value nests lists `depth` deep."""
    lines = [HEAD, "variables:\n  v0: 1\n"]
    lines += [f"  v{k}: '[$v{k - 1}]'\n" for k in range(1, depth + 1)]
    return "".join(lines) + "layers:\n  - dense: {units: 4}\n"


# -- sharing ---------------------------------------------------------------------------------


def doubling(steps: int, yaml_lists: bool = False) -> str:
    """v0 = [1, 2]; v_k = [v_{k-1}, v_{k-1}] (an expression, or a YAML list of two reads).

    The expanded size of v_k: s_0 = 3, s_k = 2 s_{k-1} + 1 = 2^(k+2) - 1 terms."""
    lines = [HEAD, "variables:\n  v0: [1, 2]\n"]
    for k in range(1, steps + 1):
        value = f"['$v{k - 1}', '$v{k - 1}']" if yaml_lists else f"'[$v{k - 1}, $v{k - 1}]'"
        lines.append(f"  v{k}: {value}\n")
    return "".join(lines) + f"layers:\n  - dense: {{units: 4, when: '$v{steps} == $v{steps}'}}\n"


def doubled_size(steps: int) -> int:
    return 2 ** (steps + 2) - 1


# -- quadratic name sets ---------------------------------------------------------------------


def many_lets(count: int) -> str:
    """One function with `count` `let` names, each reading the parameter."""
    lets = "".join(f"      a{i}: $x + {i}\n" for i in range(count))
    return (HEAD + "functions:\n  f:\n    params: [x]\n    let:\n" + lets
            + f"    value: $a{count - 1} - {count - 1}\nlayers:\n  - dense: {{units: 'f(4)'}}\n")


def many_parameters(count: int) -> str:
    """One function with `count` parameters with defaults, called twice."""
    params = ", ".join(f"{{p{i}: {i}}}" for i in range(count))
    return (HEAD + f"functions:\n  f:\n    params: [{params}]\n    value: $p1\n"
            "layers:\n  - dense: {units: 'f(2) + f(2)'}\n")


def bare_lets_mapped(lets: int, items: int) -> str:
    """g has `lets` lets that only read its parameter; f maps g over `items` ones; the layer
    maps f over them: items x items calls of g, each binding lets + 1 names."""
    body = "".join(f"      a{i}: $x\n" for i in range(lets))
    ones = ", ".join(["1"] * items)
    return (HEAD + "functions:\n  g:\n    params: [x]\n    let:\n" + body
            + f"    value: $a{lets - 1}\n  f: {{params: [x], value: 'sum(map(g, $ones))'}}\n"
            f"variables:\n  ones: [{ones}]\nlayers:\n  - dense: {{units: 'sum(map(f, $ones))'}}\n")


def variables_read_by_blocks(variables: int, calls: int) -> str:
    """`variables` plain variables and a block called `calls` times: each call must not copy
    the variables (that was variables x calls)."""
    lines = [HEAD, "variables:\n"]
    lines += [f"  v{i}: {i + 1}\n" for i in range(variables)]
    return "".join(lines) + ("blocks:\n  b: {params: [u], layers: [dense: {units: $u}]}\n"
                             f"layers:\n  - repeat: {{times: {calls}, block: b, "
                             "with: {u: $v3}}\n")


# -- removed items -----------------------------------------------------------------------------


def removed_repeat(outer: int, inner: int) -> str:
    """outer x inner copies of a removed layer, then one layer: no layer but the last is made."""
    return (HEAD + f"layers:\n  - repeat: {{times: {outer}, layers: [repeat: {{times: {inner}, "
            "layers: [dense: {units: 1, when: false}]}]}\n  - dense: {units: 2}\n")


def removed_by_parameter(outer: int, inner: int) -> str:
    """The same, with the inner count a block parameter: known only while lowering."""
    return (HEAD + "blocks:\n  drop:\n    params: [n]\n    layers:\n"
            "      - repeat: {times: $n, layers: [dense: {units: 1, when: false}]}\n"
            f"layers:\n  - repeat: {{times: {outer}, block: drop, with: {{n: {inner}}}}}\n"
            "  - dense: {units: 2}\n")


def failing_in_every_copy(copies: int) -> str:
    """A layer whose `units` is negative in every copy (the message names the copy's value)."""
    return (HEAD + f"layers:\n  - flatten\n  - repeat: {{times: {copies}, layers: "
            "[dense: {units: '$index - 100000'}]}\n")


# -- variant amplification ---------------------------------------------------------------------


def many_variants(variants: int, layers: int) -> str:
    """`variants` variants of a net of `layers` dense layers."""
    lines = [HEAD, "variables: {w: 4}\nvariants:\n"]
    lines += [f"  v{i}: {{w: {i + 1}}}\n" for i in range(variants)]
    return "".join(lines) + "layers:\n" + "  - dense: {units: $w}\n" * layers


# -- the spec's budget ---------------------------------------------------------------------------


def costly_when(copies: int, row: int = 10) -> str:
    """`copies` copies of a layer whose `when` compares a row x row table with itself."""
    items = ", ".join(str(i + 1) for i in range(row))
    table = ", ".join(["$row"] * row)
    return (HEAD + f"variables:\n  row: [{items}]\n  table: '[{table}]'\nlayers:\n"
            f"  - repeat:\n      times: {copies}\n      layers:\n"
            "        - dense: {units: 8, when: '$table == $table and $index == 1'}\n")


AT_THE_CAPS: dict[str, tuple[str, int]] = {
    "depth-blocks-of-residuals-9x10": (blocks_of_residuals(9, 10), 0),
    "depth-minus-signs-99": (minus_signs(99), 0),
    "sharing-doubling-14": (doubling(14), 0),
    "names-lets-10000": (many_lets(10_000), 0),
    "names-parameters-10000": (many_parameters(10_000), 0),
    "names-variables-50000-read-by-10000-calls": (variables_read_by_blocks(50_000, 10_000), 0),
    "removed-2x9998": (removed_repeat(2, 9_998), 0),
    "budget-costly-when-8000-copies": (costly_when(8_000), 0),
}
"""Valid specs as large as each cap allows (exit 0), for the reliability measurement."""

LARGEST: dict[str, str] = {
    "depth-blocks-of-residuals-20x14": blocks_of_residuals(20, 14),
    "depth-functions-through-minus-signs-3x190": functions_through_minus_signs(3, 190),
    "depth-values-600": nested_values(600),
    "sharing-doubling-40": doubling(40),
    "sharing-doubling-yaml-lists-40": doubling(40, yaml_lists=True),
    "names-lets-20000": many_lets(20_000),
    "names-bare-lets-mapped-100x100": bare_lets_mapped(100, 100),
    "names-lets-40000": many_lets(40_000),
    "removed-10000x10000": removed_repeat(10_000, 10_000),
    "removed-by-parameter-10000x10000": removed_by_parameter(10_000, 10_000),
    "removed-failing-in-10000-copies": failing_in_every_copy(10_000),
    "budget-costly-when-10000-copies": costly_when(10_000),
}
"""The largest case of each family, past its cap, for the reliability measurement (`check`);
the variant families are measured with the commands that multiply (see reliability.py)."""
