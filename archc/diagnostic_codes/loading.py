"""Diagnostic codes of loading YAML (`Y`):
title, severity, explanation and example of each.

Written from docs/diagnostics.md, the user-facing catalogue; tests/test_diagnostic_codes.py
checks that the two agree both ways (codes, titles, explanation and example text).
"""

from __future__ import annotations

from archc.diagnostic_codes.record import DiagnosticCode

CODES: tuple[DiagnosticCode, ...] = (
    DiagnosticCode(
        'Y000', 'invalid YAML', 'error', 'loading',
        ('The text is not YAML: an unclosed bracket, a tab used for indentation, a `: ` '
         'in an unquoted value. The location is where the parser gave up, which can be '
         'just after the real mistake.\n'
         '\n'
         'A `{` or `[` left open until a later line (the usual state of a line being '
         'typed) is reported at the bracket itself, not where the parser noticed, lines '
         'below:\n'
         '\n'
         '**Fix:** Fix the syntax at or just before the location. The help names the '
         'usual causes: tabs, unquoted `: `, and `[`/`]`/`,` inside a flow collection '
         "(quote `'$stages[0]'`)."),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'variables: {stages: [2, 2]}\n'
         'layers:\n'
         '  - repeat: {times: $stages[0], layers: [flatten]}\n'
         '\n'
         "spec.yaml:6:28: error[Y000]: invalid YAML: did not find expected ',' or '}'\n"
         '  |\n'
         '6 |   - repeat: {times: $stages[0], layers: [flatten]}\n'
         '  |                            ^\n'
         '  = help: inside `{...}` or `[...]`, quote values that contain brackets or '
         "commas, e.g. '$stages[0]', or use block style\n"
         '\n'
         'archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'layers:\n'
         '  - conv2d: {filters: 8, kernel_size: 3\n'
         '  - flatten\n'
         '\n'
         'spec.yaml:5:13: error[Y000]: invalid YAML: this `{` is not closed (did not '
         "find expected ',' or '}')\n"
         '  |\n'
         '5 |   - conv2d: {filters: 8, kernel_size: 3\n'
         '  |             ^\n'
         '  = help: close it with `}` where the mapping ends, or use block style'),
    ),
    DiagnosticCode(
        'Y001', 'ambiguous boolean-like word', 'error', 'loading',
        ('`yes`, `no`, `on`, `off` are booleans in YAML 1.1 and text in YAML 1.2; tools '
         'disagree about them, so archc refuses to guess.\n'
         '\n'
         '**Fix:** Write `true`/`false`, or quote the word if you meant text.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'layers:\n'
         '  - conv2d: {filters: 8, kernel_size: 3, use_bias: no}\n'
         '\n'
         'spec.yaml:5:52: error[Y001]: `no` is ambiguous: YAML 1.1 reads it as a '
         'boolean, YAML 1.2 as text\n'
         '  |\n'
         '5 |   - conv2d: {filters: 8, kernel_size: 3, use_bias: no}\n'
         '  |                                                    ^^\n'
         "  = help: write true/false for a boolean, or quote it: 'no'"),
    ),
    DiagnosticCode(
        'Y002', 'ambiguous number', 'error', 'loading',
        ('`010` (octal 8 in YAML 1.1), `0x1f`, `0o17`, `1_000` and `1:30` (base 60) read'
         ' differently across YAML versions.\n'
         '\n'
         '**Fix:** Write a plain decimal number (`10`), or quote it if it is text.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'layers:\n'
         '  - conv2d: {filters: 010, kernel_size: 3}\n'
         '\n'
         'spec.yaml:5:23: error[Y002]: `010` is an ambiguous number (YAML 1.1 reads '
         'octal, sexagesimal and underscored numbers differently)\n'
         '  |\n'
         '5 |   - conv2d: {filters: 010, kernel_size: 3}\n'
         '  |                       ^^^\n'
         '  = help: write a plain decimal number, or quote it if you meant text'),
    ),
    DiagnosticCode(
        'Y003', 'tag not allowed', 'error', 'loading',
        ('Tags (`!!python/object`, `!!binary`, `!custom`) ask a YAML loader to construct'
         ' objects; a spec is data only.\n'
         '\n'
         '**Fix:** Remove the tag.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'layers:\n'
         '  - conv2d: !!python/object {filters: 8, kernel_size: 3}\n'
         '\n'
         'spec.yaml:5:13: error[Y003]: the tag `!!python/object` is not allowed: specs '
         'are data, never code\n'
         '  |\n'
         '5 |   - conv2d: !!python/object {filters: 8, kernel_size: 3}\n'
         '  |             ^^^^^^^^^^^^^^^^^\n'
         '  = help: remove the tag; archc accepts only plain YAML values'),
    ),
    DiagnosticCode(
        'Y004', 'anchor or alias not allowed', 'error', 'loading',
        ('Anchors and aliases let a few bytes expand into huge structures ("billion '
         'laughs"), and they hide what a layer really is. Each anchor (`&c`) and each '
         'alias (`*c`) is refused, in a spec and in a `--set` value: an anchor exists '
         'only to be aliased.\n'
         '\n'
         '**Fix:** Use `defaults`, a block or a named table to reuse a definition.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'layers:\n'
         '  - conv2d: &c {filters: 8, kernel_size: 3}\n'
         '  - conv2d: *c\n'
         '\n'
         'spec.yaml:5:13: error[Y004]: anchors (`&c`) are not allowed in specs\n'
         '  |\n'
         '5 |   - conv2d: &c {filters: 8, kernel_size: 3}\n'
         '  |             ^^^^\n'
         '  = help: remove the anchor; use a block, `defaults` or a named table to reuse'
         ' a definition\n'
         'spec.yaml:6:13: error[Y004]: aliases (`*c`) are not allowed in specs\n'
         '  |\n'
         '6 |   - conv2d: *c\n'
         '  |             ^^\n'
         '  = help: use a block, `defaults` or a named table to reuse a definition'),
    ),
    DiagnosticCode(
        'Y005', 'duplicate key', 'error', 'loading',
        ('YAML loaders usually keep the last of two equal keys silently.\n'
         '\n'
         '**Fix:** Remove one of the two.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'layers:\n'
         '  - conv2d: {filters: 8, kernel_size: 3, filters: 16}\n'
         '\n'
         'spec.yaml:5:42: error[Y005]: duplicate key `filters` (first defined at line 5)\n'
         '  |\n'
         '5 |   - conv2d: {filters: 8, kernel_size: 3, filters: 16}\n'
         '  |                                          ^^^^^^^\n'
         '  = help: remove one of the two; YAML would silently keep only the last'),
    ),
    DiagnosticCode(
        'Y006', 'key is not a name', 'error', 'loading',
        ('A mapping key must be text (a field or layer name); numbers, `true`, `null` or'
         ' collections are refused.\n'
         '\n'
         '**Fix:** Quote the key if you meant the text, or fix the mapping.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'layers:\n'
         '  - conv2d: {filters: 8, 3: kernel_size}\n'
         '\n'
         'spec.yaml:5:26: error[Y006]: mapping keys must be names; found `3`\n'
         '  |\n'
         '5 |   - conv2d: {filters: 8, 3: kernel_size}\n'
         '  |                          ^\n'
         '  = help: quote the key if you meant the text'),
    ),
    DiagnosticCode(
        'Y007', 'more than one document', 'error', 'loading',
        ('A `---` line starts a second YAML document; a spec file holds exactly one '
         'network.\n'
         '\n'
         '**Fix:** Remove the `---` and what follows, or split the file.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'layers:\n'
         '  - flatten\n'
         '---\n'
         'archc: 1\n'
         '\n'
         'spec.yaml:6:1: error[Y007]: a spec holds exactly one YAML document\n'
         '  |\n'
         '6 | ---\n'
         '  | ^\n'
         '  = help: remove the `---` and everything after it, or split the file'),
    ),
    DiagnosticCode(
        'Y008', 'nesting too deep', 'error', 'loading',
        ('The loader caps nesting at 64 levels so hostile input stays cheap; real specs '
         'nest a few levels.\n'
         '\n'
         '**Fix:** Flatten the structure.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'layers:\n'
         '  - flatten\n'
         'notes: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]'
         ']]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n'
         '\n'
         'spec.yaml:6:71: error[Y008]: the spec nests deeper than the cap of 64 levels\n'
         '  |\n'
         '6 | notes: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]'
         ']]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n'
         '  |                                                                       ^\n'
         '  = help: flatten the structure; real specs nest a few levels deep'),
    ),
    DiagnosticCode(
        'Y009', 'file too large', 'error', 'loading',
        ('The file is larger than the size cap (4 MiB; `--max-bytes` changes it). '
         'Checked before parsing.\n'
         '\n'
         '`deep.yaml` is any spec longer than 100 bytes.\n'
         '\n'
         '**Fix:** Split the spec, or raise the cap.'),
        ('$ archc check deep.yaml --max-bytes 100\n'
         'deep.yaml:1:1: error[Y009]: the file is larger than the size cap of 100 bytes\n'
         '  |\n'
         '1 | archc: 1\n'
         '  | ^\n'
         '  = help: split the spec, or raise the cap with --max-bytes'),
    ),
    DiagnosticCode(
        'Y010', 'too many YAML nodes', 'error', 'loading',
        ('The file has more than 150,000 YAML values (scalars, lists, mappings); the '
         'largest zoo spec has under 500, a 10,000-layer spec about 90,000.\n'
         '\n'
         'A file with more than 150,000 list items, e.g. a generated `[0, 0, 0, ...]`. '
         'The source line is not shown when the column lies beyond the first 200 '
         'characters of the line.\n'
         '\n'
         '**Fix:** Split the spec; use `repeat` rather than writing layers out.'),
        ('spec.yaml:6:449960: error[Y010]: the spec has more than 150,000 YAML nodes\n'
         '  = help: split the spec'),
    ),
    DiagnosticCode(
        'Y011', 'not UTF-8', 'error', 'loading',
        ("The file's bytes are not valid UTF-8 (often Latin-1 text from an old editor).\n"
         '\n'
         '`latin1.yaml` was saved as Latin-1: `name: démo` has the byte `0xE9` for `é`.\n'
         '\n'
         '**Fix:** Save the spec as UTF-8.'),
        ('$ archc check latin1.yaml\n'
         'latin1.yaml:1:1: error[Y011]: the file is not UTF-8 text (invalid continuation'
         ' byte at byte 16)\n'
         '  |\n'
         '1 | archc: 1\n'
         '  | ^\n'
         '  = help: save the spec as UTF-8'),
    ),
    DiagnosticCode(
        'Y020', 'number too large', 'error', 'loading',
        ('An integer beyond 2**63 - 1. No layer size needs more, and unbounded integers '
         'broke later arithmetic (Python refuses to read more than 4,300 digits, and '
         'floats end near 1e308).\n'
         '\n'
         '**Fix:** Check the number for a typo (an extra run of zeros is the usual '
         'cause).'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'layers:\n'
         '  - flatten\n'
         '  - dense: {units: 100000000000000000000}\n'
         '\n'
         'spec.yaml:6:20: error[Y020]: the number `10000000000000000000...` is too large'
         ' (the limit is 2**63 - 1)\n'
         '  |\n'
         '6 |   - dense: {units: 100000000000000000000}\n'
         '  |                    ^^^^^^^^^^^^^^^^^^^^^\n'
         '  = help: check for a typo; sizes in a spec are far smaller'),
    ),
)
