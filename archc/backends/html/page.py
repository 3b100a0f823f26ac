"""One self-contained HTML file: the page skeleton, its style and script, and the data.

The page needs nothing but itself: no network, no server, no library. Its script and style
are archc's own files (`assets/`), inlined. The data goes in a
`<script type="application/json">` block that the browser never executes; `embed_json`
escapes every character that could end that block or be read as markup, so a hostile name
in a spec stays text. A Content-Security-Policy allows exactly the inlined script and style
(by hash) and no connection of any kind, so even a bug in the escaping could neither run
injected script nor fetch anything.
"""

from __future__ import annotations

import base64
import hashlib
import json
from importlib import resources
from typing import Any

ASSETS = ("layout.js", "report.js")
STYLE = "report.css"
FORMAT_VERSION = 1
"""Version of the embedded JSON (docs/report.md); keys are only ever added."""

_SKELETON = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="archc report">
<title>archc report</title>
<style>{style}</style>
</head>
<body>
<header>
<div class="top">
<h1 id="title">archc report</h1>
<select id="model" title="network (spec and variant)"></select>
<select id="depth" title="expand every block to this depth"></select>
<input id="search" type="search" placeholder="search layers ( / )" autocomplete="off">
<span id="search-count"></span>
</div>
<div id="totals"></div>
</header>
<main>
<div id="diagram">
<svg id="svg" xmlns="http://www.w3.org/2000/svg"><defs><marker id="arrow" viewBox="0 0 8 8" \
refX="8" refY="4" markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" \
orient="auto">\
<path d="M0,0 L8,4 L0,8 z"/></marker></defs><g id="world"></g></svg>
<div class="controls"><button id="zoom-out" title="zoom out">&#8722;</button>\
<span id="zoom-level"></span><button id="zoom-in" title="zoom in">+</button>\
<button id="zoom-fit" title="show everything">fit</button></div>
<div id="tip" hidden></div>
<noscript><p>This report needs JavaScript (it runs locally; it loads nothing).</p></noscript>
</div>
<aside>
<div id="details"></div>
<details id="findings" open><summary>Lint findings (<span id="findings-count"></span>)</summary>
<ul id="findings-list"></ul></details>
<div id="table-wrap"><table>
<thead><tr><th>Layer</th><th id="table-type">Type</th><th>Output</th><th class="r">Params</th>\
<th class="r">MACs</th></tr></thead>
<tbody id="table-body"></tbody>
</table></div>
</aside>
</main>
<script type="application/json" id="archc-data">{data}</script>
<script>{script}</script>
</body>
</html>
"""


def embed_json(data: Any) -> str:
    """JSON that is safe inside `<script type="application/json">`.

    ASCII only (so U+2028, U+2029 and every control character are `\\u` escapes), and `<`,
    `>` and `&` escaped too: the text can neither close the element (`</script>`), nor open
    a comment (`<!--`), nor be read as an entity. `JSON.parse` gives back the same values.
    """
    text = json.dumps(data, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _asset(name: str) -> str:
    return resources.files("archc.backends.html").joinpath("assets", name).read_text("utf-8")


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() \
        + "'"


def render_page(models: list[dict[str, Any]], depth: int | None = None, initial: int = 0) -> str:
    """The whole HTML file for `models` (each from `model_data`); `models[initial]` shows
    first, with blocks `depth` or more levels deep collapsed (None: all expanded)."""
    script = "\n".join(_asset(name) for name in ASSETS)
    style = _asset(STYLE)
    csp = (f"default-src 'none'; script-src {_hash(script)}; style-src {_hash(style)}; "
           "connect-src 'none'; form-action 'none'; "
           "base-uri 'none'")
    data = {"archc_report": FORMAT_VERSION, "depth": depth, "initial": initial,
            "models": models}
    return _SKELETON.format(csp=csp, style=style, data=embed_json(data), script=script)
