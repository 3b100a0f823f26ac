"""The modern families of the zoo reproduce ../shared/reference/numbers.md exactly.

Issue 12's acceptance test: `archc summary SPEC --variant V --format json` equals the
sections "Modern families" and "U-Net" of numbers.md in all four figures. Every number
below is typed from numbers.md; none is read back from archc's output. U-Net's row there
gives params and MACs only: it has no batch norm, so every weight is trainable and the
non-trainable count is 0.
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout

import pytest
from spec_helpers import SPECS

from archc.cli import main

# (spec, variant) -> (input, params, trainable, non-trainable, MACs)
MODERN: dict[tuple[str, str | None], tuple[list[int], int, int, int, int]] = {
    ("inception_resnet_v2", None): (
        [299, 299, 3], 55_873_736, 55_813_192, 60_544, 13_155_794_016),
}


def summary_json(spec: str, variant: str | None) -> dict[str, object]:
    """What the command line prints, parsed: the issue asks for the CLI's figures."""
    args = ["summary", str(SPECS / f"{spec}.yaml"), "--format", "json"]
    if variant is not None:
        args += ["--variant", variant]
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(args)
    assert code == 0
    result: dict[str, object] = json.loads(out.getvalue())
    return result


@pytest.mark.parametrize(("spec", "variant"), sorted(MODERN, key=str),
                         ids=[f"{s}-{v}" if v else s for s, v in sorted(MODERN, key=str)])
def test_modern_family_equals_numbers_md(spec: str, variant: str | None) -> None:
    shape, params, trainable, frozen, macs = MODERN[(spec, variant)]
    assert params == trainable + frozen  # the row's own arithmetic
    report = summary_json(spec, variant)
    assert report["inputs"] == [{"name": "input", "shape": shape}]
    assert (report["total_params"], report["trainable_params"],
            report["non_trainable_params"], report["total_macs"]) == \
        (params, trainable, frozen, macs)


@pytest.mark.parametrize("spec", sorted({s for s, _ in MODERN}))
def test_every_variant_of_a_modern_family_is_checked(spec: str) -> None:
    from archc.pipeline import compile_file

    header = compile_file(str(SPECS / f"{spec}.yaml")).header
    assert header is not None
    declared: set[str | None] = set(header.variants) or {None}
    assert declared == {v for s, v in MODERN if s == spec}
