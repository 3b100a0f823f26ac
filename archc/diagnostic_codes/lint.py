"""Diagnostic codes of lint (`L`), design warnings and `lint:` mistakes:
title, severity, explanation and example of each.

Written from docs/diagnostics.md, the user-facing catalogue; tests/test_diagnostic_codes.py
checks that the two agree both ways (codes, titles, explanation and example text).
"""

from __future__ import annotations

from archc.diagnostic_codes.record import DiagnosticCode

CODES: tuple[DiagnosticCode, ...] = (
    DiagnosticCode(
        'L001', 'large kernel a 3x3 stack would replace', 'warning', 'lint',
        ('A kxk convolution (k ≥ 5, stride 1) costs more than (k-1)/2 stacked 3x3 with '
         'the same field.\n'
         '\n'
         '**Fix:** two `conv2d` with `kernel_size: 3`, each with an activation.'),
        ('spec.yaml:5:5: warning[L001]: 5x5 convolution `wide` (64 -> 64 channels) can '
         'be 2 stacked 3x3 convolutions with the same 5x5 receptive field: 73,856 '
         'instead of 102,464 params (27.9% fewer), 75,497,472 instead of 104,857,600 '
         'MACs (28.0% fewer)'),
    ),
    DiagnosticCode(
        'L002', 'filters not doubled after downsampling', 'warning', 'lint',
        ("A layer halves the feature map's height and width but the channels after it do"
         ' not double: each stage then carries less information than the one before (VGG'
         ' and ResNet double the filters at every downsampling).\n'
         '\n'
         '**Fix:** double the filters of the convolutions after the pool (here 128).'),
        ('spec.yaml:6:5: warning[L002]: `pool1` halves the feature map (32x32 -> 16x16) '
         'but the widest map at 16x16 has 96 channels, fewer than 2 x the 64 entering it'
         ' (128)'),
    ),
    DiagnosticCode(
        'L003', 'local response normalisation', 'warning', 'lint',
        ('An `lrn` layer (local response normalisation): batch normalisation superseded '
         'it, and VGG found LRN did not improve its results.\n'
         '\n'
         '**Fix:** `batch_norm: {}` after the convolution instead of `lrn`.'),
        ('spec.yaml:6:5: warning[L003]: local response normalisation `norm1` has been '
         'superseded by batch normalisation'),
    ),
    DiagnosticCode(
        'L004', 'depthwise-separable candidate (off by default)', 'warning', 'lint',
        ('A plain `conv2d` whose depthwise-separable version (depthwise then 1x1) would '
         'need at least 80% fewer MACs. Off by default: it fires on most 3x3 '
         'convolutions.\n'
         '\n'
         '**Fix:** `separable_conv2d` with the same filters and kernel.'),
        ('spec.yaml:6:5: warning[L004]: standard convolution `conv`: N x Dp^2 x Dk^2 x M'
         ' = 512 x 14^2 x 3^2 x 512 = 462,422,016 MACs; depthwise-separable: M x Dp^2 x '
         '(Dk^2 + N) = 512 x 14^2 x (3^2 + 512) = 52,283,392 MACs (88.7% fewer)'),
    ),
    DiagnosticCode(
        'L005', 'squeeze-excitation ratio far from 16', 'warning', 'lint',
        ('A `squeeze_excitation` whose reduction ratio is outside 8 to 32; the SE paper '
         'chose 16 as a good balance of accuracy and cost.\n'
         '\n'
         '**Fix:** `ratio: 16`.'),
        ('spec.yaml:5:5: warning[L005]: squeeze-excitation `se` reduces 256 channels to '
         '64 (ratio 4), far from 16'),
    ),
    DiagnosticCode(
        'L006', 'dense layers hold most parameters', 'warning', 'lint',
        ("Dense layers hold more than half of the network's parameters, usually a "
         '`flatten` before a large `dense` where a global pooling would do.\n'
         '\n'
         '**Fix:** `global_avg_pool2d: {}` instead of `flatten: {}` before the '
         'classifier.'),
        ('spec.yaml:8:5: warning[L006]: dense layers hold 8,394,250 of 8,396,042 params '
         '(100.0%); `fc1` alone holds 8,389,120 (99.9%)'),
    ),
    DiagnosticCode(
        'L007', 'two convolutions with no non-linearity between', 'warning', 'lint',
        ('A convolution reads another with no non-linearity between them (only batch '
         'norm, dropout, padding, average pooling or a `linear` activation): the pair is'
         ' one linear map that a single convolution could express.\n'
         '\n'
         '**Fix:** an activation on the first convolution, or an `activation` layer '
         'after its batch norm.'),
        ('spec.yaml:7:5: warning[L007]: convolutions `a` and `b` follow each other with '
         'no non-linearity (only batch_norm between): together they are one linear map'),
    ),
    DiagnosticCode(
        'L008', '1x1 reduction wider than the convolution it feeds', 'warning', 'lint',
        ('A 1x1 reduction feeds a larger-kernel convolution with fewer filters than the '
         'reduction has, so it makes that convolution dearer instead of cheaper.\n'
         '\n'
         '**Fix:** give the 1x1 convolution at most as many filters as the convolution '
         'after it.'),
        ('spec.yaml:5:5: warning[L008]: 1x1 reduction `reduce3x3` (192 -> 160 channels) '
         'is wider than the 3x3 convolution `conv3x3` it feeds (160 -> 128)'),
    ),
    DiagnosticCode(
        'L009', 'receptive field misses the input, or outgrows it early', 'warning', 'lint',
        ('A classifier whose globally pooled features never see the whole input, or '
         'whose field covers the input four times over while half of its windows are '
         'still to come ([receptive-field.md](receptive-field.md)).\n'
         '\n'
         '**Fix:** grow the field before the head (another stage, larger or dilated '
         'kernels, more 3x3 layers at the lowest resolution); for the second case, a '
         'larger input or fewer layers.'),
        ('spec.yaml:7:5: warning[L009]: `conv2`, the last layer before the head of '
         '`predictions`, sees 8x8 of the 32x32 input (25% of its height and width): the '
         'classifier pools features that never saw the whole image'),
    ),
    DiagnosticCode(
        'L100', 'unknown key in `lint`', 'error', 'lint',
        ('`lint:` accepts `disable`, `enable` and `settings`.\n'
         '\n'
         '**Fix:** spell the key as suggested.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'lint:\n'
         '  disabel: [L003]\n'
         'layers:\n'
         '  - conv2d: {filters: 8, kernel_size: 3}\n'
         '\n'
         '$ archc lint spec.yaml\n'
         'spec.yaml:5:3: error[L100]: unknown key `disabel` in `lint`\n'
         '  |\n'
         '5 |   disabel: [L003]\n'
         '  |   ^^^^^^^\n'
         '  = help: did you mean `disable`?'),
    ),
    DiagnosticCode(
        'L101', 'wrong shape of a `lint` entry', 'error', 'lint',
        ('`disable` and `enable` take lists; `settings` maps rules to mappings of '
         'settings.\n'
         '\n'
         '**Fix:** `enable: [L004]`.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'lint:\n'
         '  enable: L004\n'
         'layers:\n'
         '  - conv2d: {filters: 8, kernel_size: 3}\n'
         '\n'
         '$ archc lint spec.yaml\n'
         'spec.yaml:5:11: error[L101]: `lint.enable` must be a list of rule codes or '
         'names\n'
         '  |\n'
         '5 |   enable: L004\n'
         '  |           ^^^^\n'
         '  = help: for example `enable: [L003]`'),
    ),
    DiagnosticCode(
        'L102', 'unknown lint rule', 'error', 'lint',
        ("A code or name in the spec's `lint: {enable: [...]}`, `disable` or `settings` "
         'that is no lint rule.\n'
         '\n'
         '**Fix:** use a code or name from `archc lint --list-rules`. On the command '
         'line (`--disable L03`) the same mistake is a usage error (exit 2).'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'lint:\n'
         '  disable: [L03]\n'
         'layers:\n'
         '  - conv2d: {filters: 8, kernel_size: 3}\n'
         '\n'
         '$ archc lint spec.yaml\n'
         'spec.yaml:5:13: error[L102]: unknown lint rule `L03`\n'
         '  |\n'
         '5 |   disable: [L03]\n'
         '  |             ^^^\n'
         '  = help: did you mean `L003`?'),
    ),
    DiagnosticCode(
        'L103', 'unknown setting of a rule', 'error', 'lint',
        ('A key under `lint: {settings: {RULE: {...}}}` that the rule does not have.\n'
         '\n'
         '**Fix:** the settings of each rule are listed in '
         '[lint-rules.md](lint-rules.md).'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'lint:\n'
         '  settings:\n'
         '    L005: {max_ration: 24}\n'
         'layers:\n'
         '  - conv2d: {filters: 8, kernel_size: 3}\n'
         '\n'
         '$ archc lint spec.yaml\n'
         'spec.yaml:6:12: error[L103]: rule L005 (se-ratio) has no setting `max_ration`\n'
         '  |\n'
         '6 |     L005: {max_ration: 24}\n'
         '  |            ^^^^^^^^^^\n'
         '  = help: did you mean `max_ratio`?'),
    ),
    DiagnosticCode(
        'L104', 'setting is not a positive number', 'error', 'lint',
        ('A rule setting must be a finite number above zero: `0`, `-1`, `true`, text, '
         '`.nan`, `.inf` and numbers too large for a float (`1e400`) are refused.\n'
         '\n'
         '**Fix:** a positive number; the help line gives the default.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'lint:\n'
         '  settings:\n'
         '    L005: {max_ratio: 0}\n'
         'layers:\n'
         '  - conv2d: {filters: 8, kernel_size: 3}\n'
         '\n'
         '$ archc lint spec.yaml\n'
         'spec.yaml:6:23: error[L104]: setting `max_ratio` of L005 must be a positive '
         'number; found `0`\n'
         '  |\n'
         '6 |     L005: {max_ratio: 0}\n'
         '  |                       ^\n'
         '  = help: the default is 32'),
    ),
)
