"""Diagnostic codes of graph: shapes and structure (`G`):
title, severity, explanation and example of each.

Written from docs/diagnostics.md, the user-facing catalogue; tests/test_diagnostic_codes.py
checks that the two agree both ways (codes, titles, explanation and example text).
"""

from __future__ import annotations

from archc.diagnostic_codes.record import DiagnosticCode

CODES: tuple[DiagnosticCode, ...] = (
    DiagnosticCode(
        'G001', 'concat shape mismatch', 'error', 'graph',
        ('Concatenation joins channels; every other axis must agree. The message names '
         'all input shapes.\n'
         '\n'
         '**Fix:** Give the branches the same spatial size: `padding: same` and equal '
         'strides.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'layers:\n'
         '  - conv2d: {name: a, filters: 8, kernel_size: 3}\n'
         '  - conv2d: {name: b, inputs: input, filters: 8, kernel_size: 1}\n'
         '  - concat: {inputs: [a, b]}\n'
         '\n'
         'spec.yaml:7:5: error[G001]: concat needs equal shapes except the channel axis;'
         ' received 30x30x8, 32x32x8\n'
         '  |\n'
         '7 |   - concat: {inputs: [a, b]}\n'
         '  |     ^^^^^^\n'
         '  = help: give every branch the same spatial size (padding: same, equal '
         'strides)'),
    ),
    DiagnosticCode(
        'G002', 'add/multiply shape mismatch, or no projection', 'error', 'graph',
        ('`add` and `multiply` need equal shapes (an axis of size 1 broadcasts). For '
         '`residual`, an identity shortcut meets a body that changes the shape, or no '
         "1x1 projection with an integer stride maps the input onto the body's output "
         '("no 1x1 projection maps the shortcut 32x32x3 to the body\'s 30x30x8").\n'
         '\n'
         "**Fix:** Use `shortcut: auto` or `projection`, or keep the body's shape "
         '(`padding: same`, matching filters).'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'layers:\n'
         '  - residual:\n'
         '      shortcut: identity\n'
         '      body:\n'
         '        - conv2d: {filters: 16, kernel_size: 3, padding: same}\n'
         '\n'
         'spec.yaml:5:5: error[G002]: `add` needs equal shapes; received 32x32x3, '
         '32x32x16\n'
         '  |\n'
         '5 |   - residual:\n'
         '  |     ^^^^^^^^\n'
         '  = help: project the shortcut (shortcut: projection) or match filters and '
         'strides'),
    ),
    DiagnosticCode(
        'G003', 'connection table does not fit', 'error', 'graph',
        ('The table needs one row per filter; rows must not be empty or repeat a map; '
         'indices are 0-based input channels.\n'
         '\n'
         '**Fix:** Fix the row the message names.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [14, 14, 6]\n'
         'layers:\n'
         '  - conv2d: {filters: 2, kernel_size: 5, connections: [[0, 1, 2], [3, 4, 6]]}\n'
         '\n'
         'spec.yaml:5:5: error[G003]: row 1 of the connection table reads input map 6, '
         'but the input has only 6 channels (maps 0..5)\n'
         '  |\n'
         '5 |   - conv2d: {filters: 2, kernel_size: 5, connections: [[0, 1, 2], [3, 4, '
         '6]]}\n'
         '  |     ^^^^^^\n'
         "  = help: the table's indices are 0-based input channels"),
    ),
    DiagnosticCode(
        'G004', 'window larger than its input', 'error', 'graph',
        ('A kernel or pool window is larger than its padded input, so the output would '
         'be empty. A dilated kernel spans (k - 1) x d + 1 input positions per axis, as '
         'Keras computes it, and the message names that extent (`the 3x3 kernel of '
         '`conv2d` with dilation 5 spans 11x11 and is larger than its 8x8 input`); with '
         'explicit padding it names the padded size too.\n'
         '\n'
         '**Fix:** Use a smaller kernel or dilation, `padding: same`, or a larger input.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [4, 4, 3]\n'
         'layers:\n'
         '  - conv2d: {filters: 8, kernel_size: 5}\n'
         '\n'
         'spec.yaml:5:5: error[G004]: the 5x5 window of `conv2d` is larger than its 4x4 '
         'input\n'
         '  |\n'
         '5 |   - conv2d: {filters: 8, kernel_size: 5}\n'
         '  |     ^^^^^^\n'
         '  = help: use a smaller kernel or dilation, padding: same, or a larger input'),
    ),
    DiagnosticCode(
        'G005', 'wrong rank', 'error', 'graph',
        ('A spatial layer (convolution, pooling, padding, SE) needs an `HxWxC` input and'
         ' received a vector, or the like.\n'
         '\n'
         '**Fix:** Move the `flatten` / global pooling, or remove the spatial layer.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'layers:\n'
         '  - flatten\n'
         '  - conv2d: {filters: 8, kernel_size: 3}\n'
         '\n'
         'spec.yaml:6:5: error[G005]: `conv2d` needs an image-like H x W x C input; '
         'received 3072\n'
         '  |\n'
         '6 |   - conv2d: {filters: 8, kernel_size: 3}\n'
         '  |     ^^^^^^\n'
         '  = help: add a `flatten` or a global pooling layer before dense layers, or '
         'remove it before spatial ones'),
    ),
    DiagnosticCode(
        'G006', 'groups do not divide', 'error', 'graph',
        ('`groups` must divide both the input channels and `filters`.\n'
         '\n'
         '**Fix:** Choose a number of groups that divides both.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'layers:\n'
         '  - conv2d: {filters: 8, kernel_size: 3, groups: 2}\n'
         '\n'
         'spec.yaml:5:5: error[G006]: `groups: 2` must divide both the input channels '
         '(3) and `filters` (8)\n'
         '  |\n'
         '5 |   - conv2d: {filters: 8, kernel_size: 3, groups: 2}\n'
         '  |     ^^^^^^\n'
         '  = help: choose a number of groups that divides both'),
    ),
    DiagnosticCode(
        'G007', 'connections with groups or dilation', 'error', 'graph',
        ('A connection table already says which inputs each map reads; it cannot be '
         'combined with `groups`. Nor can it be dilated: the Keras backend has no '
         'dilated connection-table convolution, so archc refuses the pair at check time '
         '(message: "a conv2d with `connections` cannot be dilated: the Keras backend '
         'has no dilated connection-table convolution") instead of failing in `build`.\n'
         '\n'
         '**Fix:** Drop one of the two (a table can express any grouping; a dilated '
         'layer needs a dense or grouped convolution).'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [14, 14, 2]\n'
         'layers:\n'
         '  - conv2d: {filters: 2, kernel_size: 3, groups: 2, connections: [[0], [1]]}\n'
         '\n'
         'spec.yaml:5:5: error[G007]: a conv2d cannot have both `groups` and '
         '`connections`\n'
         '  |\n'
         '5 |   - conv2d: {filters: 2, kernel_size: 3, groups: 2, connections: [[0], '
         '[1]]}\n'
         '  |     ^^^^^^'),
    ),
    DiagnosticCode(
        'G008', 'cycle', 'error', 'graph',
        ('Layers read each other, directly or through a chain; the message shows the '
         'loop.\n'
         '\n'
         'A layer whose `inputs` names itself is the shortest loop: "the layer `a` reads'
         ' itself".\n'
         '\n'
         '**Fix:** Break the loop by reading an earlier layer.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'layers:\n'
         '  - dense: {name: a, inputs: b, units: 4}\n'
         '  - dense: {name: b, units: 4}\n'
         '\n'
         'spec.yaml:5:30: error[G008]: the layers form a cycle: a -> b -> a\n'
         '  |\n'
         '5 |   - dense: {name: a, inputs: b, units: 4}\n'
         '  |                              ^\n'
         '  = help: a network is acyclic; break the loop by reading an earlier layer'),
    ),
    DiagnosticCode(
        'G009', 'squeeze-excitation ratio too large', 'error', 'graph',
        ('`C // ratio` is 0: the bottleneck would have no units.\n'
         '\n'
         '**Fix:** Use a ratio of at most the channel count.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [8, 8, 8]\n'
         'layers:\n'
         '  - squeeze_excitation: {ratio: 16}\n'
         '\n'
         'spec.yaml:5:5: error[G009]: `ratio: 16` squeezes 8 channels to nothing\n'
         '  |\n'
         '5 |   - squeeze_excitation: {ratio: 16}\n'
         '  |     ^^^^^^^^^^^^^^^^^^\n'
         '  = help: use a ratio of at most 8'),
    ),
    DiagnosticCode(
        'G010', 'strides and dilation together', 'error', 'graph',
        ('A convolution (`conv2d`, `depthwise_conv2d`, `separable_conv2d`) has strides '
         'above 1 *and* dilation above 1. The shape would be well defined, but Keras '
         'refuses to build the layer, so archc refuses it at check time, where the spec '
         'line is, rather than after `build` has loaded TensorFlow.\n'
         '\n'
         '**Fix:** Keep the dilation and downsample in a separate layer, or drop the '
         'dilation.'),
        ('archc: 1\n'
         'name: dil\n'
         'input: [32, 32, 3]\n'
         'layers:\n'
         '  - conv2d: {name: c1, filters: 8, kernel_size: 3, strides: 2, dilation: 2}\n'
         '\n'
         'spec.yaml:5:5: error[G010]: `conv2d` has both strides 2 and dilation 2; the '
         'Keras backend supports strides above 1 or dilation above 1, not both\n'
         '  |\n'
         '5 |   - conv2d: {name: c1, filters: 8, kernel_size: 3, strides: 2, dilation: '
         '2}\n'
         '  |     ^^^^^^\n'
         '  = help: downsample in a separate layer (a pool or a strided 1x1 conv), or '
         'drop the dilation'),
    ),
    DiagnosticCode(
        'G011', 'no layers left', 'error', 'graph',
        ('Every layer item is removed by `when: false` (for the chosen variant), so the '
         'network would be its input passed through unchanged; Keras would build an '
         'identity model. archc refuses that instead: a variant that turns everything '
         'off is a mistake in the variant.\n'
         '\n'
         '**Fix:** Keep at least one layer in every variant.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'variables: {head: false}\n'
         'layers:\n'
         '  - flatten: {when: $head}\n'
         '  - dense: {units: 10, when: $head}\n'
         '\n'
         'spec.yaml:5:1: error[G011]: the network has no layers: every item is removed '
         'by `when: false`\n'
         '  |\n'
         '5 | layers:\n'
         '  | ^^^^^^\n'
         '  = help: keep at least one layer'),
    ),
    DiagnosticCode(
        'G012', 'cropping removes the whole input', 'error', 'graph',
        ('A `cropping2d` must leave at least one row and one column: the rows it cuts '
         "(top plus bottom) must be fewer than the input's height, and likewise the "
         'columns.\n'
         '\n'
         '**Fix:** Crop less, or crop a larger map.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'layers:\n'
         '  - cropping2d: {cropping: [16, 0]}\n'
         '\n'
         'spec.yaml:5:5: error[G012]: `cropping2d` removes 32 rows and 0 columns, but '
         'its input is 32x32x3\n'
         '  |\n'
         '5 |   - cropping2d: {cropping: [16, 0]}\n'
         '  |     ^^^^^^^^^^\n'
         '  = help: crop fewer than 32 rows and 32 columns'),
    ),
    DiagnosticCode(
        'G013', 'per-channel list does not match the channels', 'error', 'graph',
        ("A per-channel constant (`rescaling`'s `scale` and `offset`, `normalization`'s "
         '`mean` and `variance`) is one number for all channels or a list with one value'
         " per channel of the layer's input; this list has another length.\n"
         '\n'
         '**Fix:** Give one value per channel, or a single number.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'layers:\n'
         '  - rescaling: {scale: [0.5, 0.5]}\n'
         '\n'
         'spec.yaml:5:5: error[G013]: `scale` of `rescaling` has 2 values, but its input'
         ' 32x32x3 has 3 channels\n'
         '  |\n'
         '5 |   - rescaling: {scale: [0.5, 0.5]}\n'
         '  |     ^^^^^^^^^\n'
         '  = help: give one number for all channels, or a list of 3'),
    ),
    DiagnosticCode(
        'G014', 'reshape changes the number of values', 'error', 'graph',
        ('A `reshape` keeps every value: its entries must multiply to the size of its '
         'input, or, with one entry `-1`, the others must divide it.\n'
         '\n'
         '**Fix:** Give a shape with as many values as the input, or let one entry be '
         '`-1`.'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'layers:\n'
         '  - global_avg_pool2d: {}\n'
         '  - reshape: {shape: [1, 1, 1000]}\n'
         '\n'
         'spec.yaml:6:5: error[G014]: cannot reshape 3 (3 values) to [1, 1, 1000] (1,000'
         ' values)\n'
         '  |\n'
         '6 |   - reshape: {shape: [1, 1, 1000]}\n'
         '  |     ^^^^^^^\n'
         "  = help: the entries must multiply to the input's size; one may be -1"),
    ),
    DiagnosticCode(
        'G019', "channel slice outside the input's channels", 'error', 'graph',
        ('A `channel_slice` takes channels `start` to `stop` (`stop` excluded, counted '
         'from 0): it needs `start < stop <= channels` of its input.\n'
         '\n'
         '**Fix:** Count the channels from 0 and give `stop` one past the last channel '
         'you want (`{start: 16, stop: 32}` is the second half of 32 channels).'),
        ('archc: 1\n'
         'name: demo\n'
         'input: [32, 32, 3]\n'
         'layers:\n'
         '  - channel_slice: {start: 2, stop: 4}\n'
         '\n'
         'spec.yaml:5:5: error[G019]: `channel_slice` takes channels 2 to 4 (excluded), '
         'but its input is 32x32x3 (3 channels)\n'
         '  |\n'
         '5 |   - channel_slice: {start: 2, stop: 4}\n'
         '  |     ^^^^^^^^^^^^^\n'
         '  = help: `start` < `stop` <= 3; channels count from 0 and `stop` is excluded,'
         " as in Python's x[start:stop]"),
    ),
    DiagnosticCode(
        'G020', 'dfl input is not a box map', 'error', 'graph',
        ('`dfl` reads `H x W x (4 x bins)` maps, the box branch of a YOLOv8 head level '
         '(4 sides, each a distribution over `bins` distances): 64 channels with the '
         'default 16 bins.\n'
         '\n'
         '**Fix:** Pass only the box channels (`channel_slice: {start: 0, stop: 64}` of '
         'a head map whose first 64 channels are the box branch), or set `bins` to the '
         "map's channels / 4."),
        ('archc: 1\n'
         'name: demo\n'
         'input: [20, 20, 144]\n'
         'layers:\n'
         '  - dfl: {bins: 16}\n'
         '\n'
         'spec.yaml:5:5: error[G020]: `dfl` reads H x W x 64 box maps (4 sides x 16 '
         'bins); received 20x20x144\n'
         '  |\n'
         '5 |   - dfl: {bins: 16}\n'
         '  |     ^^^\n'
         '  = help: give it the box branch of each level, 64 channels (`channel_slice` '
         'them off a map that holds more), or set `bins`'),
    ),
)
