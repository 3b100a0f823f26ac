"""Figures the docs quote from `python -m bench.bench_report` are that benchmark's.

docs/benchmarks.md holds the run's table (written by `--write`, with the machine, the
browser and the load average); README.md and docs/report.md quote it between
`<!-- bench_report -->` markers, and the quotes must be what `bench.bench_report.quotes`
makes of that table, so a new run cannot leave an old figure behind.
"""

from __future__ import annotations

from bench import bench_report

from .markdown_blocks import DOCS, ROOT


def _table() -> dict[str, str]:
    lines = (DOCS / "benchmarks.md").read_text("utf-8").splitlines()
    start = lines.index("### `bench/bench_report.py`")
    rows: dict[str, str] = {}
    for line in lines[start + 1:]:
        if line.startswith(("### ", "## ", "---")):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        if line.startswith("| ") and len(cells) == 2 and cells[0] != "measurement":
            rows[cells[0]] = cells[1]
    return rows


def test_the_run_says_where_it_ran() -> None:
    table = _table()
    for key in ("machine", "browser", "load average (1 min) at start",
                "load average (1 min) at the end"):
        assert table.get(key), key
    assert table["opens under 1 s"] == "True" and table["file under 2 MB"] == "True"


def test_quoted_figures_are_the_benchmarks() -> None:
    table = _table()
    result = {k: table[k] for k in ("file size MB", "load average (1 min) at start",
                                    "open to first paint after that ms (median)",
                                    "open to first paint ms (max)")}
    for key, sentence in bench_report.quotes(result).items():
        text = (ROOT / key).read_text("utf-8")
        start = text.index(bench_report.QUOTE_START) + len(bench_report.QUOTE_START)
        assert text[start:text.index(bench_report.QUOTE_END)] == sentence, key


def test_the_targets_rows_are_the_same_run() -> None:
    table = _table()
    doc = (DOCS / "benchmarks.md").read_text("utf-8")
    size = float(table["file size MB"])
    slowest = float(table["open to first paint ms (max)"].replace(",", ""))
    assert f"| 14 | `archc report` ResNet-152 expanded: file size | < 2 MB | {size:.2f} MB |" \
        in doc
    assert (f"| 14 | `archc report` ResNet-152 expanded: open to first paint (slowest of the "
            f"runs) | < 1 s | {slowest:,.0f} ms |") in doc
