"""Diagnostic codes of expressions (`E`):
title, severity, explanation and example of each.

Written from docs/diagnostics.md, the user-facing catalogue; tests/test_diagnostic_codes.py
checks that the two agree both ways (codes, titles, explanation and example text).
"""

from __future__ import annotations

from archc.diagnostic_codes.record import DiagnosticCode

CODES: tuple[DiagnosticCode, ...] = (
    DiagnosticCode(
        'E001', 'unknown variable', 'error', 'expressions',
        ('A `$name` that is neither a variable nor (inside a block) a parameter. Every '
         "name of an expression is resolved, in the branch taken or not: `'4 if $t else "
         "$widht'` is E001 whatever `$t` is (and an unknown function there is E004).\n"
         '\n'
         "**Fix:** Correct the name, or declare it under `variables:` or the block's "
         '`params:`.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'variables: {width: 16}\n'
         'layers:\n'
         '  - conv2d: {filters: $widht, kernel_size: 3}\n'
         '\n'
         'spec.yaml:6:23: error[E001]: unknown variable `$widht`\n'
         '  |\n'
         '6 |   - conv2d: {filters: $widht, kernel_size: 3}\n'
         '  |                       ^^^^^^\n'
         '  = help: did you mean `width`?'),
    ),
    DiagnosticCode(
        'E002', 'expression not allowed or unparseable', 'error', 'expressions',
        ('The text is not an expression of the allowed kind: a bare word, a variable '
         "called like a function (`$w(2)`), an attribute other than `$in`'s, a slice "
         'step, a syntax error, or more than 200 characters; also a character outside '
         'ASCII outside a quoted string (`$w𝐢dth` or `ℌ(1)`, which Python would fold '
         "into `$width` and `H`: refused under the name as written), Python's "
         "`True`/`False` (a spec writes `true`/`false`), and archc's internal prefix "
         '`__archc_var_`. The help lists exactly what is allowed (the E002 help of a '
         "parse error prints it in full): numbers, 'strings', true, false, [lists], "
         '$variables, $in.channels / .height / .width / .shape, + - * / // % **, == != <'
         ' <= > >=, and, or, not, a if c else b, list[i], list[a:b], parentheses, and '
         'calls to min, max, abs, round, floor, ceil, int, sqrt, sum, len, map and this '
         "spec's functions.\n"
         '\n'
         '**Fix:** Write the variable with `$`, or simplify the expression.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'variables: {width: 16}\n'
         'layers:\n'
         '  - conv2d: {filters: $width * factor, kernel_size: 3}\n'
         '\n'
         'spec.yaml:6:23: error[E002]: `factor` in `$width * factor` is not a number or '
         'a $variable\n'
         '  |\n'
         '6 |   - conv2d: {filters: $width * factor, kernel_size: 3}\n'
         '  |                       ^^^^^^^^^^^^^^^\n'
         '  = help: write `$factor` to use the variable'),
    ),
    DiagnosticCode(
        'E003', 'expression cannot be evaluated', 'error', 'expressions',
        ('The expression is well-formed but fails: division by zero, an index out of '
         'range, arithmetic on a list or text, an exponent above 64, a condition of `if`'
         ' that is not `true` or `false`, `$in.height` of a vector, a result that is not'
         ' a real number (`(-8) ** 0.5`), or one of the caps (calls nested deeper than '
         '32, more than 100,000 terms visited by one evaluation, a value whose expanded '
         'size passes 100,000 terms or whose lists nest deeper than 32, a list of more '
         'than 10,000 items; see [reliability.md](reliability.md#caps)). An error inside'
         " a spec function is reported at the function's text, with a note naming the "
         'call:\n'
         '\n'
         "And an index out of range in a layer's field:\n"
         '\n'
         "**Fix:** Fix the arithmetic or the variable's value."),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'functions:\n'
         '  per_group:\n'
         '    params: [channels, groups]\n'
         '    value: $channels // $groups\n'
         'layers:\n'
         "  - conv2d: {filters: 'per_group(64, 0)', kernel_size: 3}\n"
         '\n'
         'spec.yaml:7:12: error[E003]: cannot evaluate `$channels // $groups`: integer '
         'division or modulo by zero\n'
         '  |\n'
         '7 |     value: $channels // $groups\n'
         '  |            ^^^^^^^^^^^^^^^^^^^^\n'
         '  = note: called from spec.yaml:9:23\n'
         '\n'
         'archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'variables: {width: 16, stages: [2, 2]}\n'
         'layers:\n'
         "  - conv2d: {filters: '$width * $stages[2]', kernel_size: 3}\n"
         '\n'
         'spec.yaml:6:23: error[E003]: cannot evaluate `$width * $stages[2]`: list index'
         ' out of range\n'
         '  |\n'
         "6 |   - conv2d: {filters: '$width * $stages[2]', kernel_size: 3}\n"
         '  |                       ^^^^^^^^^^^^^^^^^^^^^'),
    ),
    DiagnosticCode(
        'E004', 'unknown function', 'error', 'expressions',
        ('A call names neither a builtin (`min max abs round floor ceil int sqrt sum len'
         " map`) nor a function under the spec's `functions:`. Reported when the "
         "expression is evaluated, and for a function's own text when the spec is "
         'loaded.\n'
         '\n'
         '**Fix:** Correct the name (the help suggests the closest one), or define the '
         'function under `functions:`.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'variables: {width: 36}\n'
         'layers:\n'
         "  - conv2d: {filters: 'rnd($width / 8) * 8', kernel_size: 3}\n"
         '\n'
         'spec.yaml:6:23: error[E004]: unknown function `rnd` in `rnd($width / 8) * 8`\n'
         '  |\n'
         "6 |   - conv2d: {filters: 'rnd($width / 8) * 8', kernel_size: 3}\n"
         '  |                       ^^^^^^^^^^^^^^^^^^^^^\n'
         '  = help: did you mean `round`?'),
    ),
    DiagnosticCode(
        'E005', 'wrong arguments', 'error', 'expressions',
        ('A call passes too many or too few arguments, an unknown keyword, or the same '
         'argument twice (`h(1, y=100, y=2)` as `f(2, x=2)`). The builtins take '
         "positional arguments only; `round` takes exactly one (Python's `round(x, "
         'ndigits)` has no counterpart: widths are integers).\n'
         '\n'
         '**Fix:** Pass the arguments the function declares; to round to a multiple, '
         'divide, round and multiply.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'variables: {width: 36.5}\n'
         'layers:\n'
         "  - conv2d: {filters: 'round($width, 1)', kernel_size: 3}\n"
         '\n'
         'spec.yaml:6:23: error[E005]: `round` takes 1 argument; received 2\n'
         '  |\n'
         "6 |   - conv2d: {filters: 'round($width, 1)', kernel_size: 3}\n"
         '  |                       ^^^^^^^^^^^^^^^^^^\n'
         '  = help: round(x) rounds halves to even; to round to a multiple of 8 write '
         'round($x / 8) * 8'),
    ),
    DiagnosticCode(
        'E006', '`$in` where there is no input', 'error', 'expressions',
        ('`$in` is the shape of the tensor a layer item reads; variables, variants, '
         '`--set` values, input shapes and functions are evaluated before or apart from '
         'any layer, so they have none.\n'
         '\n'
         "**Fix:** Use `$in` in the layer's fields or a block parameter's default; pass "
         'it to a function as an argument.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'variables:\n'
         '  wide: $in.channels * 2\n'
         'layers:\n'
         '  - conv2d: {filters: $wide, kernel_size: 3}\n'
         '\n'
         'spec.yaml:5:9: error[E006]: `$in` is only defined in layer items\n'
         '  |\n'
         '5 |   wide: $in.channels * 2\n'
         '  |         ^^^^^^^^^^^^^^^^\n'
         "  = help: `$in` is the shape of what an item reads: use it in a layer's "
         "fields, a block call's arguments or a block parameter's default"),
    ),
    DiagnosticCode(
        'E007', 'expression split by YAML at a comma', 'error', 'expressions',
        ('Inside `{...}` or `[...]` YAML ends an unquoted value at the first comma, so '
         '`max(8, 32 * $alpha)` becomes `max(8` and a stray key `32 * $alpha)`. Reported'
         ' once, at the value; the stray key is not reported again.\n'
         '\n'
         '**Fix:** Quote the expression, as the help shows, or write the item in block '
         'style.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'variables: {alpha: 0.5}\n'
         'layers:\n'
         '  - conv2d: {filters: max(8, 32 * $alpha), kernel_size: 3}\n'
         '\n'
         'spec.yaml:6:23: error[E007]: YAML split this expression at a comma: `max(8` '
         'has an unclosed parenthesis\n'
         '  |\n'
         '6 |   - conv2d: {filters: max(8, 32 * $alpha), kernel_size: 3}\n'
         '  |                       ^^^^^\n'
         "  = help: quote it: `filters: 'max(8, 32 * $alpha)'`, or use block style"),
    ),
)
