"""The summary table as HTML, for notebooks (`Summary._repr_html_`; not `archc report`).

Formatting only, like the other renderers in `summary.py`: every figure comes from the
`Report`. Every piece of text that a spec can choose (its name, layer and block names) goes
through `html.escape`, so a hostile spec cannot inject markup or script into a notebook.
"""

from __future__ import annotations

from html import escape

from archc.backends.summary import Report, Row, field_notes, totals
from archc.ir.printer import format_shape
from archc.passes.receptive import format_field

_STYLE = "text-align: right"


def render_html(report: Report) -> str:
    """A self-contained `<div>`: a captioned table of rows, then the totals."""
    title = escape(report.name) + (f" [{escape(report.variant)}]" if report.variant else "")
    out = ['<div class="archc-summary">',
           '<table>',
           f"<caption><b>{title}</b></caption>",
           "<thead><tr><th>Layer</th><th>Type</th><th>Output shape</th>"
           f'<th style="{_STYLE}">Params</th><th style="{_STYLE}">MACs</th><th>Field</th>'
           "</tr></thead>",
           "<tbody>"]
    out.extend(_row(r) for r in report.rows)
    out.append("</tbody></table>")
    out.append("<table><tbody>")
    out.extend(f"<tr><th>{escape(label)}</th><td>{escape(value)}</td></tr>"
               for label, value in totals(report))
    out.extend(f"<tr><th>Field note</th><td>{escape(name)}: {escape(note)}</td></tr>"
               for name, note in field_notes(report))
    out.append("</tbody></table></div>")
    return "\n".join(out) + "\n"


def _row(r: Row) -> str:
    name = escape(r.name) + ("/" if r.is_block else "")
    if r.is_block:
        name = f"<b>{name}</b>"
    pad = f' style="padding-left: {0.5 + 1.5 * r.depth:g}em"'
    kind = escape(r.type) + (" (collapsed)" if r.collapsed else "")
    field = format_field(r.field) if r.field is not None else ""
    return (f"<tr><td{pad}>{name}</td><td>{kind}</td><td>{format_shape(r.output_shape)}</td>"
            f'<td style="{_STYLE}">{r.cost.params:,}</td>'
            f'<td style="{_STYLE}">{r.cost.macs:,}</td><td>{escape(field)}</td></tr>')
