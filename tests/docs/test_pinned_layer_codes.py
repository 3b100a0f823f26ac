"""The diagnostics of the layer types added for the modern families (issue 12), each pinned
by a small spec: the exact first rendered line and the help, as tests/docs/test_pinned_codes.py
pins the core codes (the catalogue, docs/diagnostics.md, shows the same texts)."""

from __future__ import annotations

import pytest

from archc.diagnostics import SpecError, render
from archc.pipeline import compile_text

HEAD = "archc: 1\nname: demo\ninput: [32, 32, 3]\nlayers:\n"

# (code, the layer items after HEAD, first rendered line, help)
CASES = [
    ("S010", "  - squeeze_excitation: {ratio: 4, units: 24}",
     "spec.yaml:5:5: error[S010]: give `ratio` or `units`, not both",
     "`units` is the squeeze width itself; `ratio` computes it as C // ratio"),
    ("G012", "  - cropping2d: {cropping: [16, 0]}",
     "spec.yaml:5:5: error[G012]: `cropping2d` removes 32 rows and 0 columns, but its input "
     "is 32x32x3",
     "crop fewer than 32 rows and 32 columns"),
    ("G013", "  - rescaling: {scale: [0.5, 0.5]}",
     "spec.yaml:5:5: error[G013]: `scale` of `rescaling` has 2 values, but its input "
     "32x32x3 has 3 channels",
     "give one number for all channels, or a list of 3"),
    ("G014", "  - global_avg_pool2d: {}\n  - reshape: {shape: [1, 1, 1000]}",
     "spec.yaml:6:5: error[G014]: cannot reshape 3 (3 values) to [1, 1, 1000] (1,000 values)",
     "the entries must multiply to the input's size; one may be -1"),
    ("G019", "  - channel_slice: {start: 2, stop: 4}",
     "spec.yaml:5:5: error[G019]: `channel_slice` takes channels 2 to 4 (excluded), but its "
     "input is 32x32x3 (3 channels)",
     "`start` < `stop` <= 3; channels count from 0 and `stop` is excluded, as in Python's "
     "x[start:stop]"),
    ("G020", "  - channel_slice: {start: 0, stop: 2}\n  - dfl: {bins: 16}",
     "spec.yaml:6:5: error[G020]: `dfl` reads H x W x 64 box maps (4 sides x 16 bins); "
     "received 32x32x2",
     "give it the box branch of each level, 64 channels (`channel_slice` them off a map that "
     "holds more), or set `bins`"),
]


@pytest.mark.parametrize(("code", "items", "first_line", "help"), CASES,
                         ids=[c[0] for c in CASES])
def test_pinned_text(code: str, items: str, first_line: str, help: str | None) -> None:
    text = HEAD + items + "\n"
    with pytest.raises(SpecError) as caught:
        compile_text(text, "spec.yaml")
    (only,) = caught.value.diagnostics
    assert only.code == code
    rendered = render(only, text).splitlines()
    assert rendered[0] == first_line
    assert only.help == help
