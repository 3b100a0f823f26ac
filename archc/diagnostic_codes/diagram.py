"""Diagnostic codes of diagrams (`D`):
title, severity, explanation and example of each.

Written from docs/diagnostics.md, the user-facing catalogue; tests/test_diagnostic_codes.py
checks that the two agree both ways (codes, titles, explanation and example text).
"""

from __future__ import annotations

from archc.diagnostic_codes.record import DiagnosticCode

CODES: tuple[DiagnosticCode, ...] = (
    DiagnosticCode(
        'D001', 'Graphviz `dot` not found', 'error', 'diagram',
        ('A rendered format (`svg`, the default, `png`, `pdf`) was asked for and `dot` '
         'is not on `PATH`. Exit code 3, like every missing optional dependency.\n'
         '\n'
         '**Fix:** install Graphviz, or ask for `--format gv` and render the DOT '
         'elsewhere.'),
        ('$ archc diagram spec.yaml\n'
         'archc: error: [D001] Graphviz `dot` was not found on PATH; wrote the DOT text '
         'to /home/me/spec.gv instead. To render, install Graphviz: `apt-get install '
         'graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS), `conda install '
         'graphviz`, or see https://graphviz.org/download/; or use --format gv'),
    ),
    DiagnosticCode(
        'D002', 'too many nodes even fully collapsed', 'error', 'diagram',
        ('A drawing over the node cap (`--max-nodes`, default 2,000) first collapses '
         'itself to the deepest `--depth` that fits, with a note on stderr. D002 is '
         'reported only when even the top-level items alone exceed the cap; it points at'
         ' the first item past the cap. Exit code 1.\n'
         '\n'
         '**Fix:** raise `--max-nodes`, or group long runs of layers into blocks or '
         '`repeat`s so that `--depth` can fold them.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'layers:\n'
         '  - conv2d: {filters: 8, kernel_size: 3}\n'
         '  - conv2d: {filters: 8, kernel_size: 3}\n'
         '  - conv2d: {filters: 8, kernel_size: 3}\n'
         '\n'
         '$ archc diagram spec.yaml --max-nodes 3\n'
         'spec.yaml:7:5: error[D002]: the diagram needs 5 nodes even with every block '
         'collapsed; the cap is 3\n'
         '  |\n'
         '7 |   - conv2d: {filters: 8, kernel_size: 3}\n'
         '  |     ^^^^^^\n'
         '  = help: raise it with --max-nodes, or group the layers into blocks\n'
         '1 error'),
    ),
    DiagnosticCode(
        'D003', '`dot` timed out', 'error', 'diagram',
        ('`dot` did not finish within `--timeout` seconds (default 120). Exit code 2.\n'
         '\n'
         '**Fix:** raise `--timeout`, or collapse the drawing with `--depth N`.'),
        ('archc: error: [D003] `dot` did not finish within 0.2 seconds; wrote the DOT '
         'text to spec.gv instead (raise --timeout or draw less with --depth N)'),
    ),
    DiagnosticCode(
        'D004', '`dot` failed', 'error', 'diagram',
        ('`dot` exited with an error, or exited 0 without writing anything ("`dot` '
         'exited 0 but wrote no output"). archc\'s DOT is meant to be valid for any spec,'
         ' so this is a bug in archc or in Graphviz: exit code 4, with the first line of'
         " `dot`'s message (control characters in it are shown escaped). The previous "
         'drawing, if any, is left byte-identical; the DOT text is saved beside it as '
         '`.gv` unless that would overwrite the spec itself or something that is not a '
         'regular file (see the output policy in docs/reliability.md).\n'
         '\n'
         '**Fix:** report it with the spec and the `.gv` file.'),
        ('archc: error: [D004] `dot` failed with exit code 7: Error: out of memory; '
         'wrote the DOT text to spec.gv instead (this is a bug in archc or Graphviz; '
         'please report it with the spec)'),
    ),
)
