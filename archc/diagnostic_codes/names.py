"""Diagnostic codes of names and references (`N`):
title, severity, explanation and example of each.

Written from docs/diagnostics.md, the user-facing catalogue; tests/test_diagnostic_codes.py
checks that the two agree both ways (codes, titles, explanation and example text).
"""

from __future__ import annotations

from archc.diagnostic_codes.record import DiagnosticCode

CODES: tuple[DiagnosticCode, ...] = (
    DiagnosticCode(
        'N001', 'unknown layer name', 'error', 'names',
        ('`inputs` or `outputs` names a layer that does not exist where it is looked up '
         '(the current list, then the enclosing ones; not across a block boundary). If '
         'the name exists further down, the message says so: a layer can only read '
         'layers above it.\n'
         '\n'
         'More cases are told apart from a plain unknown name. A layer left out by '
         '`when: false` cannot be read ("`aux` is removed by `when: false` (line 6), so '
         'nothing can read it"); a layer defined further down is "defined later". '
         'Automatic names (`conv2d_1`) are read like given ones, in their own scope; an '
         'automatic-looking name that is not in scope (it lives inside a block, branch, '
         'body or repeat copy) gets a help saying so. A layer that reads itself is a '
         'cycle (`G008`).\n'
         '\n'
         '**Fix:** Correct the name (see the help), or move the layer above its reader; '
         'name a layer to read it; read a layer that exists in this variant.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'layers:\n'
         '  - conv2d: {name: stem, filters: 8, kernel_size: 3}\n'
         '  - flatten: {inputs: stme}\n'
         '\n'
         'spec.yaml:6:23: error[N001]: unknown layer name `stme`\n'
         '  |\n'
         '6 |   - flatten: {inputs: stme}\n'
         '  |                       ^^^^\n'
         '  = help: did you mean `stem`?\n'
         '\n'
         'archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'variables: {with_aux: false}\n'
         'layers:\n'
         '  - conv2d: {name: aux, filters: 8, kernel_size: 1, when: $with_aux}\n'
         '  - conv2d: {filters: 8, kernel_size: 3}\n'
         '  - flatten: {inputs: aux}\n'
         '\n'
         'spec.yaml:8:23: error[N001]: `aux` is removed by `when: false` (line 6), so '
         'nothing can read it\n'
         '  |\n'
         '8 |   - flatten: {inputs: aux}\n'
         '  |                       ^^^\n'
         '  = help: read another layer, or make both depend on the same condition'),
    ),
    DiagnosticCode(
        'N002', 'duplicate layer name', 'error', 'names',
        ("Two items of one list have the same name (or a structure's name equals an "
         'existing full name).\n'
         '\n'
         '**Fix:** Rename one of them.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'layers:\n'
         '  - conv2d: {name: conv, filters: 8, kernel_size: 3}\n'
         '  - conv2d: {name: conv, filters: 8, kernel_size: 3}\n'
         '\n'
         'spec.yaml:6:5: error[N002]: duplicate layer name `conv` (first used at line 5)\n'
         '  |\n'
         '6 |   - conv2d: {name: conv, filters: 8, kernel_size: 3}\n'
         '  |     ^^^^^^\n'
         '  = help: give every layer a unique name'),
    ),
    DiagnosticCode(
        'N003', 'unknown connection table', 'error', 'names',
        ('`connections` names a table that is not under `tables:`.\n'
         '\n'
         '**Fix:** Define the table, correct the name, or write the rows inline.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'layers:\n'
         '  - conv2d: {filters: 4, kernel_size: 3, connections: c3_table}\n'
         '\n'
         'spec.yaml:5:55: error[N003]: unknown connection table `c3_table`\n'
         '  |\n'
         '5 |   - conv2d: {filters: 4, kernel_size: 3, connections: c3_table}\n'
         '  |                                                       ^^^^^^^^\n'
         '  = help: define it under `tables:` or write the rows inline'),
    ),
    DiagnosticCode(
        'N004', 'recursive block', 'error', 'names',
        ('A block uses itself, directly or through other blocks; the message shows the '
         'chain.\n'
         '\n'
         '**Fix:** Break the recursion; to repeat a block use `repeat`.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'blocks:\n'
         '  a:\n'
         '    layers:\n'
         '      - b: {}\n'
         '  b:\n'
         '    layers:\n'
         '      - a: {}\n'
         'layers:\n'
         '  - a: {}\n'
         '\n'
         'spec.yaml:10:9: error[N004]: block `a` uses itself: a -> b -> a\n'
         '   |\n'
         '10 |       - a: {}\n'
         '   |         ^\n'
         '  = help: blocks cannot be recursive; use `repeat`'),
    ),
    DiagnosticCode(
        'N005', 'unknown default variant', 'error', 'names',
        ('`default_variant` names no variant under `variants:`.\n'
         '\n'
         '**Fix:** Correct the name.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'variables: {width: 16}\n'
         'variants:\n'
         '  small: {width: 8}\n'
         'default_variant: smal\n'
         'layers:\n'
         '  - flatten\n'
         '\n'
         'spec.yaml:7:18: error[N005]: `default_variant` names an unknown variant `smal`\n'
         '  |\n'
         '7 | default_variant: smal\n'
         '  |                  ^^^^\n'
         '  = help: did you mean `small`?'),
    ),
    DiagnosticCode(
        'N006', 'variant sets an undeclared variable', 'error', 'names',
        ('A variant may only change variables declared under `variables:`; checked for '
         'the variant being compiled.\n'
         '\n'
         '**Fix:** Declare the variable, or correct its name.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'variables: {width: 16}\n'
         'variants:\n'
         '  small: {widht: 8}\n'
         'default_variant: small\n'
         'layers:\n'
         '  - flatten\n'
         '\n'
         'spec.yaml:6:11: error[N006]: variant `small` sets `widht`, which is not a '
         'variable\n'
         '  |\n'
         '6 |   small: {widht: 8}\n'
         '  |           ^^^^^\n'
         '  = help: did you mean `width`?'),
    ),
    DiagnosticCode(
        'N007', 'parameter declared twice', 'error', 'names',
        ('A block lists the same parameter twice (`params: [filters, {filters: 8}]`), or'
         ' a function uses one name twice among its parameters and `let` names; which '
         'declaration (and default) would count is not clear, so neither is taken.\n'
         '\n'
         '**Fix:** Keep one declaration (with the default, if it needs one).'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'blocks:\n'
         '  unit:\n'
         '    params: [filters, {filters: 8}]\n'
         '    layers:\n'
         '      - conv2d: {filters: $filters, kernel_size: 3}\n'
         'layers:\n'
         '  - unit: {}\n'
         '\n'
         'spec.yaml:6:24: error[N007]: block `unit` declares the parameter `filters` '
         'twice (first at line 6)\n'
         '  |\n'
         '6 |     params: [filters, {filters: 8}]\n'
         '  |                        ^^^^^^^\n'
         '  = help: remove one of the two declarations'),
    ),
    DiagnosticCode(
        'N008', 'recursive function', 'error', 'names',
        ('A function calls itself, directly or through other functions. Found when the '
         'spec is loaded, by following the names each function calls, not by running out'
         ' of depth; each cycle is reported once, at its first function.\n'
         '\n'
         '**Fix:** Compute the value without recursion: with arithmetic, `min`/`max`, or'
         ' a fixed number of steps in `let`.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'functions:\n'
         '  even:\n'
         '    params: [n]\n'
         '    value: true if $n == 0 else odd($n - 1)\n'
         '  odd:\n'
         '    params: [n]\n'
         '    value: false if $n == 0 else even($n - 1)\n'
         'layers:\n'
         '  - conv2d: {filters: 8, kernel_size: 3, use_bias: even(2)}\n'
         '\n'
         'spec.yaml:5:3: error[N008]: function `even` calls itself: even -> odd -> even\n'
         '  |\n'
         '5 |   even:\n'
         '  |   ^^^^\n'
         '  = help: functions cannot be recursive; compute the value without recursion'),
    ),
    DiagnosticCode(
        'N009', 'block input named twice', 'error', 'names',
        ("A block's `inputs:` lists a name twice, or gives an input the name of one of "
         "its parameters: inside the block `$name` reads both (a parameter's value, an "
         "input's shape), so which one is meant would not be clear.\n"
         '\n'
         '**Fix:** Rename the input or the parameter.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'blocks:\n'
         '  fuse:\n'
         '    inputs: [x, filters]\n'
         '    params: [filters]\n'
         '    layers:\n'
         '      - conv2d: {filters: $filters, kernel_size: 1}\n'
         'layers:\n'
         '  - fuse: {inputs: [input, input], filters: 8}\n'
         '\n'
         'spec.yaml:6:17: error[N009]: block `fuse` has an input and a parameter named '
         '`filters`\n'
         '  |\n'
         '6 |     inputs: [x, filters]\n'
         '  |                 ^^^^^^^\n'
         '  = help: `$filters` would not say which: rename one of them'),
    ),
)
