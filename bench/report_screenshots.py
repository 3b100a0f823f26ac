"""The README's pictures of `archc report`: GoogLeNet and ResNet-50 in headless Chromium.

Each page is written by `archc report`, opened from its file:// URL, brought into a state a
reader would reach by hand (a block opened with a click, a layer hovered or selected), and
captured at 1600x1000. Run ``python -m bench.report_screenshots`` to refresh docs/report-*.png.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import tempfile
from pathlib import Path

from archc.cli import main
from bench.chromium import Chromium, browser

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _centre(b: Chromium, selector: str) -> tuple[float, float]:
    rect = b.evaluate(f"(() => {{ const r = document.querySelector({json.dumps(selector)})"
                      ".getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2];"
                      " })()")
    return rect[0], rect[1]


def _settle(b: Chromium) -> None:
    b.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def _zoom(b: Chromium, delta: float) -> None:
    """Zoom out by a mouse wheel turn at the diagram's centre."""
    x, y = _centre(b, "#diagram")
    b.mouse("mouseWheel", x, y, deltaX=0, deltaY=delta)
    _settle(b)


def _page(tmp: Path, name: str, *args: str) -> str:
    target = tmp / name
    with contextlib.chdir(ROOT), contextlib.redirect_stderr(io.StringIO()):
        assert main(["report", *args, "-o", str(target), "-q"]) == 0
    return target.resolve().as_uri()


def googlenet(b: Chromium, tmp: Path) -> None:
    """Depth 1; inception_3a opened with a click on its `+`; a 5x5 convolution hovered."""
    b.open(_page(tmp, "googlenet.html", "specs/googlenet.yaml", "--depth", "1"))
    b.evaluate("archcReport.select('pool2')")
    _zoom(b, 230)
    scope = b.evaluate("Array.from(document.querySelectorAll('#world g.collapsed'))"
                       ".find(g => g.textContent.startsWith('+inception_3a')).dataset.scope")
    b.click(*_centre(b, f'#world g.collapsed[data-scope="{scope}"] .toggle'))
    node = b.evaluate("Array.from(document.querySelectorAll('#world g.node'))"
                      ".find(g => g.textContent.startsWith('conv5x5')).dataset.node")
    x, y = _centre(b, f'#world g.node[data-node="{node}"] rect')
    b.mouse("mouseMoved", x, y)
    _settle(b)
    b.screenshot(DOCS / "report-googlenet.png")


def resnet50(b: Chromium, tmp: Path) -> None:
    """All five ResNets in one page, ResNet-50 shown at depth 2 (stages open, blocks shut),
    conv3's first block opened with a click, its projection shortcut's `add` selected."""
    b.open(_page(tmp, "resnet.html", "specs/resnet.yaml", "--depth", "2"))
    b.evaluate("archcReport.select('pool1')")
    _settle(b)
    scope = b.evaluate("Array.from(document.querySelectorAll('#world g.collapsed'))"
                       ".find(g => g.textContent.startsWith('+block1') && "
                       "g.textContent.includes('28x28x512')).dataset.scope")
    b.click(*_centre(b, f'#world g.collapsed[data-scope="{scope}"] .toggle'))
    b.evaluate("archcReport.select('conv3/block1/residual_1/add')")
    _zoom(b, 90)
    b.screenshot(DOCS / "report-resnet50.png")


def main_() -> int:
    with tempfile.TemporaryDirectory(prefix="archc-shots-") as tmp, \
            browser(width=1600, height=1000) as b:
        googlenet(b, Path(tmp))
        resnet50(b, Path(tmp))
        errors = b.console_errors()
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 1
    print("wrote docs/report-googlenet.png and docs/report-resnet50.png")
    return 0


if __name__ == "__main__":
    sys.exit(main_())
