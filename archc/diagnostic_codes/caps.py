"""Diagnostic codes of caps (`C`) and the language server's budgets:
title, severity, explanation and example of each.

Written from docs/diagnostics.md, the user-facing catalogue; tests/test_diagnostic_codes.py
checks that the two agree both ways (codes, titles, explanation and example text).
"""

from __future__ import annotations

from archc.diagnostic_codes.record import DiagnosticCode

CODES: tuple[DiagnosticCode, ...] = (
    DiagnosticCode(
        'C001', 'too many layers', 'error', 'caps',
        ('After expanding blocks and `repeat`, the network has more layers than the cap '
         '(`--max-layers`; `archc check --help` shows the default). The cap is decided '
         'as early as it can be:\n'
         '\n'
         '1. Before anything is lowered, archc counts a lower bound of the layers the '
         'spec lists: every layer item is at least one layer, a block call at least its '
         'block, a `repeat` its `times` copies (when `times` is a number or an '
         "expression of the spec's variables), a `parallel` its branches, a `residual` "
         'its body; an item whose `when` is not known to be true before lowering (false,'
         ' or reading block parameters or `$index`) counts as one, since a removed item '
         'costs a walk too and counts against the cap. When that bound passes the cap, '
         'the top-level item at which it does is shown with the bound ("the network '
         'expands to at least 1,001 layers by this item (which adds at least 1,000)"). '
         'Blocks calling blocks ten times over (10^9 layers) or 50,000 listed items are '
         'refused this way without lowering any of them.\n'
         '2. A `repeat` whose size is known only while lowering (`times: $n` of a block '
         'parameter) is refused after its first repetition when the rest would pass the '
         'cap, with that estimate ("`repeat` expands to about 100,001 layers (100 per '
         'repetition x 1,000)").\n'
         '3. Otherwise the layer at which the cap is reached is shown ("the network has '
         'more than 20,000 layers after expansion"): for instance when structures that '
         'lower to several nodes (a `squeeze_excitation` is four), counted as one in '
         'advance, pass the cap. Items removed by `when: false` or left out by an error '
         'count like layers (a `repeat` of 10,000 copies of a 10,000-copy `repeat` of a '
         'removed layer makes no layer but walks 10^8 items); the message then says how '
         'many of them it counted.\n'
         '\n'
         '**Fix:** Check `times:` for a typo; raise the cap if you mean it.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'layers:\n'
         '  - repeat:\n'
         '      times: 500\n'
         '      layers:\n'
         '        - conv2d: {filters: 8, kernel_size: 1}\n'
         '        - batch_norm: {}\n'
         '\n'
         '$ archc check deep.yaml --max-layers 100\n'
         'deep.yaml:5:5: error[C001]: the network expands to at least 1,001 layers by '
         'this item (which adds at least 1,000); the cap is 100\n'
         '  |\n'
         '5 |   - repeat:\n'
         '  |     ^^^^^^\n'
         '  = help: raise the cap with --max-layers'),
    ),
    DiagnosticCode(
        'C002', 'repeat too large', 'error', 'caps',
        ('One `repeat` has `times` above the cap (`--max-repeat`, default 10,000).\n'
         '\n'
         '`many.yaml` has `repeat: {times: 100000, ...}`.\n'
         '\n'
         '**Fix:** Check the value; raise the cap if you mean it.'),
        ('$ archc check many.yaml\n'
         'many.yaml:5:5: error[C002]: `times: 100,000` exceeds the repeat cap of 10,000\n'
         '  |\n'
         '5 |   - repeat:\n'
         '  |     ^^^^^^\n'
         '  = help: raise it with --max-repeat'),
    ),
    DiagnosticCode(
        'C003', 'input too large', 'error', 'caps',
        ('An input dimension exceeds the cap (`--max-input-dim`, default 16,384).\n'
         '\n'
         '`huge.yaml` has `input: [100000, 100000, 3]`.\n'
         '\n'
         '**Fix:** Check the input shape; raise the cap if you mean it.'),
        ('$ archc check huge.yaml\n'
         'huge.yaml:3:8: error[C003]: input dimension 100,000 exceeds the cap of 16,384\n'
         '  |\n'
         '3 | input: [100000, 100000, 3]\n'
         '  |        ^\n'
         '  = help: raise it with --max-input-dim if you mean it'),
    ),
    DiagnosticCode(
        'C004', 'blocks nest too deeply', 'error', 'caps',
        ('Blocks calling blocks nest more than 32 levels deep.\n'
         '\n'
         'A chain of 34 blocks, `b0` calling `b1` calling `b2` ... calling `b33`.\n'
         '\n'
         '**Fix:** Flatten the block structure.'),
        ('spec.yaml:100:9: error[C004]: blocks nest deeper than 32 levels\n'
         '    |\n'
         '100 |       - b32: {}\n'
         '    |         ^^^'),
    ),
    DiagnosticCode(
        'C005', 'too many parameters', 'error', 'caps',
        ('The running parameter count passes the cap (`--max-params`, default 2e9) at '
         'the located layer.\n'
         '\n'
         '**Fix:** Check the layer (a `dense` after a large `flatten` is the usual '
         'cause); raise the cap if you mean it.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'layers:\n'
         '  - flatten\n'
         '  - dense: {units: 1000000}\n'
         '\n'
         '$ archc check params.yaml --max-params 1e9\n'
         'params.yaml:6:5: error[C005]: the network needs 3.07e+09 parameters by this '
         'layer; the cap is 1e+09\n'
         '  |\n'
         '6 |   - dense: {units: 1000000}\n'
         '  |     ^^^^^\n'
         '  = help: raise it with --max-params'),
    ),
    DiagnosticCode(
        'C006', 'too much activation memory', 'error', 'caps',
        ('The activations of all layers so far need more than the cap per sample '
         '(`--max-activation-gib`, default 16 GiB, float32).\n'
         '\n'
         'The same cap bounds the padded input that the Keras backend builds for a '
         'dilated kernel with `padding: same`. TensorFlow runs a dilated convolution as '
         'space-to-batch: it pads each axis by (k - 1) x d, rounded up to a multiple of '
         "d, and allocates that tensor although it is no layer's output. A 3x3 kernel "
         'with `dilation: 1000000` on an 8x8 input costs 1,152 MACs by the usual count '
         "(every output position times its 3x3 taps, as Keras and the zoo's reference "
         'figures count them), but would pad the input to 3,000,000 x 3,000,000 values, '
         'about 33,500 GiB, so archc refuses it:\n'
         '\n'
         '**Fix:** Check strides and filters; raise the cap if you mean it. For a '
         'dilated kernel, lower the dilation: once it reaches the input size, each '
         'output position reads one input value per axis and the rest is padding.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [4096, 4096, 3]\n'
         'layers:\n'
         '  - conv2d: {filters: 256, kernel_size: 3, padding: same}\n'
         '\n'
         '$ archc check act.yaml\n'
         'act.yaml:5:5: error[C006]: activations need 16.2 GiB per sample by this layer;'
         ' the cap is 16 GiB\n'
         '  |\n'
         '5 |   - conv2d: {filters: 256, kernel_size: 3, padding: same}\n'
         '  |     ^^^^^^\n'
         '  = help: raise it with --max-activation-gib\n'
         '\n'
         'archc: 1\n'
         'name: demo\n'
         'input: [8, 8, 1]\n'
         'layers:\n'
         '  - conv2d: {filters: 2, kernel_size: 3, dilation: 1000000, padding: same}\n'
         '\n'
         'spec.yaml:5:5: error[C006]: the dilated kernel of this layer makes the Keras '
         'backend pad its 8x8x1 input to 3,000,000x3,000,000x1: 3.35e+04 GiB per sample;'
         ' the cap is 16 GiB\n'
         '  |\n'
         '5 |   - conv2d: {filters: 2, kernel_size: 3, dilation: 1000000, padding: same}\n'
         '  |     ^^^^^^\n'
         '  = help: a dilated kernel wider than its input reads mostly padding: lower '
         'the dilation, or raise the cap with --max-activation-gib'),
    ),
    DiagnosticCode(
        'C011', "the spec's expressions cost too much together", 'error', 'caps',
        ('Every evaluation of a spec spends from one account: each syntax node visited, '
         'each list item built, summed or compared, each parameter and `let` a call '
         'binds, and the first reading of each text (60 terms plus one per 4 characters)'
         ' is a term, and the whole spec may spend 1,000,000 of them (the 100,000-term '
         'cap of one evaluation is `E003`). The variables, the functions and every item '
         'of every `repeat` copy count together, so 10,000 copies of a costly `when` '
         "cannot each spend a full allowance. The zoo's costliest network "
         '(EfficientNet-B7) spends about 17,000. Reported once, at the expression that '
         'crosses the cap; nothing after it is evaluated.\n'
         '\n'
         '**Fix:** Compute a costly value once, in `variables:` or a `let:`, and read it'
         ' where it is needed; compare or map over shorter lists.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'variables:\n'
         '  row: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n'
         "  table: '[$row, $row, $row, $row, $row, $row, $row, $row, $row, $row]'\n"
         'layers:\n'
         '  - repeat:\n'
         '      times: 10000\n'
         '      layers:\n'
         "        - dense: {units: 8, when: '$table == $table and $index == 1'}\n"
         '\n'
         "spec.yaml:11:35: error[C011]: the spec's expressions together visit more than "
         '1,000,000 terms; `$table == $table and $index == 1` crosses the cap\n'
         '   |\n'
         "11 |         - dense: {units: 8, when: '$table == $table and $index == 1'}\n"
         '   |                                   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n'
         '  = help: compute large values once, in `variables:`, and read them; map over '
         'shorter lists'),
    ),
    DiagnosticCode(
        'C012', 'nesting too deep', 'error', 'caps',
        ('One depth budget of 100 levels is shared by every nesting archc walks: each '
         'list of layer items inside a block, `repeat`, `parallel` branch or `residual` '
         "body, each level of an expression (an operator, a call's argument), and each "
         'function call. Caps that hold alone (64 YAML levels, blocks 32 deep, 200 '
         'characters per expression) could otherwise combine: 20 blocks calling each '
         'other, each with 14 nested residuals, or three functions each wrapping 190 '
         'minus signs around a call of the next, nest far deeper than any of them. archc'
         ' counts the levels itself and refuses at the one that passes 100, long before '
         "Python's own recursion limit.\n"
         '\n'
         '**Fix:** Flatten the spec: compute parts of a long expression in `variables:` '
         "or a function's `let:`, and nest fewer structures inside each other."),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         "variables: {w: 8, a: '--------------------------------------------------------"
         "----------------------------------------------------------------$w'}\n"
         'layers:\n'
         '  - dense: {units: 4}\n'
         '\n'
         'spec.yaml:4:22: error[C012]: '
         '`---------------------------------------------------------...` nests deeper '
         'than 100 levels, counting the blocks, repeats, branches and bodies around it, '
         "the expressions' nesting and the calls they make\n"
         '  |\n'
         "4 | variables: {w: 8, a: '----------------------------------------------------"
         "--------------------------------------------------------------------$w'}\n"
         '  |                      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^'
         '^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n'
         '  = help: flatten it: compute parts in `variables:` or a `let:`, or nest fewer'
         ' structures'),
    ),
    DiagnosticCode(
        'C013', 'too many variants for one command', 'error', 'caps',
        ('`archc report` (every variant of each spec, by default) and `archc summary '
         '--all-variants` compile every variant, multiplying the work by their count. '
         'Before compiling any, archc refuses more than 64 variants, or variants whose '
         'static lower bounds of layers (see `C001`) pass the layer cap together '
         "(`--max-layers`, default 20,000, bounds one command's run, over all the "
         'variants it compiles), or variants whose variables together spend more than '
         'the 1,000,000 terms one spec may (`C011`); while compiling, the layers '
         'actually made and the terms actually spent are counted against the same caps. '
         '`check`, `build` and `summary` compile one variant and are not affected.\n'
         '\n'
         '**Fix:** Compile one variant at a time (`--variant large`), or raise the cap '
         'if you mean it.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'variables: {w: 8}\n'
         'variants:\n'
         '  small: {w: 4}\n'
         '  medium: {w: 8}\n'
         '  large: {w: 16}\n'
         'layers:\n'
         '  - repeat: {times: 8000, layers: [dense: {units: $w}]}\n'
         '\n'
         '$ archc summary --all-variants spec.yaml\n'
         'spec.yaml:5:1: error[C013]: this command compiles every variant: the 3 '
         'variants expand to at least 24,003 layers together (by `large`); the cap is '
         '20,000\n'
         '  |\n'
         '5 | variants:\n'
         '  | ^^^^^^^^\n'
         '  = help: compile one variant at a time with --variant, or raise the cap with '
         '--max-layers'),
    ),
    DiagnosticCode(
        'C020', 'analysis stopped: time budget', 'error', 'caps',
        ("The analysis of this version ran longer than the server's time budget (10 s by"
         " default) and was stopped. Every spec within archc's caps compiles much faster"
         ' than that; a spec near the caps (tens of thousands of layers) on a busy '
         'machine may not.\n'
         '\n'
         '**Fix:** Run `archc check` on the file to see how long it takes; raise '
         '`budgetSeconds` if the spec is meant to be that large.'),
        ('spec.yaml:1:1: error[C020]: analysis stopped: it ran past the time budget of '
         '10 s\n'
         '  = help: `archc check` on the file shows whether the spec itself is slow; the'
         ' budget is set in initializationOptions'),
    ),
    DiagnosticCode(
        'C021', 'analysis stopped: memory budget', 'error', 'caps',
        ("While this version was analysed, the server's resident memory grew by more "
         'than its memory budget (2,048 MB by default), and the analysis was stopped.\n'
         '\n'
         '**Fix:** As for C020, with `budgetMemoryMB`.'),
        ('spec.yaml:1:1: error[C021]: analysis stopped: the server grew past the memory '
         'budget of 2,048 MB\n'
         '  = help: `archc check` on the file shows whether the spec itself is large; '
         'the budget is set in initializationOptions'),
    ),
    DiagnosticCode(
        'C022', 'analysis failed', 'error', 'caps',
        ('The compiler raised an error of its own on this version (a bug in archc: a '
         'spec never should). `archc check` on the same file exits with code 4.\n'
         '\n'
         '**Fix:** Report it with the spec; meanwhile the other features keep working '
         'from the last analysis.'),
        ('spec.yaml:1:1: error[C022]: analysis failed: internal error (RecursionError); '
         'this is a bug in archc\n'
         '  = help: run `archc check` on the file (with ARCHC_TRACEBACK=1) and report it'),
    ),
    DiagnosticCode(
        'C010', 'too many problems', 'error', 'caps',
        ('After 100 diagnostics in one file archc stops collecting and says so: a '
         'generated file can repeat one mistake a million times, and printing them all '
         'took minutes and a gigabyte.\n'
         '\n'
         'A file with 105 unquoted `on` values, e.g. `variables: {v0: on, v1: on, ...}` '
         'on line 5, prints the first 100 `Y001` errors, then:\n'
         '\n'
         '**Fix:** Fix the first errors (usually one mistake, repeated) and run again.'),
        ('$ archc check many.yaml\n'
         '...\n'
         'many.yaml:5:909: error[C010]: too many problems; stopped after the first 100\n'
         '  = help: fix these and run archc again\n'
         '101 errors'),
    ),
)
