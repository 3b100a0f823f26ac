"""Diagnostic codes of Keras build and export (`B`):
title, severity, explanation and example of each.

Written from docs/diagnostics.md, the user-facing catalogue; tests/test_diagnostic_codes.py
checks that the two agree both ways (codes, titles, explanation and example text).
"""

from __future__ import annotations

from archc.diagnostic_codes.record import DiagnosticCode

CODES: tuple[DiagnosticCode, ...] = (
    DiagnosticCode(
        'B001', "Keras refused a layer's arguments", 'error', 'build',
        ('Keras raised an error while making the layer. The spec is consistent (its '
         'shapes and costs are well defined), but Keras does not support the '
         'combination. Every combination archc knows Keras to refuse is refused at check'
         ' time instead (a strided *and* dilated convolution is `G010`, sizes beyond 32 '
         'bits are `S004`), so this code is a safety net for restrictions of other Keras'
         " versions. It keeps the first line of Keras's message:\n"
         '\n'
         '**Fix:** change the arguments Keras names.'),
        ('spec.yaml:5:5: error[B001]: Keras refused to build `c1` (conv2d): `strides > '
         '1` not supported in conjunction with `dilation_rate > 1`. Received: '
         'strides=(2, 2) and dilation_rate=(2, 2)\n'
         '  |\n'
         '5 |   - conv2d: {name: c1, filters: 8, kernel_size: 3, strides: 2, dilation: '
         '2}\n'
         '  |     ^^^^^^\n'
         '  = help: the spec is consistent, but Keras does not support this combination '
         "of arguments; change the layer's arguments\n"
         '1 error'),
    ),
    DiagnosticCode(
        'B002', 'the Keras backend cannot express a layer', 'error', 'build',
        ("The layer is valid archc, but archc's Keras backend has no implementation of "
         'it, for example a convolution with a connection table (`connections:`) that is'
         ' also dilated. archc refuses that combination at check time (`G007`), so '
         "`B002` is the backend's own guard for a graph built without the checks "
         '(through the Python API):\n'
         '\n'
         '**Fix:** drop `dilation`, or drop `connections` and use a plain (or grouped) '
         'convolution.'),
        ('spec.yaml:5:5: error[B002]: the Keras backend cannot build `c` (conv2d): a '
         'convolution with a connection table cannot be dilated in the Keras backend\n'
         '  |\n'
         '5 |   - conv2d: {name: c, filters: 2, kernel_size: 3, dilation: 2, '
         'connections: [[0], [0, 1]]}\n'
         '  |     ^^^^^^\n'
         '  = help: drop `dilation`, or drop `connections` and use a dense convolution\n'
         '1 error'),
    ),
    DiagnosticCode(
        'B003', 'the format cannot express a layer', 'error', 'build',
        ("The export format has no way to write one of the network's layers. Every layer"
         ' type archc has is expressible in ONNX, TFLite and SavedModel today '
         '(docs/export.md), so this code is the guard for a layer type added to the '
         'Keras backend without an ONNX rule. It names the layer, its Keras class and '
         'the format:\n'
         '\n'
         '**Fix:** export to another format, or use layers the format can express.'),
        ('spec.yaml:6:5: error[B003]: ONNX cannot express `norm` (Keras layer '
         'LocalResponseNormalization): archc has no ONNX rule for the Keras layer class '
         'LocalResponseNormalization\n'
         '  |\n'
         '6 |   - lrn: {name: norm}\n'
         '  |     ^^^\n'
         '  = help: export this network to another format, or replace `norm` with layers'
         ' ONNX can express (docs/export.md lists them)\n'
         '1 error'),
    ),
    DiagnosticCode(
        'B004', 'the converter refused the model', 'error', 'build',
        ("The format's own converter (TensorFlow's TFLite converter, Keras's SavedModel "
         'export) raised an error. The first line of its message is kept; when the '
         "message names one of the network's layers, the diagnostic points at that "
         "layer's spec line, else it has no location:\n"
         '\n'
         '**Fix:** try another format; report it with the spec if it builds with `archc '
         'build`.'),
        ('spec.yaml:5:5: error[B004]: the TFLite converter refused the model at `c1`: '
         "'tf.Conv2D' op is neither a custom op nor a flex op (at c1/convolution)\n"
         '  |\n'
         '5 |   - conv2d: {name: c1, filters: 4, kernel_size: 3}\n'
         '  |     ^^^^^^\n'
         '  = help: another format may express it (docs/export.md); if the spec builds '
         'with `archc build`, please report this with the spec\n'
         '1 error'),
    ),
    DiagnosticCode(
        'B005', 'the exported model disagrees with Keras', 'error', 'build',
        ("The artefact's runtime (onnxruntime, the TFLite interpreter, a reloaded "
         "SavedModel) returned outputs that differ from the Keras model's on the same "
         'random batch by more than 1e-4 of the largest output. Nothing is written (the '
         'previous file stays), and the exit code is 4: the spec is not at fault, '
         "archc's ONNX rules or the converter are.\n"
         '\n'
         '**Fix:** report it with the spec and the format.'),
        ('archc: error: [B005] the ONNX model disagrees with the Keras model, so nothing'
         ' was written: onnxruntime 1.32.0 on a random batch of 2: max |difference| 1 '
         '(largest output 0.136, tolerance 1.36e-05). This is a bug in archc or the '
         'converter; please report it with the spec.'),
    ),
)
