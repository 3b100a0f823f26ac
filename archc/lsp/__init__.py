"""`archc lsp`: a language server for spec files, so editors show what `archc check` says.

Diagnostics as you type, hover with shapes, params and MACs, completion, go to definition
and an outline. The features (`model`, `context`, `complete`, `hover`, `navigate`, `show`)
are plain Python over the pipeline's results; `documents` schedules the analyses of the
open documents (debounced, one at a time per document, under the budget of `budget`);
`server` speaks the protocol through pygls, an optional dependency
(`pip install 'archc-cnn[lsp]'`) imported only when the server starts, reading its input
through `stdio`.
Like every spec command, nothing here imports TensorFlow.
"""

from __future__ import annotations

INSTALL_HINT = "pip install 'archc-cnn[lsp]'"


class ServerUnavailable(Exception):
    """pygls is not installed: the CLI turns this into exit code 3."""


def serve(variant: str | None = None) -> None:
    """Run the language server on stdin/stdout."""
    try:
        from archc.lsp.server import serve as _serve
    except ImportError as exc:
        raise ServerUnavailable(f"`archc lsp` needs pygls ({exc.name or exc} is not "
                                f"installed); install it with {INSTALL_HINT}") from None
    _serve(variant)
