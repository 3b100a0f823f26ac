"""One row per variant of a spec: `archc summary SPEC --all-variants`.

For specs/resnet.yaml this is the cost half of ResNet's Table 1 (18 to 152 layers). Params,
trainable params and MACs come from each variant's `Analysis`; FLOPs are labelled as 2 x MACs.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass

from archc.backends.table import text_table
from archc.diagnostics import visible
from archc.passes.analysis import Analysis


@dataclass(frozen=True)
class VariantRow:
    variant: str
    params: int
    trainable: int
    macs: int
    activation_bytes: int

    @property
    def flops(self) -> int:
        return 2 * self.macs


def variant_rows(analyses: Sequence[tuple[str, Analysis]]) -> list[VariantRow]:
    return [VariantRow(name, a.total.params, a.total.trainable, a.total.macs,
                       a.activation_bytes) for name, a in analyses]


_HEADER = ("Variant", "Params", "Trainable", "MACs", "FLOPs (2 x MACs)", "Activations (MiB)")


def _cells(r: VariantRow) -> tuple[str, ...]:
    return (r.variant, f"{r.params:,}", f"{r.trainable:,}", f"{r.macs:,}", f"{r.flops:,}",
            f"{r.activation_bytes / 1024**2:,.1f}")


def render_table(title: str, rows: Sequence[VariantRow]) -> str:
    table = text_table(_HEADER, [_cells(r) for r in rows], right=range(1, len(_HEADER)))
    return "\n".join([visible(title), table.rule, table.header, table.rule, *table.rows,
                      table.rule]) + "\n"


def render_markdown(title: str, rows: Sequence[VariantRow]) -> str:
    lines = [f"### {visible(title)}", "", "| " + " | ".join(_HEADER) + " |",
             "|---|" + "---:|" * (len(_HEADER) - 1)]
    lines += ["| " + " | ".join(_cells(r)) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def render_json(title: str, rows: Sequence[VariantRow]) -> str:
    data = {"name": title, "variants": [
        {"variant": r.variant, "params": r.params, "trainable_params": r.trainable,
         "macs": r.macs, "flops": r.flops, "activation_bytes": r.activation_bytes}
        for r in rows]}
    return json.dumps(data, indent=2) + "\n"


def render_csv(title: str, rows: Sequence[VariantRow]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["variant", "params", "trainable_params", "macs", "flops",
                     "activation_bytes"])
    for r in rows:
        writer.writerow([r.variant, r.params, r.trainable, r.macs, r.flops, r.activation_bytes])
    return buf.getvalue()


RENDERERS = {"table": render_table, "markdown": render_markdown, "json": render_json,
             "csv": render_csv}
