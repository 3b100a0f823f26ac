"""Writing one benchmark's section and its target rows into docs/benchmarks.md, for the
benchmarks that can rewrite their own part (`--write`) without `make bench` re-running the
others."""

from __future__ import annotations

from pathlib import Path

from archc.outputs import atomic_output


def splice(doc: Path, heading: str, section: list[str], rows: list[str],
           stale_row_prefix: str) -> None:
    """Replace the section under `heading` (up to the next heading or rule; added before the
    first `---` when missing) and this benchmark's rows of "Targets at a glance" (the ones
    starting with `stale_row_prefix`) by `section` and `rows`."""
    lines = doc.read_text("utf-8").split("\n")
    lines = [line for line in lines if not line.startswith(stale_row_prefix)]
    if heading in lines:
        start = lines.index(heading)
        end = next((i for i in range(start + 1, len(lines))
                    if lines[i].startswith(("### ", "## ", "---"))), len(lines))
        lines[start:end] = section
    else:
        lines[lines.index("---"):lines.index("---")] = section
    table = lines.index("## Targets at a glance") + 4
    while lines[table].startswith("|"):
        table += 1
    lines[table:table] = rows
    with atomic_output(doc) as tmp:
        tmp.write_text("\n".join(lines), encoding="utf-8")
