"""`archc report` pages in a real browser: headless Chromium, driven over the DevTools
protocol (bench/chromium.py, standard library only), each page opened from a file:// URL.

The figures a person reads on hover are compared with `archc summary --format json`; blocks
are expanded and collapsed with real mouse clicks; every test ends by checking that the page
logged no error and requested nothing but its own file. Skips (with the reason) when no
Chromium is installed; CI installs Debian's `chromium` (.ci/run).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from html_helpers import SPECS, embedded_data, summary_json, write_report

from bench.chromium import WAIT_TIMEOUT, BrowserError, Chromium, WaitTimeout, find_chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]

EXECUTABLE = find_chromium()


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


# Where a pointer may go on the element matched by SELECTOR: its centre, once the element is
# still and on top there. Still: its box is the same across two animation frames (the view's
# transform is applied in a requestAnimationFrame, so a box read before that frame is where
# the element was, not where the pointer will land). On top: the point hits it or something
# inside it. `point` is null until then; the rest says why.
_POINTER_TARGET = """new Promise(done => {
  const e = document.querySelector(SELECTOR);
  if (!e) { done({point: null, found: false}); return; }
  const box = () => { const r = e.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; };
  const before = box();
  requestAnimationFrame(() => requestAnimationFrame(() => {
    const now = box(), x = now[0] + now[2] / 2, y = now[1] + now[3] / 2;
    const hit = document.elementFromPoint(x, y);
    const still = now.every((v, i) => v === before[i]) && now[2] > 0 && now[3] > 0;
    const ok = still && e.isConnected && hit !== null && e.contains(hit);
    done({point: ok ? [x, y] : null, before: before, box: now,
          hit: hit ? hit.outerHTML.slice(0, 120) : null});
  }));
})"""


class Page:
    """One opened report: the browser, the file and its embedded data.

    Every interaction is followed by `wait_until` the page shows its effect before anything
    is asserted, and pointer events go to an element only once it stands still: input
    events and the view's requestAnimationFrame redraw are handled when the page gets to
    them, which on a loaded machine can be after the protocol call returned.
    """

    def __init__(self, browser: Chromium, path: Path) -> None:
        self.b = browser
        self.path = path
        self.url = path.resolve().as_uri()
        self.data = embedded_data(path.read_text("utf-8"))
        browser.events.clear()
        browser.open(self.url)

    @property
    def model(self) -> dict[str, Any]:
        shown = self.b.evaluate("document.getElementById('model').value") or "0"
        model: dict[str, Any] = self.data["models"][int(shown)]
        return model

    def js(self, expression: str) -> Any:
        return self.b.evaluate(expression)

    def wait_until(self, expression: str, until: Callable[[Any], bool] = bool) -> Any:
        """Poll until `until(value)`; the value, or a failure naming the last one seen."""
        try:
            return self.b.wait_until(expression, until, timeout=WAIT_TIMEOUT)
        except WaitTimeout as exc:
            pytest.fail(str(exc))

    def wait_text(self, selector: str, expected: str) -> None:
        """Wait until the element's text is `expected` (the failure shows the text seen)."""
        self.wait_until(f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
                        " return e ? e.textContent : null; })()",
                        lambda shown: shown == expected)

    def wait_count(self, selector: str, expected: int) -> None:
        """Wait until `expected` elements match (the failure shows the count seen)."""
        self.wait_until(f"document.querySelectorAll({json.dumps(selector)}).length",
                        lambda n: n == expected)

    def settle(self) -> None:
        """Wait until the view changes made so far are painted (two animation frames)."""
        self.js("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")

    def show(self, name: str) -> None:
        """Select a layer (the page centres it, in its next animation frame)."""
        assert self.js(f"archcReport.select({json.dumps(name)})") >= 0

    def point_on(self, selector: str) -> tuple[float, float]:
        """The centre of an element once it stands still and is what a pointer there hits."""
        found = self.wait_until(_POINTER_TARGET.replace("SELECTOR", json.dumps(selector)),
                                lambda v: v["point"] is not None)
        return float(found["point"][0]), float(found["point"][1])

    def click_on(self, selector: str) -> None:
        self.b.click(*self.point_on(selector))

    def hover_on(self, selector: str) -> None:
        self.b.mouse("mouseMoved", *self.point_on(selector))

    def node(self, name: str) -> int:
        return next(i for i, n in enumerate(self.model["nodes"]) if n["name"] == name)

    def scope(self, path: str) -> int:
        return next(i for i, s in enumerate(self.model["scopes"]) if s["path"] == path)

    def count(self, selector: str) -> int:
        return int(self.js(f"document.querySelectorAll({json.dumps(selector)}).length"))

    def text(self, selector: str) -> str:
        value = self.js(f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
                        " return e ? e.textContent : null; })()")
        assert value is not None, f"nothing matches {selector}"
        return str(value)

    def tip_for(self, title: str) -> None:
        """Wait until the tooltip is shown, for `title` (a layer's name or a block's path)."""
        self.wait_until("(() => { const t = document.getElementById('tip'),"
                        " h = t.querySelector('h3');"
                        " return {hidden: t.hidden, title: h ? h.textContent : null}; })()",
                        lambda tip: tip == {"hidden": False, "title": title})

    def assert_clean(self) -> None:
        """No error logged, no dialog opened, nothing requested but the file itself.

        Two animation frames first (work the page deferred has run, and what it logged is
        sent before the answer), then a window for what reaches the browser process
        (network requests, log entries) later.
        """
        self.settle()
        self.b.pump(0.5)
        assert self.b.console_errors() == []
        assert [e for e in self.b.events if e["method"] == "Page.javascriptDialogOpening"] == []
        assert set(self.b.requests()) == {self.url}


def _figures(layer: dict[str, Any]) -> dict[str, str]:
    """What the tooltip must say, formatted by Python from the summary JSON."""
    return {"params": f"{layer['params']:,}", "macs": f"{layer['macs']:,}",
            "output_shape": "x".join(str(d) for d in layer["output_shape"])}


def _hover_and_read(page: Page, name: str) -> dict[str, str]:
    index = page.node(name)
    page.show(name)
    page.hover_on(f'#world g.node[data-node="{index}"]')
    page.tip_for(name)
    keys = ("params", "macs", "output_shape", "input_shapes", "type", "span")
    return {k: page.text(f'#tip [data-key="{k}"]') for k in keys}


# -- the tests --------------------------------------------------------------------------------


def test_hovering_a_layer_shows_the_summary_figures_and_spec_line(
        chromium: Chromium, tmp_path: Path) -> None:
    page = Page(chromium, write_report(tmp_path, str(SPECS / "googlenet.yaml")))
    summary = {layer["name"]: layer for layer in summary_json(
        "googlenet.yaml", page.model["variant"])["layers"]}
    for name in ("conv1", "inception_3a/branches/branch3/conv5x5",
                 "inception_5b/branches/concat", "predictions"):
        shown = _hover_and_read(page, name)
        expected = _figures(summary[name])
        assert {k: shown[k] for k in expected} == expected
        assert shown["type"] == summary[name]["type"]
        node = page.model["nodes"][page.node(name)]
        ins = [page.model["nodes"][i]["layer"]["output_shape"] for i in node["inputs"]]
        assert shown["input_shapes"] == ", ".join("x".join(map(str, s)) for s in ins)
        line, col = node["span"]
        assert shown["span"] == f"{page.model['spec']}:{line}:{col}"
        source = (SPECS / "googlenet.yaml").read_text("utf-8").splitlines()[line - 1]
        assert page.text('#tip [data-key="source"]') == source.rstrip()
    page.b.mouse("mouseMoved", 2, 2)  # off the diagram: the tooltip goes away
    page.wait_until("document.getElementById('tip').hidden", lambda hidden: hidden is True)
    page.assert_clean()


def test_a_block_expands_and_collapses_in_place_with_clicks(chromium: Chromium,
                                                            tmp_path: Path) -> None:
    page = Page(chromium, write_report(tmp_path, str(SPECS / "googlenet.yaml"), "--depth", "1"))
    inside = [n for n in page.model["nodes"] if n["name"].startswith("inception_3a/")]
    s = page.scope("inception_3a")
    top_level = sum(1 for n in page.model["nodes"] if n["scope"] < 0)
    assert page.count("#world g.node[data-node]") == top_level
    assert page.count(f'#world g.collapsed[data-scope="{s}"]') == 1
    page.show("pool2")  # bring the block into view
    page.click_on(f'#world g.collapsed[data-scope="{s}"] .toggle')
    page.wait_count(f'#world g.frame[data-scope="{s}"]', 1)
    assert page.count(f'#world g.collapsed[data-scope="{s}"]') == 0
    assert page.count("#world g.node[data-node]") == top_level + len(inside)
    # the table follows: the block's rows are shown now
    hidden = page.js(f'document.querySelector(\'tr[data-node="{page.node(inside[0]["name"])}"]\')'
                     ".hidden")
    assert hidden is False
    page.click_on(f'#world g.frame[data-scope="{s}"] .toggle')
    page.wait_count(f'#world g.collapsed[data-scope="{s}"]', 1)
    assert page.count("#world g.node[data-node]") == top_level
    # the block's figures on hover are its subtotal from the summary JSON
    block = next(b for b in summary_json("googlenet.yaml", page.model["variant"])["blocks"]
                 if b["name"] == "inception_3a")
    page.hover_on(f'#world g.collapsed[data-scope="{s}"]')
    page.tip_for("inception_3a")
    assert page.text('#tip [data-key="block.params"]') == f"{block['params']:,}"
    assert page.text('#tip [data-key="block.macs"]') == f"{block['macs']:,}"
    page.assert_clean()


def test_selection_is_synced_between_table_and_diagram(chromium: Chromium,
                                                       tmp_path: Path) -> None:
    page = Page(chromium, write_report(tmp_path, str(SPECS / "resnet.yaml"), "--variant",
                                       "resnet50"))
    # table -> diagram
    target = page.node("conv2/block2/residual_1/conv2d_2")
    row = f'document.querySelector(\'tr[data-node="{target}"]\')'
    page.js(row + '.scrollIntoView({block: "center"})')
    page.click_on(f'tr[data-node="{target}"] td.name')
    page.wait_count(f'#world g.node.sel[data-node="{target}"]', 1)
    assert page.text("#details h3") == "conv2/block2/residual_1/conv2d_2"
    # diagram -> table: clicks on boxes on screen (the view is centred on the target now)
    page.js(f'document.querySelector(\'tr[data-node="{target}"]\').classList.remove("sel")')
    page.click_on(f'#world g.node[data-node="{target}"]')
    page.wait_count(f'tr.sel[data-node="{target}"]', 1)
    # ... and the row of another box is scrolled into view when that box is clicked
    other = page.node("conv2/block2/residual_1/add")
    visible = (f'(() => {{ const r = document.querySelector(\'tr[data-node="{other}"]\')'
               ".getBoundingClientRect(), w = document.getElementById('table-wrap')"
               ".getBoundingClientRect(); return r.top >= w.top && r.bottom <= w.bottom; })()")
    page.js("(w => { w.scrollTop = w.scrollHeight; })(document.getElementById('table-wrap'))")
    assert page.js(visible) is False
    page.click_on(f'#world g.node[data-node="{other}"]')
    page.wait_count(f'tr.sel[data-node="{other}"]', 1)
    assert page.count(f'tr.sel[data-node="{target}"]') == 0
    assert page.js(visible) is True
    page.assert_clean()


def test_search_finds_layers_by_name_and_enter_goes_to_them(chromium: Chromium,
                                                             tmp_path: Path) -> None:
    page = Page(chromium, write_report(tmp_path, str(SPECS / "googlenet.yaml"), "--depth", "1"))
    expected = [i for i, n in enumerate(page.model["nodes"]) if "conv5x5" in n["name"]]
    page.js("document.getElementById('search').focus()")
    page.b.send("Input.insertText", {"text": "Conv5x5"})  # case does not matter
    page.wait_text("#search-count", f"{len(expected)} matches")
    rows = page.js("Array.from(document.querySelectorAll('tr[data-node]'))"
                   ".filter(r => !r.hidden).map(r => Number(r.dataset.node))")
    assert rows == expected
    # collapsed at depth 1: each match is marked on the block that holds it
    assert page.count("#world .collapsed.match") == len(expected)
    for key in ("keyDown", "keyUp"):
        page.b.send("Input.dispatchKeyEvent", {"type": key, "key": "Enter", "code": "Enter",
                                               "windowsVirtualKeyCode": 13,
                                               **({"text": "\r"} if key == "keyDown" else {})})
    first = expected[0]
    page.wait_count(f'#world g.node.sel[data-node="{first}"]', 1)  # its block opened
    assert page.text("#search-count") == f"1 of {len(expected)}"
    page.assert_clean()


def test_lint_findings_are_listed_and_lead_to_their_node(chromium: Chromium,
                                                         tmp_path: Path) -> None:
    page = Page(chromium, write_report(tmp_path, str(SPECS / "googlenet.yaml")))
    findings = page.model["findings"]
    assert page.text("#findings-count") == str(len(findings))
    assert page.count("#findings-list li") == len(findings)
    flagged = {i for f in findings for i in f["nodes"]}
    assert page.count("#world g.node.flagged") == len(flagged)
    k = next(k for k, f in enumerate(findings) if f["code"] == "L001")
    page.click_on(f'#findings-list li[data-finding="{k}"]')
    node = findings[k]["nodes"][0]
    page.wait_count(f'#world g.node.sel[data-node="{node}"]', 1)
    assert findings[k]["message"] in page.text("#details")
    page.assert_clean()


def test_the_variant_switch_shows_each_variants_totals(chromium: Chromium,
                                                       tmp_path: Path) -> None:
    page = Page(chromium, write_report(tmp_path, str(SPECS / "resnet.yaml")))
    assert page.text("#title") == "resnet [resnet50]"
    for k, model in enumerate(page.data["models"]):
        page.js(f"(() => {{ const s = document.getElementById('model'); s.value = '{k}';"
                " s.dispatchEvent(new Event('change')); })()")
        summary = summary_json("resnet.yaml", model["variant"])
        assert page.text("#title") == f"resnet [{model['variant']}]"
        for key in ("total_params", "trainable_params", "total_macs"):
            assert page.text(f'#totals [data-key="{key}"]') == f"{summary[key]:,}"
        assert page.count("#world g.node[data-node]") == len(model["nodes"])
    page.assert_clean()


def test_pan_and_zoom_follow_the_wheel_and_the_mouse(chromium: Chromium,
                                                     tmp_path: Path) -> None:
    page = Page(chromium, write_report(tmp_path, str(SPECS / "lenet5.yaml")))
    x, y = page.point_on("#diagram")
    before = page.js("archcReport.state().view")
    # Ctrl + wheel (a touchpad's pinch) zooms around the mouse ...
    page.b.mouse("mouseWheel", x, y, deltaX=0, deltaY=-300, modifiers=2)
    zoomed = page.wait_until("archcReport.state().view", lambda view: view != before)
    assert zoomed["k"] > before["k"]
    # ... the wheel alone scrolls: the drawing moves up, the zoom stays.
    page.b.mouse("mouseWheel", x, y, deltaX=0, deltaY=100)
    after = page.wait_until("archcReport.state().view", lambda view: view != zoomed)
    assert (after["k"], after["x"], round(zoomed["y"] - after["y"])) == \
        (zoomed["k"], zoomed["x"], 100)
    page.b.mouse("mouseMoved", x, y)
    page.b.mouse("mousePressed", x, y, button="left", clickCount=1)
    page.b.mouse("mouseMoved", x + 120, y + 40, button="left", buttons=1)
    page.b.mouse("mouseReleased", x + 120, y + 40, button="left", clickCount=1)
    page.wait_until("document.getElementById('diagram').dataset.dragged",
                    lambda dragged: dragged == "1")  # the release was handled
    moved = page.js("archcReport.state().view")
    assert (round(moved["x"] - after["x"]), round(moved["y"] - after["y"])) == (120, 40)
    page.assert_clean()


@pytest.mark.parametrize(("spec", "variant"), [("googlenet.yaml", "with_aux"),
                                               ("resnet.yaml", "resnet50"),
                                               ("se_resnet50.yaml", None),
                                               ("xception.yaml", None),
                                               ("lenet5.yaml", None)])
def test_the_layout_never_overlaps_boxes_and_frames_hold_their_contents(
        chromium: Chromium, tmp_path: Path, spec: str, variant: str | None) -> None:
    args = [str(SPECS / spec)] + (["--variant", variant] if variant else [])
    page = Page(chromium, write_report(tmp_path, *args))
    model = page.model
    n = len(model["nodes"])
    for depth in (None, 1, 2):
        page.js(f"archcReport.setDepth({json.dumps(depth)})")
        state = page.js("archcReport.state()")
        boxes = {int(k): v for k, v in state["boxes"].items()}
        leaves = [(k, b) for k, b in boxes.items() if not b["frame"]]
        expected = sum(1 for i in range(n) if not _hidden(model, i, state["collapsed"])) + \
            len(model["outputs"])
        assert sum(1 for k, _ in leaves if k >= 0) == expected
        leaves.sort(key=lambda kb: kb[1]["y"])
        for i, (ka, a) in enumerate(leaves):  # sorted by y: only close neighbours can touch
            for kb, b in leaves[i + 1:]:
                if b["y"] >= a["y"] + a["h"]:
                    break
                assert a["x"] + a["w"] <= b["x"] or b["x"] + b["w"] <= a["x"], (ka, kb)
        for k, b in boxes.items():
            parent = _parent(model, k, n)
            while parent >= 0:
                frame = boxes[-(parent + 1)]
                assert frame["frame"]
                assert frame["x"] <= b["x"] and b["x"] + b["w"] <= frame["x"] + frame["w"]
                assert frame["y"] <= b["y"] and b["y"] + b["h"] <= frame["y"] + frame["h"]
                parent = model["scopes"][parent]["parent"]
    page.assert_clean()


def _parent(model: dict[str, Any], item: int, n: int) -> int:
    if item >= n:
        return -1
    if item >= 0:
        return int(model["nodes"][item]["scope"])
    return int(model["scopes"][-item - 1]["parent"])


def _hidden(model: dict[str, Any], i: int, collapsed: list[int]) -> bool:
    s = model["nodes"][i]["scope"]
    while s >= 0:
        if collapsed[s]:
            return True
        s = model["scopes"][s]["parent"]
    return False


def test_a_field_added_to_the_layer_json_shows_in_the_panel(
        chromium: Chromium, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from archc.backends.html import data as data_module

    original = data_module.report_dict

    def with_extra(report: Any) -> dict[str, Any]:
        result = original(report)
        for layer in result["layers"]:
            layer["receptive_field"] = [len(layer["name"]), 1]
        return result

    monkeypatch.setattr(data_module, "report_dict", with_extra)
    page = Page(chromium, write_report(tmp_path, str(SPECS / "lenet5.yaml")))
    name = page.model["nodes"][1]["name"]
    page.show(name)
    shown = page.js("Array.from(document.querySelectorAll("
                    "'#details [data-key=\"layer.receptive_field\"]')).map(e => e.textContent)")
    assert shown == [f"{len(name)}, 1"] * 2  # with the figures, and under "all fields"
    index = page.node(name)
    page.hover_on(f'#world g.node[data-node="{index}"]')
    page.tip_for(name)
    assert page.text('#tip [data-key="layer.receptive_field"]') == f"{len(name)}, 1"
    page.assert_clean()


def test_the_receptive_field_is_shown_as_the_summary_prints_it(chromium: Chromium,
                                                              tmp_path: Path) -> None:
    page = Page(chromium, write_report(tmp_path, str(SPECS / "lenet5.yaml")))
    # c5: 16 + 4 x 4 = 32 at jump 4, centred on 15.5: the whole 32x32 input
    page.show("c5")
    assert page.text('#details [data-key="layer.receptive_field"]') == \
        "32x32 /4 (first unit centred at input pixel 15.5, 15.5)"
    page.show("flatten_1")
    assert page.text('#details [data-key="layer.receptive_field"]') == "whole input"
    page.assert_clean()


def test_hostile_text_in_a_spec_is_shown_as_text(chromium: Chromium, tmp_path: Path) -> None:
    spec = tmp_path / "hostile.yaml"
    payload = "</script><script>alert(1)</script><img src=x onerror=alert(2)>"
    spec.write_text("archc: 1\nname: hostile\ninput: [8, 8, 1]\nlayers:\n"
                    f"  - conv2d: {{filters: 2, kernel_size: 3}}  # {payload}\n"
                    "  - flatten\n  - dense: {units: 2}\n", encoding="utf-8")
    page = Page(chromium, write_report(tmp_path, str(spec)))
    page.js("archcReport.select('conv2d_1')")
    assert page.text('#details [data-key="source"]').endswith(f"# {payload}")
    assert page.count("img") == 0 and page.count("script") == 2
    page.assert_clean()


def test_control_characters_in_a_name_are_shown_escaped(chromium: Chromium,
                                                        tmp_path: Path) -> None:
    spec = tmp_path / "control.yaml"
    spec.write_text('archc: 1\nname: "evil\\e[31m\\x07 </script>"\ninput: [8, 8, 1]\n'
                    "layers:\n  - flatten\n  - dense: {units: 2}\n", encoding="utf-8")
    page = Page(chromium, write_report(tmp_path, str(spec)))
    assert page.model["name"] == "evil\x1b[31m\x07 </script>"
    assert page.text("#title") == "evil\\x1b[31m\\x07 </script>"
    assert page.js("document.title") == "evil\\x1b[31m\\x07 </script> - archc report"
    page.assert_clean()


# "fit"'s smallest zoom (report.js READABLE): the 12 px names are legible at 70%.
READABLE = 0.7


def test_fit_keeps_a_tall_drawing_readable_and_the_wheel_scrolls_it(chromium: Chromium,
                                                                   tmp_path: Path) -> None:
    page = Page(chromium, write_report(tmp_path, str(SPECS / "resnet.yaml"), "--variant",
                                       "resnet152"))
    page.js("archcReport.setDepth(null)")  # all 514 layers open: far taller than the view
    page.js("archcReport.fit()")
    page.settle()
    state = page.js("archcReport.state()")
    view, height = state["view"], page.js("document.getElementById('diagram').clientHeight")
    assert state["height"] * READABLE > 10 * height  # fitting the height would need < 7%
    assert view["k"] >= READABLE and view["y"] == 20  # from the top, at a legible scale
    assert page.text("#zoom-level") == f"{round(view['k'] * 100)}%"
    assert page.js("document.getElementById('diagram').classList.contains('far')") is False
    # The input is on screen, its name drawn as text.
    assert page.count('#world g.node[data-node="0"] text.name') == 1
    x, y = page.point_on("#diagram")
    for _ in range(3):
        before = page.js("archcReport.state().view")
        page.b.mouse("mouseWheel", x, y, deltaX=0, deltaY=400)
        page.wait_until("archcReport.state().view", lambda v, b=before: v != b)
    scrolled = page.js("archcReport.state().view")
    assert scrolled["k"] == view["k"] and round(view["y"] - scrolled["y"]) == 1200
    page.assert_clean()


def test_closing_a_block_moves_the_details_to_it(chromium: Chromium, tmp_path: Path) -> None:
    page = Page(chromium, write_report(tmp_path, str(SPECS / "googlenet.yaml")))
    name = "inception_3a/branches/branch2/conv3x3"
    page.show(name)  # opens the blocks around it
    page.wait_text("#details h3", name)
    s = page.scope("inception_3a")
    page.click_on(f'#world g.frame[data-scope="{s}"] .toggle')
    page.wait_count(f'#world g.collapsed[data-scope="{s}"]', 1)
    # The layer is hidden now: the panel shows the block that holds it, selected.
    page.wait_text("#details h3", "inception_3a")
    assert page.text('#details [data-key="kind"]') == page.model["scopes"][s]["kind"]
    assert page.count(f'#world g.collapsed.sel[data-scope="{s}"]') == 1
    # The depth menu closes blocks too: the selection goes to the outermost closed one.
    page.show(name)
    page.wait_text("#details h3", name)
    page.js("(() => { const d = document.getElementById('depth'); d.value = '1';"
            " d.dispatchEvent(new Event('change')); })()")
    page.wait_text("#details h3", "inception_3a")
    page.assert_clean()


@pytest.mark.parametrize(("spec", "variant"), [("efficientnet.yaml", "b0"),
                                               ("mobilenetv3.yaml", "large"),
                                               ("se_resnet50.yaml", None)])
def test_the_type_column_shows_whole_names(chromium: Chromium, tmp_path: Path, spec: str,
                                           variant: str | None) -> None:
    args = [str(SPECS / spec)] + (["--variant", variant] if variant else [])
    page = Page(chromium, write_report(tmp_path, *args))
    page.js("archcReport.setDepth(null)")  # every row shown
    cells = page.js("Array.from(document.querySelectorAll("
                    "'#table-body tr:not([hidden]) td:nth-child(2)')).map(td => "
                    "[td.textContent, td.scrollWidth, td.clientWidth])")
    types = {t for t, _, _ in cells}
    assert {"depthwise_conv2d", "squeeze_excitation"} & types  # the long ones are there
    assert len(cells) == len(page.model["nodes"]) + len(page.model["scopes"])
    assert [t for t, scroll, client in cells if scroll > client] == []
    page.assert_clean()


def test_a_small_networks_activations_show_in_kib(chromium: Chromium, tmp_path: Path) -> None:
    page = Page(chromium, write_report(tmp_path, str(SPECS / "lenet5.yaml")))
    total = summary_json("lenet5.yaml")["activation_bytes"]
    assert 1024 <= total < 1024**2
    assert page.text('#totals [data-key="activation_bytes"]') == f"{total / 1024:.1f} KiB"
    page.assert_clean()
