"""archc in a real notebook: nbclient runs cells in an IPython kernel (ipykernel), as Jupyter
does, and the tests read the outputs Jupyter would show.

The kernel runs docs/notebook.ipynb (the notebook the README links to) and then a few cells
of checks. The stored notebook must show exactly what archc shows today, like the README's
pasted outputs; refresh it with `python tests/test_notebook.py --write`.

Checked: a `Summary` as a cell's value displays as an HTML table (and Markdown, and a short
text repr); `Summary.table` prints the CLI's table; a spec error shows the rendered,
located diagnostic; a hostile spec name cannot inject markup; `archc.diagram` takes the
CLI's options and its warning names its own keyword arguments. Totals are from numbers.md.
"""

from __future__ import annotations

import copy
import os
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "docs" / "notebook.ipynb"

DOC_CELLS = [
    ("markdown", """\
     # archc in a notebook

     `archc.load` returns a `Summary`; as the value of a cell it displays as a table.
     Nothing here imports TensorFlow."""),
    ("code", """\
     from pathlib import Path

     import archc

     # Jupyter runs a notebook in its own folder (docs/); the specs are in the repository's
     # root. Without a checkout, `archc zoo copy lenet5 -o specs` writes the file.
     specs = Path("specs") if Path("specs").is_dir() else Path("..", "specs")
     s = archc.load(specs / "lenet5.yaml")
     s"""),
    ("code", """\
     s.total_params, s.total_macs, s.outputs"""),
    ("markdown", """\
     `s.table(fmt, depth)` is the same table as text (`archc summary`), Markdown, HTML, CSV
     or JSON; `depth=1` folds every block into one row."""),
    ("code", """\
     print(archc.load(specs / "googlenet.yaml").table("text", depth=1))"""),
    ("markdown", """\
     A mistake in a spec raises `archc.SpecError`, which shows where it is."""),
    ("code", """\
     archc.load(\"\"\"
     archc: 1
     name: small
     input: [28, 28, 1]
     layers:
       - conv2d: {filters: 32, kernal_size: 3}
     \"\"\")"""),
]

CHECK_CELLS = [
    """\
    r = archc.load("specs/resnet.yaml", variant="resnet50")
    r""",
    """\
    archc.load('archc: 1\\nname: "<img src=x onerror=alert(1)>"\\ninput: [8]\\n'
               'layers:\\n  - dense: {units: 2}\\n')""",
    """\
    import warnings
    warnings.simplefilter("always")
    g = archc.diagram("specs/resnet.yaml", max_nodes=30, fold=False)
    print(type(g).__name__, g.source.count(" -> "))""",
]


def _cells(nbformat: Any) -> list[Any]:
    cells = []
    for kind, text in DOC_CELLS:
        source = textwrap.dedent(text).strip("\n")
        if kind == "markdown":
            cells.append(nbformat.v4.new_markdown_cell(source))
        else:
            cells.append(nbformat.v4.new_code_cell(source))
            if "kernal_size" in source:
                cells[-1].metadata["tags"] = ["raises-exception"]
    return cells


def execute(cells: list[Any], cwd: Path = ROOT) -> list[Any]:
    """Run the cells in a fresh kernel started in `cwd` (the repository root unless told
    otherwise); return them run."""
    import nbclient
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = copy.deepcopy(cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(cwd)}})
    # The kernel imports this checkout's archc wherever it starts (an installed archc, or
    # none, could be found first from docs/).
    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, (str(ROOT), saved)))
    try:
        client.execute()
    finally:
        if saved is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = saved
    return list(notebook.cells)


def shown(cell: Any) -> list[tuple[Any, ...]]:
    """What Jupyter shows of a cell's outputs (no counts, no traceback frames)."""
    out: list[tuple[Any, ...]] = []
    for o in cell.get("outputs", []):
        if o["output_type"] in ("execute_result", "display_data"):
            out.append((o["output_type"], {k: v for k, v in o["data"].items()
                                          if not k.startswith("image/")}))
        elif o["output_type"] == "stream":
            out.append(("stream", o["name"], o["text"]))
        elif o["output_type"] == "error":
            out.append(("error", o["ename"], o["evalue"]))
    return out


def _tidy(cells: list[Any]) -> list[Any]:
    """Cells as stored: tracebacks cut to their last line (no local paths in the docs)."""
    for cell in cells:
        for o in cell.get("outputs", []):
            if o["output_type"] == "error":
                o["traceback"] = [f"{o['ename']}: {o['evalue']}"]
    return cells


@pytest.fixture(scope="module")
def run() -> tuple[list[Any], list[Any]]:
    pytest.importorskip("ipykernel")
    pytest.importorskip("nbclient")
    nbformat = pytest.importorskip("nbformat")
    checks = [nbformat.v4.new_code_cell(textwrap.dedent(c)) for c in CHECK_CELLS]
    cells = execute(_cells(nbformat) + checks)
    return cells[:len(DOC_CELLS)], cells[len(DOC_CELLS):]


def _result(cell: Any) -> dict[str, str]:
    (result,) = [o for o in cell.outputs if o["output_type"] == "execute_result"]
    return dict(result["data"])


def _stream(cell: Any, name: str) -> str:
    return "".join(o["text"] for o in cell.outputs
                   if o["output_type"] == "stream" and o["name"] == name)


def test_the_stored_notebook_shows_what_archc_shows(run: tuple[list[Any], list[Any]]) -> None:
    import nbformat

    stored = nbformat.read(NOTEBOOK, as_version=4)
    assert [c.source for c in stored.cells] == [c.source for c in run[0]]
    for fresh, kept in zip(run[0], stored.cells, strict=True):
        assert shown(fresh) == shown(kept), fresh.source


def test_a_summary_displays_as_a_table(run: tuple[list[Any], list[Any]]) -> None:
    data = _result(run[1][0])
    assert set(data) >= {"text/html", "text/markdown", "text/plain"}
    assert data["text/html"].startswith('<div class="archc-summary">')
    assert "<th>Total params</th><td>25,636,712</td>" in data["text/html"]  # ResNet-50
    # conv1: 7 * 7 * 3 * 64 + 64 = 9,472 params; 112 * 112 * 64 * 7 * 7 * 3 MACs.
    assert "| conv1 | conv2d | 112x112x64 | 9,472 | 118,013,952 |" in data["text/markdown"]
    assert data["text/plain"].startswith("Summary(name='resnet', variant='resnet50', ")
    assert len(data["text/plain"]) < 200


def test_the_doc_cells(run: tuple[list[Any], list[Any]]) -> None:
    lenet = _result(run[0][1])
    assert "<th>Total params</th><td>60,850</td>" in lenet["text/html"]  # numbers.md
    assert _result(run[0][2])["text/plain"] == "(60850, 326520, {'output': (10,)})"
    assert "Total params:         6,998,552" in _stream(run[0][4], "stdout")  # GoogLeNet
    (error,) = [o for o in run[0][6].outputs if o["output_type"] == "error"]
    assert error["ename"] == "SpecError"
    assert error["evalue"] == textwrap.dedent("""\
        <string>:6:27: error[S002]: unknown field `kernal_size` in `conv2d`
          |
        6 |   - conv2d: {filters: 32, kernal_size: 3}
          |                           ^^^^^^^^^^^
          = help: did you mean `kernel_size`?
        1 error""")


def test_a_spec_error_shows_the_diagnostic_not_the_stack(
        run: tuple[list[Any], list[Any]]) -> None:
    # The traceback field is what Jupyter prints for an error: IPython takes it from
    # SpecError._render_traceback_, so no frame of archc's internals is shown.
    (error,) = [o for o in run[0][6].outputs if o["output_type"] == "error"]
    shown_text = "\n".join(error["traceback"])
    assert shown_text == "SpecError:\n" + error["evalue"]
    assert "File " not in shown_text and "pipeline.py" not in shown_text


@pytest.fixture(scope="module")
def run_from_docs() -> list[Any]:
    """The stored notebook as `jupyter execute docs/notebook.ipynb` runs it: in docs/."""
    pytest.importorskip("ipykernel")
    pytest.importorskip("nbclient")
    nbformat = pytest.importorskip("nbformat")
    stored = nbformat.read(NOTEBOOK, as_version=4)
    return execute(list(stored.cells), cwd=NOTEBOOK.parent)


def test_the_notebook_runs_from_its_own_folder(run_from_docs: list[Any]) -> None:
    import nbformat

    stored = nbformat.read(NOTEBOOK, as_version=4)
    errors = [(c.source, o["ename"]) for c in run_from_docs for o in c.get("outputs", [])
              if o["output_type"] == "error"]
    # Only the cell written to show a mistake fails, with the mistake it shows.
    assert errors == [(stored.cells[6].source, "SpecError")]
    for fresh, kept in zip(run_from_docs, stored.cells, strict=True):
        assert shown(fresh) == shown(kept), fresh.source


def test_a_hostile_name_stays_text(run: tuple[list[Any], list[Any]]) -> None:
    data = _result(run[1][1])
    assert "<img" not in data["text/html"] and "<img" not in data["text/markdown"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in data["text/html"]


def test_diagram_options_and_warning(run: tuple[list[Any], list[Any]]) -> None:
    assert _stream(run[1][2], "stdout").startswith("Digraph ")
    warning = _stream(run[1][2], "stderr")
    assert "UserWarning" in warning and "Raise the cap with max_nodes=N." in warning
    assert "--max-nodes" not in warning


def _write() -> None:
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    notebook.cells = _tidy(execute(_cells(nbformat)))
    for i, cell in enumerate(notebook.cells):  # stable: a refresh changes only outputs
        cell["id"] = f"cell-{i}"
        cell.metadata.pop("execution", None)
    nbformat.write(notebook, NOTEBOOK)
    print(f"wrote {NOTEBOOK.relative_to(ROOT)}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python tests/test_notebook.py --write")
    _write()
