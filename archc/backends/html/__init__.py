"""The HTML backend: `archc report`, one offline page to explore a network in a browser.

`data` turns an analysis (and its lint findings) into plain JSON-ready values; `page`
inlines them with archc's own script and style into one file. The layout of the diagram
runs in the page (`assets/layout.js`), so blocks expand and collapse without archc; no
Graphviz, no network and no TensorFlow are involved.
"""

from __future__ import annotations

from archc.backends.html.data import model_data
from archc.backends.html.page import FORMAT_VERSION, embed_json, render_page

__all__ = ["FORMAT_VERSION", "embed_json", "model_data", "render_page"]
