"""The exit codes of every command, in a module of their own: `archc.cli` needs them
before it imports anything heavy.

Exit codes (also in docs/diagnostics.md):
    0  success (warnings allowed unless --strict)
    1  the spec has errors (located diagnostics were printed)
    2  usage or I/O problem (bad arguments, unreadable file, unknown variant)
    3  an optional dependency is missing (Keras and its backend for build and export,
       onnx and onnxruntime for export to ONNX, Graphviz `dot` for rendering, pygls for lsp)
    4  internal error: a bug in archc (please report it with the spec)
  130  interrupted
"""

EXIT_OK = 0
EXIT_SPEC = 1
EXIT_USAGE = 2
EXIT_MISSING_DEPENDENCY = 3
EXIT_INTERNAL = 4
EXIT_INTERRUPTED = 130
