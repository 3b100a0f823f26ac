"""One small spec per core diagnostic code, pinning the exact rendered text.

Each case asserts the first rendered line (`file:line:col: error[CODE]: message`) and the
help line, so a changed message, a moved caret or a lost "did you mean" is a visible,
reviewed change. The catalogue (docs/diagnostics.md) shows the same texts; its own test
re-renders those examples. The last test is the issue's acceptance check: five independent
mistakes give five located diagnostics in one run, exit code 1, and no traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from archc.cli import main
from archc.diagnostics import Diagnostic, SpecError, render
from archc.lower import Caps
from archc.passes.analysis import CostCaps
from archc.pipeline import Options, compile_file, compile_text
from archc.spec import loader

HEAD = "archc: 1\nname: demo\ninput: [32, 32, 3]\n"


def spec(*lines: str, head: str = HEAD) -> str:
    return head + "".join(line + "\n" for line in lines)


@dataclass(frozen=True)
class Case:
    code: str
    text: str
    first_line: str
    help: str | None
    options: Options = field(default_factory=Options)


CASES = [
    # -- Y: loading --------------------------------------------------------------------------
    Case("Y000", spec("variables: {stages: [2, 2]}", "layers:",
                      "  - repeat: {times: $stages[0], layers: [flatten]}"),
         "spec.yaml:6:28: error[Y000]: invalid YAML: did not find expected ',' or '}'",
         "inside `{...}` or `[...]`, quote values that contain brackets or commas, e.g. "
         "'$stages[0]', or use block style"),
    Case("Y001", spec("layers:", "  - conv2d: {filters: 8, kernel_size: 3, use_bias: no}"),
         "spec.yaml:5:52: error[Y001]: `no` is ambiguous: YAML 1.1 reads it as a boolean, "
         "YAML 1.2 as text",
         "write true/false for a boolean, or quote it: 'no'"),
    Case("Y002", spec("layers:", "  - conv2d: {filters: 010, kernel_size: 3}"),
         "spec.yaml:5:23: error[Y002]: `010` is an ambiguous number (YAML 1.1 reads octal, "
         "sexagesimal and underscored numbers differently)",
         "write a plain decimal number, or quote it if you meant text"),
    Case("Y003", spec("layers:", "  - conv2d: !!python/object {filters: 8, kernel_size: 3}"),
         "spec.yaml:5:13: error[Y003]: the tag `!!python/object` is not allowed: specs are "
         "data, never code",
         "remove the tag; archc accepts only plain YAML values"),
    # An anchor alone is refused too (an alias is refused at the alias: corpus y004-*).
    Case("Y004", spec("layers:", "  - conv2d: &c {filters: 8, kernel_size: 3}"),
         "spec.yaml:5:13: error[Y004]: anchors (`&c`) are not allowed in specs",
         "remove the anchor; use a block, `defaults` or a named table to reuse a definition"),
    Case("Y005", spec("layers:", "  - conv2d: {filters: 8, kernel_size: 3, filters: 16}"),
         "spec.yaml:5:42: error[Y005]: duplicate key `filters` (first defined at line 5)",
         "remove one of the two; YAML would silently keep only the last"),
    Case("Y006", spec("layers:", "  - conv2d: {filters: 8, 3: kernel_size}"),
         "spec.yaml:5:26: error[Y006]: mapping keys must be names; found `3`",
         "quote the key if you meant the text"),
    Case("Y007", spec("layers:", "  - flatten", "---", "archc: 1"),
         "spec.yaml:6:1: error[Y007]: a spec holds exactly one YAML document",
         "remove the `---` and everything after it, or split the file"),
    # 65 nested lists: one past the cap of 64 (the mapping at the top is level 1).
    Case("Y008", spec("layers:", "  - flatten", "notes: " + "[" * 65 + "]" * 65),
         f"spec.yaml:6:{len('notes: ') + 64}: error[Y008]: the spec nests deeper than the cap "
         "of 64 levels",
         "flatten the structure; real specs nest a few levels deep"),
    # -- S: validation -----------------------------------------------------------------------
    Case("S001", spec("layers:", "  - conv2d: {filters: 8}", "    kernel_size: 3"),
         "spec.yaml:5:5: error[S001]: a layer is a one-key mapping such as `conv2d: {...}`; "
         "this is a mapping with several keys",
         "indent the layer's arguments under its type"),
    Case("S002", spec("layers:", "  - conv2d: {filters: 8, kernal_size: 3}"),
         "spec.yaml:5:26: error[S002]: unknown field `kernal_size` in `conv2d`",
         "did you mean `kernel_size`?"),
    Case("S003", spec("layers:", "  - dense: {activation: relu}"),
         "spec.yaml:5:5: error[S003]: `dense` needs the field `units`",
         "add `units: ...`"),
    Case("S004", spec("layers:", "  - conv2d: {filters: 8, kernel_size: 3, padding: sme}"),
         "spec.yaml:5:51: error[S004]: invalid value for `padding` in `conv2d`: input should "
         "be 'valid' or 'same'; received `sme`",
         "did you mean `same`?"),
    Case("S005", spec("layers:", "  - conv3d: {filters: 8, kernel_size: 3}"),
         "spec.yaml:5:5: error[S005]: unknown layer type `conv3d`",
         "did you mean `conv2d`?"),
    Case("S006", spec("layers:", "  - conv2d: 8"),
         "spec.yaml:5:13: error[S006]: `conv2d` takes a mapping of arguments; received `8`",
         "write `conv2d: {...}`"),
    Case("S007", spec("inputs: {image: [32, 32, 3]}", "layers:", "  - flatten"),
         "spec.yaml:4:1: error[S007]: give either `input` or `inputs`, not both",
         None),
    Case("S008", spec("blocks:", '  "conv/bn":', "    layers: [flatten]", "layers:",
                      "  - flatten"),
         "spec.yaml:5:3: error[S008]: `conv/bn` is not a valid name in `blocks`",
         "use letters, digits, `_`, `.` and `-`, starting with a letter or `_`"),
    Case("S011", spec("blocks:", "  fuse:", "    inputs: [x, skip]",
                      "    layers: [{concat: {inputs: [x, skip]}}]", "layers:",
                      "  - conv2d: {name: a, filters: 8, kernel_size: 3}",
                      "  - fuse: {inputs: [a]}"),
         "spec.yaml:10:20: error[S011]: block `fuse` reads 2 inputs (x, skip); received 1",
         "pass `inputs: [x, skip]` in this order, or by name: `inputs: {skip: ...}`"),
    Case("S012", spec("blocks:", "  fuse:", "    inputs: [x, skip]",
                      "    layers: [{concat: {inputs: [x, skip]}}]", "layers:",
                      "  - conv2d: {name: a, filters: 8, kernel_size: 3}",
                      "  - fuse: {inputs: {x: a, skp: input}}"),
         "spec.yaml:10:27: error[S012]: block `fuse` has no input `skp`",
         "did you mean `skip`? (its inputs: x, skip)"),
    # -- N: names ----------------------------------------------------------------------------
    Case("N001", spec("layers:", "  - conv2d: {name: stem, filters: 8, kernel_size: 3}",
                      "  - flatten: {inputs: stme}"),
         "spec.yaml:6:23: error[N001]: unknown layer name `stme`",
         "did you mean `stem`?"),
    Case("N002", spec("layers:", "  - conv2d: {name: conv, filters: 8, kernel_size: 3}",
                      "  - conv2d: {name: conv, filters: 8, kernel_size: 3}"),
         "spec.yaml:6:5: error[N002]: duplicate layer name `conv` (first used at line 5)",
         "give every layer a unique name"),
    Case("N003", spec("layers:", "  - conv2d: {filters: 4, kernel_size: 3, connections: c3}"),
         "spec.yaml:5:55: error[N003]: unknown connection table `c3`",
         "define it under `tables:` or write the rows inline"),
    Case("N004", spec("blocks:", "  a:", "    layers:", "      - b: {}", "  b:", "    layers:",
                      "      - a: {}", "layers:", "  - a: {}"),
         "spec.yaml:10:9: error[N004]: block `a` uses itself: a -> b -> a",
         "blocks cannot be recursive; use `repeat`"),
    Case("N005", spec("variables: {width: 16}", "variants:", "  small: {width: 8}",
                      "default_variant: smal", "layers:", "  - flatten"),
         "spec.yaml:7:18: error[N005]: `default_variant` names an unknown variant `smal`",
         "did you mean `small`?"),
    Case("N006", spec("variables: {width: 16}", "variants:", "  small: {widht: 8}",
                      "default_variant: small", "layers:", "  - flatten"),
         "spec.yaml:6:11: error[N006]: variant `small` sets `widht`, which is not a variable",
         "did you mean `width`?"),
    Case("N007", spec("blocks:", "  unit:", "    params: [filters, {filters: 8}]",
                      "    layers: [flatten]", "layers:", "  - unit: {}"),
         "spec.yaml:6:24: error[N007]: block `unit` declares the parameter `filters` twice "
         "(first at line 6)",
         "remove one of the two declarations"),
    Case("N009", spec("blocks:", "  fuse:", "    inputs: [x, filters]", "    params: [filters]",
                      "    layers: [flatten]", "layers:",
                      "  - fuse: {inputs: [input, input], filters: 8}"),
         "spec.yaml:6:17: error[N009]: block `fuse` has an input and a parameter named "
         "`filters`",
         "`$filters` would not say which: rename one of them"),
    Case("N008", spec("functions:", "  even:", "    params: [n]",
                      "    value: true if $n == 0 else odd($n - 1)", "  odd:", "    params: [n]",
                      "    value: false if $n == 0 else even($n - 1)", "layers:",
                      "  - conv2d: {filters: 8, kernel_size: 3, use_bias: even(2)}"),
         "spec.yaml:5:3: error[N008]: function `even` calls itself: even -> odd -> even",
         "functions cannot be recursive; compute the value without recursion"),
    # -- E: expressions ----------------------------------------------------------------------
    Case("E001", spec("variables: {width: 16}", "layers:",
                      "  - conv2d: {filters: $widht, kernel_size: 3}"),
         "spec.yaml:6:23: error[E001]: unknown variable `$widht`",
         "did you mean `width`?"),
    Case("E002", spec("variables: {width: 16}", "layers:",
                      "  - conv2d: {filters: $width * factor, kernel_size: 3}"),
         "spec.yaml:6:23: error[E002]: `factor` in `$width * factor` is not a number or a "
         "$variable",
         "write `$factor` to use the variable"),
    Case("E003", spec("variables: {width: 16, stages: [2, 2]}", "layers:",
                      "  - conv2d: {filters: '$width * $stages[2]', kernel_size: 3}"),
         "spec.yaml:6:23: error[E003]: cannot evaluate `$width * $stages[2]`: list index out "
         "of range",
         None),
    Case("E004", spec("variables: {width: 36}", "layers:",
                      "  - conv2d: {filters: 'rnd($width / 8) * 8', kernel_size: 3}"),
         "spec.yaml:6:23: error[E004]: unknown function `rnd` in `rnd($width / 8) * 8`",
         "did you mean `round`?"),
    Case("E005", spec("variables: {width: 36.5}", "layers:",
                      "  - conv2d: {filters: 'round($width, 1)', kernel_size: 3}"),
         "spec.yaml:6:23: error[E005]: `round` takes 1 argument; received 2",
         "round(x) rounds halves to even; to round to a multiple of 8 write round($x / 8) * 8"),
    Case("E006", spec("variables:", "  wide: $in.channels * 2", "layers:",
                      "  - conv2d: {filters: $wide, kernel_size: 3}"),
         "spec.yaml:5:9: error[E006]: `$in` is only defined in layer items",
         "`$in` is the shape of what an item reads: use it in a layer's fields, a block call's "
         "arguments or a block parameter's default"),
    Case("E007", spec("variables: {alpha: 0.5}", "layers:",
                      "  - conv2d: {filters: max(8, 32 * $alpha), kernel_size: 3}"),
         "spec.yaml:6:23: error[E007]: YAML split this expression at a comma: `max(8` has an "
         "unclosed parenthesis",
         "quote it: `filters: 'max(8, 32 * $alpha)'`, or use block style"),
    # -- G: graph ----------------------------------------------------------------------------
    # a: 3x3 valid on 32x32 -> 30x30x8; b: 1x1 on the input -> 32x32x8.
    Case("G001", spec("layers:", "  - conv2d: {name: a, filters: 8, kernel_size: 3}",
                      "  - conv2d: {name: b, inputs: input, filters: 8, kernel_size: 1}",
                      "  - concat: {inputs: [a, b]}"),
         "spec.yaml:7:5: error[G001]: concat needs equal shapes except the channel axis; "
         "received 30x30x8, 32x32x8",
         "give every branch the same spatial size (padding: same, equal strides)"),
    Case("G002", spec("layers:", "  - residual:", "      shortcut: identity", "      body:",
                      "        - conv2d: {filters: 16, kernel_size: 3, padding: same}"),
         "spec.yaml:5:5: error[G002]: `add` needs equal shapes; received 32x32x3, 32x32x16",
         "project the shortcut (shortcut: projection) or match filters and strides"),
    Case("G003", spec("layers:",
                      "  - conv2d: {filters: 2, kernel_size: 5, connections: [[0, 1], [3, 6]]}",
                      head="archc: 1\nname: demo\ninput: [14, 14, 6]\n"),
         "spec.yaml:5:5: error[G003]: row 1 of the connection table reads input map 6, but the "
         "input has only 6 channels (maps 0..5)",
         "the table's indices are 0-based input channels"),
    Case("G004", spec("layers:", "  - conv2d: {filters: 8, kernel_size: 5}",
                      head="archc: 1\nname: demo\ninput: [4, 4, 3]\n"),
         "spec.yaml:5:5: error[G004]: the 5x5 window of `conv2d` is larger than its 4x4 input",
         "use a smaller kernel or dilation, padding: same, or a larger input"),
    # flatten of 32x32x3 gives 3072 features.
    Case("G005", spec("layers:", "  - flatten", "  - conv2d: {filters: 8, kernel_size: 3}"),
         f"spec.yaml:6:5: error[G005]: `conv2d` needs an image-like H x W x C input; received "
         f"{32 * 32 * 3}",
         "add a `flatten` or a global pooling layer before dense layers, or remove it before "
         "spatial ones"),
    Case("G006", spec("layers:", "  - conv2d: {filters: 8, kernel_size: 3, groups: 2}"),
         "spec.yaml:5:5: error[G006]: `groups: 2` must divide both the input channels (3) and "
         "`filters` (8)",
         "choose a number of groups that divides both"),
    Case("G007", spec("layers:",
                      "  - conv2d: {filters: 2, kernel_size: 3, groups: 2, "
                      "connections: [[0], [1]]}",
                      head="archc: 1\nname: demo\ninput: [14, 14, 2]\n"),
         "spec.yaml:5:5: error[G007]: a conv2d cannot have both `groups` and `connections`",
         None),
    Case("G008", spec("layers:", "  - dense: {name: a, inputs: b, units: 4}",
                      "  - dense: {name: b, units: 4}"),
         "spec.yaml:5:30: error[G008]: the layers form a cycle: a -> b -> a",
         "a network is acyclic; break the loop by reading an earlier layer"),
    Case("G009", spec("layers:", "  - squeeze_excitation: {ratio: 16}",
                      head="archc: 1\nname: demo\ninput: [8, 8, 8]\n"),
         "spec.yaml:5:5: error[G009]: `ratio: 16` squeezes 8 channels to nothing",
         "use a ratio of at most 8"),
    Case("G010", spec("layers:", "  - conv2d: {filters: 8, kernel_size: 3, strides: 2, "
                      "dilation: 2}"),
         "spec.yaml:5:5: error[G010]: `conv2d` has both strides 2 and dilation 2; the Keras "
         "backend supports strides above 1 or dilation above 1, not both",
         "downsample in a separate layer (a pool or a strided 1x1 conv), or drop the dilation"),
    Case("G011", spec("variables: {head: false}", "layers:", "  - flatten: {when: $head}"),
         "spec.yaml:5:1: error[G011]: the network has no layers: every item is removed by "
         "`when: false`",
         "keep at least one layer"),
    # -- C: caps (lowered so that small specs reach them) ------------------------------------
    Case("C001", spec("layers:", "  - dense: {units: 4}", "  - dense: {units: 4}",
                      "  - dense: {units: 4}"),
         # the input counts as a layer: input, dense, dense fill the cap of 3; counted
         # before lowering, the third dense makes 4.
         "spec.yaml:7:5: error[C001]: the network expands to at least 4 layers by this item "
         "(which adds at least 1); the cap is 3",
         "raise the cap with --max-layers", Options(caps=Caps(max_nodes=3))),
    Case("C002", spec("layers:", "  - repeat:", "      times: 3", "      layers: [flatten]"),
         "spec.yaml:5:5: error[C002]: `times: 3` exceeds the repeat cap of 2",
         "raise it with --max-repeat", Options(caps=Caps(max_repeat=2))),
    Case("C003", spec("layers:", "  - flatten"),
         "spec.yaml:3:8: error[C003]: input dimension 32 exceeds the cap of 16",
         "raise it with --max-input-dim if you mean it", Options(caps=Caps(max_input_dim=16))),
    Case("C004", spec("blocks:", "  a:", "    layers: [b]", "  b:", "    layers: [flatten]",
                      "layers:", "  - a: {}"),
         "spec.yaml:6:14: error[C004]: blocks nest deeper than 1 levels",
         None, Options(caps=Caps(max_block_depth=1))),
    # 32*32*3 = 3072 features, dense 1000: 3072 * 1000 + 1000 = 3,073,000 params.
    Case("C005", spec("layers:", "  - flatten", "  - dense: {units: 1000}"),
         "spec.yaml:6:5: error[C005]: the network needs 3.07e+06 parameters by this layer; the "
         "cap is 1e+06",
         "raise it with --max-params", Options(cost_caps=CostCaps(max_params=1_000_000))),
    # 10,000 copies of a `when` comparing two 111-term tables (111 terms each time, plus
    # the rest of the text): past 1,000,000 terms, at the copy that crosses.
    Case("C011", spec("variables:", "  row: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]",
                      "  table: '[$row, $row, $row, $row, $row, $row, $row, $row, $row, $row]'",
                      "layers:", "  - repeat:", "      times: 10000", "      layers:",
                      "        - dense: {units: 8, when: '$table == $table and $index == 1'}"),
         "spec.yaml:11:35: error[C011]: the spec's expressions together visit more than "
         "1,000,000 terms; `$table == $table and $index == 1` crosses the cap",
         "compute large values once, in `variables:`, and read them; map over shorter lists"),
    # 120 minus signs and `$w`: 121 expression levels, past the 100 of the depth budget.
    Case("C012", spec("variables: {w: 8, a: '" + "-" * 120 + "$w'}", "layers:",
                      "  - dense: {units: 4}"),
         "spec.yaml:4:22: error[C012]: `" + "-" * 57 + "...` nests deeper than 100 levels, "
         "counting the blocks, repeats, branches and bodies around it, the expressions' "
         "nesting and the calls they make",
         "flatten it: compute parts in `variables:` or a `let:`, or nest fewer structures"),
    # input 32*32*3*4 bytes + conv output 32*32*1024*4 bytes = 4,206,592 bytes = 0.00392 GiB.
    Case("C006", spec("layers:", "  - conv2d: {filters: 1024, kernel_size: 1}"),
         "spec.yaml:5:5: error[C006]: activations need 0.00392 GiB per sample by this layer; "
         "the cap is 0.000977 GiB",
         "raise it with --max-activation-gib",
         Options(cost_caps=CostCaps(max_activation_bytes=1024**2))),
]


def _diagnostics(case: Case) -> list[Diagnostic]:
    with pytest.raises(SpecError) as caught:
        compile_text(case.text, "spec.yaml", case.options)
    return caught.value.diagnostics


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.code)
def test_pinned_text(case: Case) -> None:
    diagnostics = _diagnostics(case)
    assert [d.code for d in diagnostics] == [case.code]
    (only,) = diagnostics
    rendered = render(only, case.text).splitlines()
    assert rendered[0] == case.first_line
    assert only.help == case.help
    help_lines = [line for line in rendered if line.startswith("  = help: ")]
    assert help_lines == ([f"  = help: {case.help}"] if case.help else [])


def test_cases_cover_every_core_code_once() -> None:
    codes = [c.code for c in CASES]
    assert len(codes) == len(set(codes))
    prefixes = {c[0] for c in codes}
    assert prefixes == set("YSNEGC")


# -- codes that need a file on disk or a lowered loader cap --------------------------------


def test_y009_file_over_the_size_cap(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(spec("layers:", "  - flatten"), encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        compile_file(str(path), Options(max_bytes=16))
    (only,) = caught.value.diagnostics
    assert render(only, None) == (
        f"{path}:1:1: error[Y009]: the file is larger than the size cap of 16 bytes\n"
        "  = help: split the spec, or raise the cap with --max-bytes")


def test_y010_more_nodes_than_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_NODES", 10)
    # Nodes in order: the root mapping, `archc`, `1`, `name`, `demo`, `input`, the list and
    # its three numbers make 10; the 11th is the key `layers` at line 4, column 1.
    with pytest.raises(SpecError) as caught:
        compile_text(spec("layers:", "  - flatten"), "spec.yaml")
    (only,) = caught.value.diagnostics
    text = render(only, spec("layers:", "  - flatten")).splitlines()
    assert text[0] == "spec.yaml:4:1: error[Y010]: the spec has more than 10 YAML nodes"
    assert only.help == "split the spec"


def test_y011_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"archc: 1\nname: d\xe9mo\n")  # 0xE9 is 'e acute' in Latin-1
    with pytest.raises(SpecError) as caught:
        compile_file(str(path))
    (only,) = caught.value.diagnostics
    # byte 16 is the 0xE9: len("archc: 1\nname: d") == 16.
    assert render(only, None) == (
        f"{path}:1:1: error[Y011]: the file is not UTF-8 text (invalid continuation byte at "
        "byte 16)\n  = help: save the spec as UTF-8")


def test_render_skips_a_caret_far_beyond_the_shown_line() -> None:
    # A minified line is shown cut at 200 characters; a caret at column 5000 would be a line
    # of 5000 spaces, so the location stays in the head line only.
    source = "x: [" + "0, " * 2000 + "]\n"
    from archc.diagnostics import SourceSpan

    text = render(Diagnostic("Y010", "too many", SourceSpan("f.yaml", 1, 5000)), source)
    assert text == "f.yaml:1:5000: error[Y010]: too many"


# -- the acceptance check: five mistakes, five diagnostics, one run ------------------------

FIVE_MISTAKES = """\
archc: 1
name: five_mistakes
input: [32, 32, 3]
variables: {width: 16}
layers:
  - conv2d: {filters: $width, kernal_size: 3}
  - conv2d: {filters: true, kernel_size: 3}
  - dense: {units: 10, activation: relux}
  - conv3d: {filters: 8}
  - dense: {units: $widht}
"""


def test_five_mistakes_five_located_diagnostics(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "five.yaml"
    path.write_text(FIVE_MISTAKES, encoding="utf-8")
    code = main(["check", str(path)])
    out, err = capsys.readouterr()
    assert code == 1
    heads = re.findall(rf"^{re.escape(str(path))}:(\d+):(\d+): error\[([A-Z]\d{{3}})\]", err,
                       re.MULTILINE)
    # One per mistake, in file order, each on its own line (lines 6 to 10).
    assert [(int(line), c) for line, _, c in heads] == [
        (6, "S002"), (7, "S004"), (8, "S004"), (9, "S005"), (10, "E001")]
    assert err.count("  = help: ") == 4  # all but `filters: true` have a suggestion
    assert "did you mean `kernel_size`?" in err and "did you mean `width`?" in err
    assert err.rstrip().endswith("5 errors")
    assert "Traceback" not in err and out == ""


def test_a_misspelt_block_parameter_is_one_mistake() -> None:
    # `filter: 8` for the parameter `filters` is reported as the unknown parameter only, with
    # the suggestion; "needs the parameter `filters`" would describe the same typo twice.
    text = spec("blocks:", "  stem:", "    params: [filters]", "    layers:",
                "      - conv2d: {filters: $filters, kernel_size: 3}",
                "layers:", "  - stem: {filter: 8}")
    with pytest.raises(SpecError) as caught:
        compile_text(text, "spec.yaml")
    (only,) = caught.value.diagnostics
    assert render(only, text).splitlines()[0] == (
        "spec.yaml:10:12: error[S002]: block `stem` has no parameter `filter`")
    assert only.help == "did you mean `filters`?"


@pytest.mark.parametrize(("inputs", "first_line", "help"), [
    ("[a, input]", "spec.yaml:6:50: error[S004]: this layer reads one input; received 2",
     "merge them first with `concat`, `add` or `multiply`"),
    ("[]", "spec.yaml:6:50: error[S004]: this layer reads one input; received 0",
     "name one layer, or drop `inputs` to read the previous one"),
])
def test_a_single_input_layer_given_a_list(inputs: str, first_line: str, help: str) -> None:
    # Only merges read several layers; this used to end in an internal error (exit code 4).
    text = spec("layers:", "  - conv2d: {name: a, filters: 4, kernel_size: 1}",
                f"  - conv2d: {{filters: 4, kernel_size: 1, inputs: {inputs}}}")
    with pytest.raises(SpecError) as caught:
        compile_text(text, "spec.yaml")
    (only,) = caught.value.diagnostics
    assert render(only, text).splitlines()[0] == first_line
    assert only.help == help


def test_c013_is_decided_before_any_variant_compiles(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # 3 variants of 8,001 layers each (the input and 8,000 dense): 24,003 together, past the
    # layer cap of 20,000 that bounds one command's run.
    path = tmp_path / "spec.yaml"
    path.write_text(spec("variables: {w: 8}", "variants:", "  small: {w: 4}",
                         "  medium: {w: 8}", "  large: {w: 16}", "layers:",
                         "  - repeat: {times: 8000, layers: [dense: {units: $w}]}"),
                    encoding="utf-8")
    assert main(["summary", "--all-variants", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[0] == (
        f"{path}:5:1: error[C013]: this command compiles every variant: the 3 variants expand "
        "to at least 24,003 layers together (by `large`); the cap is 20,000")
    assert "  = help: compile one variant at a time with --variant, or raise the cap with " \
        "--max-layers" in err
    # One variant at a time is fine.
    assert main(["summary", "--variant", "large", str(path)]) == 0
