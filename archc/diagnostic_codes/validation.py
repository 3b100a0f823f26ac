"""Diagnostic codes of validation: vocabulary and values (`S`):
title, severity, explanation and example of each.

Written from docs/diagnostics.md, the user-facing catalogue; tests/test_diagnostic_codes.py
checks that the two agree both ways (codes, titles, explanation and example text).
"""

from __future__ import annotations

from archc.diagnostic_codes.record import DiagnosticCode

CODES: tuple[DiagnosticCode, ...] = (
    DiagnosticCode(
        'S001', 'not a mapping / malformed layer item', 'error', 'validation',
        ('The spec itself must be a mapping, `layers` a list, and each layer item a '
         'mapping with exactly one key (the type). The usual cause is an argument '
         'indented at the level of the type.\n'
         '\n'
         '**Fix:** Indent the arguments under the layer type, or put them inside its '
         '`{...}`.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'layers:\n'
         '  - conv2d: {filters: 8}\n'
         '    kernel_size: 3\n'
         '\n'
         'spec.yaml:5:5: error[S001]: a layer is a one-key mapping such as `conv2d: '
         '{...}`; this is a mapping with several keys\n'
         '  |\n'
         '5 |   - conv2d: {filters: 8}\n'
         '  |     ^\n'
         "  = help: indent the layer's arguments under its type"),
    ),
    DiagnosticCode(
        'S002', 'unknown field', 'error', 'validation',
        ("A field that the layer type (or the header, or a block's parameters) does not "
         'have. The help suggests the closest known name, or lists the allowed ones.\n'
         '\n'
         '**Fix:** Correct the spelling; see the field tables in spec-language.md.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'layers:\n'
         '  - conv2d: {filters: 8, kernal_size: 3}\n'
         '\n'
         'spec.yaml:5:26: error[S002]: unknown field `kernal_size` in `conv2d`\n'
         '  |\n'
         '5 |   - conv2d: {filters: 8, kernal_size: 3}\n'
         '  |                          ^^^^^^^^^^^\n'
         '  = help: did you mean `kernel_size`?'),
    ),
    DiagnosticCode(
        'S003', 'missing field', 'error', 'validation',
        ('A required field is absent: a layer argument, a header key (`name`, `layers`, '
         '`input`), a block parameter without default, `inputs` of a merge, or '
         '`block`/`layers` of a repeat. A type used without arguments (`- conv2d`) takes'
         ' its required fields from `defaults`, or misses them; `parallel`, `residual` '
         'and `repeat` always need their own. When an unknown field is a misspelling of '
         'the missing one, only `S002` is reported.\n'
         '\n'
         '**Fix:** Add the field.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'layers:\n'
         '  - dense: {activation: relu}\n'
         '\n'
         'spec.yaml:5:5: error[S003]: `dense` needs the field `units`\n'
         '  |\n'
         '5 |   - dense: {activation: relu}\n'
         '  |     ^^^^^\n'
         '  = help: add `units: ...`'),
    ),
    DiagnosticCode(
        'S004', 'invalid value', 'error', 'validation',
        ('The value has the wrong type or range: `filters: true`, `rate: 1.5`, an '
         'unknown activation or padding, an input shape of two numbers, a merge with one'
         ' input, a list of `inputs` on a layer that reads one (only merges read '
         'several), a `when` that is not a boolean, an expression whose result is not a '
         'whole number where an integer is needed (the help says how to round it; a '
         'whole result such as `64.0` is accepted). Values written in YAML are strict: '
         '`true` is not 1 and `3.5` is not an integer (a whole number written `3.0` is '
         '3, as in JSON). The message quotes what was received. A field that takes '
         'several forms (`kernel_size: 3` or `[3, 5]`, `padding: same`, `2` or `[1, 2]`,'
         ' `connections: name` or rows) gives one diagnostic per mistake, about the form'
         ' the value has: `kernel_size: [3, 0]` is "greater than 0" at the 0, not also '
         '"a valid integer". Every integer of a layer is at most 2,147,483,647, because '
         'the Keras backend runs nothing larger (it declares the limit in '
         'archc/backends/keras/limits.py; the JSON Schema does not carry it); the help '
         'says so.\n'
         '\n'
         '**Fix:** Use a value of the kind the message names; the help suggests the '
         'closest allowed word.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'layers:\n'
         '  - conv2d: {filters: 8, kernel_size: 3, padding: sme}\n'
         '\n'
         'spec.yaml:5:51: error[S004]: invalid value for `padding` in `conv2d`: input '
         "should be 'valid' or 'same'; received `sme`\n"
         '  |\n'
         '5 |   - conv2d: {filters: 8, kernel_size: 3, padding: sme}\n'
         '  |                                                   ^^^\n'
         '  = help: did you mean `same`?'),
    ),
    DiagnosticCode(
        'S005', 'unknown layer type', 'error', 'validation',
        ("An item's key is not a layer type, a structure (`parallel`, `residual`, "
         '`repeat`) or a block of this spec; also for unknown types under `defaults` and'
         ' unknown `block:` of a repeat.\n'
         '\n'
         '**Fix:** Correct the type, or define the block under `blocks:`.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'layers:\n'
         '  - conv3d: {filters: 8, kernel_size: 3}\n'
         '\n'
         'spec.yaml:5:5: error[S005]: unknown layer type `conv3d`\n'
         '  |\n'
         '5 |   - conv3d: {filters: 8, kernel_size: 3}\n'
         '  |     ^^^^^^\n'
         '  = help: did you mean `conv2d`?'),
    ),
    DiagnosticCode(
        'S006', 'scalar where arguments belong', 'error', 'validation',
        ('Only `activation: NAME` and `dropout: RATE` take a scalar; every other type '
         'takes a mapping of arguments, or nothing at all (`- batch_norm`, `- '
         'batch_norm:`) when it needs no arguments of its own.\n'
         '\n'
         '**Fix:** Write `conv2d: {filters: 8, kernel_size: 3}`.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'layers:\n'
         '  - conv2d: 8\n'
         '\n'
         'spec.yaml:5:13: error[S006]: `conv2d` takes a mapping of arguments; received '
         '`8`\n'
         '  |\n'
         '5 |   - conv2d: 8\n'
         '  |             ^\n'
         '  = help: write `conv2d: {...}`'),
    ),
    DiagnosticCode(
        'S007', 'both `input` and `inputs`', 'error', 'validation',
        ('A spec declares its input once: `input` for one, `inputs` for several named '
         'ones.\n'
         '\n'
         '**Fix:** Keep one of the two.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'inputs: {image: [32, 32, 3]}\n'
         'layers:\n'
         '  - flatten\n'
         '\n'
         'spec.yaml:4:1: error[S007]: give either `input` or `inputs`, not both\n'
         '  |\n'
         '4 | inputs: {image: [32, 32, 3]}\n'
         '  | ^^^^^^'),
    ),
    DiagnosticCode(
        'S008', 'not a valid name', 'error', 'validation',
        ('Names a spec defines (input, variable, variant, table and block names, and '
         'layer `name`s, which report `S004`) become scope paths such as '
         '`inception_3a/branch2/conv3x3`, Keras layer names and DOT identifiers, so they'
         ' are plain identifiers: `/`, spaces and quotes are refused.\n'
         '\n'
         'The same code refuses names that would be accepted but never work: a variable '
         'or block parameter that `$name` could not read (`a-b`, `"a b"`, `"$x"`), a '
         "block parameter named like a call's own fields (`name`, `inputs`, `output`, "
         '`when`: "`name` cannot be a parameter of block `unit`: every layer item takes '
         'it as its own field"), and a block named like a layer type, a structure or '
         '`input` ("`conv2d` cannot name a block: it is a layer type"), which a layer '
         'item would never reach.\n'
         '\n'
         '**Fix:** Rename it, e.g. `conv_bn`.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'blocks:\n'
         '  "conv/bn":\n'
         '    layers: [flatten]\n'
         'layers:\n'
         '  - flatten\n'
         '\n'
         'spec.yaml:5:3: error[S008]: `conv/bn` is not a valid name in `blocks`\n'
         '  |\n'
         '5 |   "conv/bn":\n'
         '  |   ^^^^^^^^^\n'
         '  = help: use letters, digits, `_`, `.` and `-`, starting with a letter or `_`\n'
         '\n'
         'archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'blocks:\n'
         '  unit:\n'
         '    params: [name, filters]\n'
         '    layers:\n'
         '      - conv2d: {filters: $filters, kernel_size: 3}\n'
         'layers:\n'
         '  - unit: {filters: 8}\n'
         '\n'
         'spec.yaml:6:14: error[S008]: `name` cannot be a parameter of block `unit`: '
         'every layer item takes it as its own field\n'
         '  |\n'
         '6 |     params: [name, filters]\n'
         '  |              ^^^^\n'
         '  = help: rename the parameter (the reserved names: name, inputs, output, '
         'when)'),
    ),
    DiagnosticCode(
        'S010', 'two fields that exclude each other', 'error', 'validation',
        ('Two fields of one item say the same thing two ways; give one. '
         '`squeeze_excitation` takes its squeeze width either as `ratio` (`C // ratio`) '
         'or as `units`. A field the item writes beats one from `defaults:`, so only '
         'fields of the same standing clash.\n'
         '\n'
         '**Fix:** Keep one of the two.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'layers:\n'
         '  - squeeze_excitation: {ratio: 4, units: 24}\n'
         '\n'
         'spec.yaml:5:5: error[S010]: give `ratio` or `units`, not both\n'
         '  |\n'
         '5 |   - squeeze_excitation: {ratio: 4, units: 24}\n'
         '  |     ^^^^^^^^^^^^^^^^^^\n'
         '  = help: `units` is the squeeze width itself; `ratio` computes it as C // '
         'ratio'),
    ),
    DiagnosticCode(
        'S011', 'wrong number of block inputs', 'error', 'validation',
        ('A call passes a block more or fewer tensors than the block declares under '
         '`inputs:` (a block that declares none reads one). Positionally, `inputs` lists'
         " one layer per declared input, in the block's order; by name (`inputs: {skip: "
         'enc3}`), every input but the first must be given (the first, left out, reads '
         'the previous layer). A `repeat` of a block with several inputs passes them the'
         ' same way.\n'
         '\n'
         '**Fix:** Pass one layer per declared input, or name them.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'blocks:\n'
         '  fuse:\n'
         '    inputs: [x, skip]\n'
         '    layers:\n'
         '      - concat: {inputs: [x, skip]}\n'
         'layers:\n'
         '  - conv2d: {name: a, filters: 8, kernel_size: 3}\n'
         '  - fuse: {inputs: [a]}\n'
         '\n'
         'spec.yaml:11:20: error[S011]: block `fuse` reads 2 inputs (x, skip); received '
         '1\n'
         '   |\n'
         '11 |   - fuse: {inputs: [a]}\n'
         '   |                    ^\n'
         '  = help: pass `inputs: [x, skip]` in this order, or by name: `inputs: {skip: '
         '...}`'),
    ),
    DiagnosticCode(
        'S012', 'unknown block input', 'error', 'validation',
        ('`inputs:` given by name names an input the block does not declare. The help '
         "lists the block's inputs.\n"
         '\n'
         "**Fix:** Use one of the declared names, or declare the input in the block's "
         '`inputs:`.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'blocks:\n'
         '  fuse:\n'
         '    inputs: [x, skip]\n'
         '    layers:\n'
         '      - concat: {inputs: [x, skip]}\n'
         'layers:\n'
         '  - conv2d: {name: a, filters: 8, kernel_size: 3}\n'
         '  - conv2d: {name: b, filters: 8, kernel_size: 1}\n'
         '  - fuse: {inputs: {x: b, skp: a}}\n'
         '\n'
         'spec.yaml:12:27: error[S012]: block `fuse` has no input `skp`\n'
         '   |\n'
         '12 |   - fuse: {inputs: {x: b, skp: a}}\n'
         '   |                           ^^^\n'
         '  = help: did you mean `skip`? (its inputs: x, skip)'),
    ),
)
