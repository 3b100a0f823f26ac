"""No edge of an `archc report` diagram passes through a box it does not start or end at.

GoogLeNet's branch1 `conv1x1 -> concat` once ran behind branch2's `conv3x3` in every
Inception module, and read as if conv1x1 fed conv3x3. The check is geometric and runs on
what the browser drew: every edge's SVG path is sampled every 2 units of its length
(`getPointAtLength`, curves included) and no sample may fall inside a layer's or a closed
block's rectangle (1 unit of margin: an arrow touching a box's edge is not through it),
other than the edge's own two ends. Every zoo spec, fully expanded and at depths 1 to 3.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from html_helpers import SPECS, write_report

from bench.chromium import BrowserError, Chromium, find_chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]

EXECUTABLE = find_chromium()

# Boxes are bucketed by 40-unit bands of y so that each sample is tested against its
# neighbours only (ResNet-1001 has thousands of edges).
THROUGH_BOXES = """(() => {
  const st = archcReport.state(), boxes = st.boxes, bad = [];
  const leaves = Object.keys(boxes).map(Number).filter(k => !boxes[k].frame);
  const band = 40, grid = new Map();
  for (const k of leaves) {
    const b = boxes[k];
    for (let y = Math.floor(b.y / band); y <= Math.floor((b.y + b.h) / band); y++) {
      if (!grid.has(y)) grid.set(y, []);
      grid.get(y).push(k);
    }
  }
  const paths = document.querySelectorAll('#world path.edge');
  for (const p of paths) {
    const u = Number(p.getAttribute('data-u')), v = Number(p.getAttribute('data-v'));
    const len = p.getTotalLength();
    let hit = null;
    for (let s = 0; s <= len && hit === null; s += 2) {
      const pt = p.getPointAtLength(s);
      for (const k of grid.get(Math.floor(pt.y / band)) || []) {
        const b = boxes[k];
        if (k !== u && k !== v && pt.x > b.x + 1 && pt.x < b.x + b.w - 1 &&
            pt.y > b.y + 1 && pt.y < b.y + b.h - 1) { hit = k; break; }
      }
    }
    if (hit !== null) bad.push([u, v, hit]);
  }
  return {edges: paths.length, boxes: leaves.length, bad: bad};
})()"""


@pytest.fixture(scope="module")
def chromium() -> Iterator[Chromium]:
    if EXECUTABLE is None:
        pytest.skip("no Chromium found (apt-get install chromium, or set ARCHC_CHROMIUM)")
    try:
        browser = Chromium(EXECUTABLE)
    except (BrowserError, OSError) as exc:
        pytest.skip(f"Chromium at {EXECUTABLE} does not start headless: {exc}")
    yield browser
    browser.close()


def _name(model: dict[str, object], item: int) -> str:
    nodes = model["nodes"]
    scopes = model["scopes"]
    assert isinstance(nodes, list) and isinstance(scopes, list)
    if item >= len(nodes):
        return "output marker"
    return str(nodes[item]["name"] if item >= 0 else scopes[-item - 1]["path"])


CASES = [(p.name, None) for p in sorted(SPECS.glob("*.yaml"))] + [("googlenet.yaml", "with_aux")]


@pytest.mark.parametrize(("spec", "variant"), CASES)
def test_no_edge_passes_through_a_box(chromium: Chromium, tmp_path: Path, spec: str,
                                      variant: str | None) -> None:
    from html_helpers import embedded_data

    args = [str(SPECS / spec)] + (["--variant", variant] if variant else [])
    path = write_report(tmp_path, *args)
    model = embedded_data(path.read_text("utf-8"))["models"][0]
    chromium.open(path.resolve().as_uri())
    for depth in ("null", "1", "2", "3"):
        chromium.evaluate(f"archcReport.setDepth({depth})")
        found = chromium.evaluate(THROUGH_BOXES)
        assert found["edges"] > 0 and found["boxes"] > 1
        through = [f"{_name(model, u)} -> {_name(model, v)} through {_name(model, k)}"
                   for u, v, k in found["bad"]]
        assert through == [], f"depth {depth}"
    assert chromium.console_errors() == []


def test_the_check_sees_an_edge_through_a_box(chromium: Chromium, tmp_path: Path) -> None:
    # The check itself: move GoogLeNet's branch2 conv3x3 box of inception_3a under the
    # straight line from branch1's conv1x1 to the concat; the check must report it.
    path = write_report(tmp_path, str(SPECS / "googlenet.yaml"))
    chromium.open(path.resolve().as_uri())
    chromium.evaluate("archcReport.setDepth(null)")
    moved = chromium.evaluate("""(() => {
      const m = archcReport.state();
      const p = document.querySelector('#world path.edge');
      const len = p.getTotalLength(), mid = p.getPointAtLength(len / 2);
      const k = Object.keys(m.boxes).map(Number).find(k => k >= 0 && !m.boxes[k].frame &&
          k != p.getAttribute('data-u') && k != p.getAttribute('data-v'));
      m.boxes[k].x = mid.x - m.boxes[k].w / 2; m.boxes[k].y = mid.y - m.boxes[k].h / 2;
      return k;
    })()""")
    found = chromium.evaluate(THROUGH_BOXES)
    assert [k for _, _, k in found["bad"]] == [moved]
