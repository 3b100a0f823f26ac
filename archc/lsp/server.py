"""The language server: pygls over stdio, translating archc's editor features to the protocol.

Documents are synced in full. Analysis is `documents.Documents`: debounced (a burst of
changes costs one compile), one analysis per document at a time, each under a time and
memory budget, publishing exactly the diagnostics `archc check` reports (tagged with the
document version), or C020-C022 when the analysis was stopped or failed. Requests (hover,
completion, definition, outline) wait for the analysis of the current version, then run in
a budgeted worker too, so no document, and no request, can hang the server.

Only documents the client opened are served: a request naming any other URI gets a
JSON-RPC error, and the server never reads a path a request names. Every request gets a
response or a JSON-RPC error; malformed parameters (a negative line, an object `id`) get
"invalid params" / "invalid request", and no error carries a Python traceback, in a
response or on stderr (`ArchcProtocol`, `_OneLine`).

Positions: archc counts 1-based code points; the protocol counts 0-based units of the
negotiated encoding (UTF-16 by default). pygls's position codec converts between them.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import attrs
from lsprotocol import types as lsp
from pygls.exceptions import (
    JsonRpcException,
    JsonRpcInvalidParams,
    JsonRpcInvalidRequest,
)
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.workspace import TextDocument
from pygls.workspace.position_codec import ServerTextPosition

from archc.diagnostics import Diagnostic, Severity, SourceSpan, visible
from archc.lsp.budget import Budget, run_budgeted
from archc.lsp.complete import Kind, complete
from archc.lsp.documents import DocState, Documents, Settings
from archc.lsp.hover import hover
from archc.lsp.model import Position, SpecModel
from archc.lsp.navigate import Symbol, definition, symbols
from archc.lsp.stdio import ReadAhead

VERSION = "0.1.0"
TRIGGERS = ["$", "[", "{", ","]

_SEVERITY = {Severity.ERROR: lsp.DiagnosticSeverity.Error,
             Severity.WARNING: lsp.DiagnosticSeverity.Warning,
             Severity.NOTE: lsp.DiagnosticSeverity.Information}
_COMPLETION_KIND = {
    Kind.LAYER_TYPE: lsp.CompletionItemKind.Class,
    Kind.STRUCTURE: lsp.CompletionItemKind.Keyword,
    Kind.BLOCK: lsp.CompletionItemKind.Module,
    Kind.FIELD: lsp.CompletionItemKind.Field,
    Kind.PARAMETER: lsp.CompletionItemKind.Property,
    Kind.VARIABLE: lsp.CompletionItemKind.Variable,
    Kind.VARIANT: lsp.CompletionItemKind.EnumMember,
    Kind.LAYER_NAME: lsp.CompletionItemKind.Reference,
    Kind.VALUE: lsp.CompletionItemKind.Value,
}
_SYMBOL_KIND = {
    "section": lsp.SymbolKind.Namespace,
    "block": lsp.SymbolKind.Class,
    "structure": lsp.SymbolKind.Struct,
    "block_use": lsp.SymbolKind.Object,
    "layer": lsp.SymbolKind.Field,
    "branch": lsp.SymbolKind.Namespace,
    "variable": lsp.SymbolKind.Variable,
    "variant": lsp.SymbolKind.EnumMember,
}

log = logging.getLogger("archc.lsp")
T = TypeVar("T")

STATS_COMMAND = "archc.stats"
"""`workspace/executeCommand`: the compile counters (how many analyses a burst cost)."""


# -- the protocol: every request answered, no traceback anywhere -----------------------------


class JsonRpcRequestFailed(JsonRpcException):
    """The protocol's RequestFailed: the request was valid but could not be answered."""

    CODE = -32803
    MESSAGE = "Request failed"


@attrs.define
class _Refused:
    """A message that could not be read: answer it with `error` if it was a request."""

    id: int | str | None
    error: JsonRpcException
    answer: bool
    jsonrpc: str = "2.0"


def _valid_id(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


class ArchcProtocol(LanguageServerProtocol):
    """pygls's protocol, answering what it would drop and never sending a traceback."""

    def structure_message(self, data: dict[str, Any]) -> Any:
        if "jsonrpc" not in data:
            return data  # a nested object: the converter handles it with its message
        if "id" in data and "method" in data and not _valid_id(data["id"]):
            return _Refused(None, JsonRpcInvalidRequest(
                "invalid request: the id must be a number or a string"), answer=True)
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            method = data.get("method")
            what = f"`{visible(str(method))[:80]}`" if isinstance(method, str) else "a message"
            error = (JsonRpcInvalidParams(f"invalid params for {what}: positions are "
                                          "non-negative integers, URIs and ids strings")
                     if isinstance(exc, JsonRpcInvalidParams)
                     else JsonRpcInvalidRequest(f"invalid request: {what} cannot be read"))
            return _Refused(data.get("id"), error,
                            answer="method" in data and _valid_id(data.get("id")))

    def handle_message(self, message: Any) -> None:
        if isinstance(message, _Refused):
            if message.answer and message.id is None:  # JSON-RPC: `"id": null`, kept
                self._send_data({"jsonrpc": "2.0", "id": None, "error": {
                    "code": message.error.code, "message": message.error.message}})
            elif message.answer:
                self._send_response(message.id, error=message.error.to_response_error())
            else:
                log.warning("ignored a message that cannot be read: %s", message.error.message)
            return
        if self._shutdown and isinstance(getattr(message, "method", None), str) \
                and getattr(message, "id", None) is not None and message.method != "exit":
            # The protocol: after `shutdown`, requests get an error (pygls drops them).
            self._send_response(message.id, error=JsonRpcInvalidRequest(
                "the server is shutting down").to_response_error())
            return
        super().handle_message(message)

    def _send_response(self, msg_id: Any, result: Any = None,
                       error: lsp.ResponseError | None = None) -> None:
        if error is not None:  # pygls puts the Python stack in `data`: never send it
            first = (error.message or "error").splitlines()[0] if error.message else "error"
            error = lsp.ResponseError(code=error.code, message=first[:500])
        super()._send_response(msg_id, result, error)


class _OneLine(logging.Formatter):
    """Log records as one line without a traceback (pygls logs handler errors with one)."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage().splitlines()
        first = message[0] if message else ""
        if record.exc_info and record.exc_info[1] is not None:
            first += f" ({type(record.exc_info[1]).__name__})"
        return visible(f"archc lsp: {record.levelname.lower()}: {first}")[:1000]


# -- the server -------------------------------------------------------------------------------


class ArchcServer(LanguageServer):
    """pygls's server plus the open documents and their analyses."""

    def __init__(self, variant: str | None = None) -> None:
        super().__init__("archc", VERSION, protocol_cls=ArchcProtocol,
                         text_document_sync_kind=lsp.TextDocumentSyncKind.Full)
        self.settings = Settings(variant=variant)
        self.documents = Documents(self.settings, self._publish)

    def report_server_error(self, error: Exception, source: Any) -> None:
        log.error("%s", error)  # one line; a request's error is in its response

    def _publish(self, state: DocState, diagnostics: list[Diagnostic]) -> None:
        doc = self.workspace.get_text_document(state.uri)
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(
            uri=state.uri, version=state.version,
            diagnostics=[to_diagnostic(doc, d) for d in diagnostics]))

    async def served(self, uri: str) -> tuple[TextDocument, DocState]:
        """The open document `uri` once analysed; a JSON-RPC error for any other URI."""
        state = await self.documents.current(uri)
        if state is None:
            shown = visible(uri)[:200]
            raise JsonRpcInvalidParams(f"archc answers only about documents the client "
                                       f"opened (textDocument/didOpen); not open: {shown}")
        return self.workspace.get_text_document(uri), state

    async def compute(self, job: Callable[[], T]) -> T:
        """A feature's answer, computed under the budget like an analysis."""
        outcome = await run_budgeted(job, self.settings.budget, "archc-request")
        if outcome.stopped is not None:
            raise JsonRpcRequestFailed(f"archc stopped this request: it ran past the "
                                       f"{outcome.stopped} budget")
        if outcome.error is not None:
            log.error("archc: a request failed: %s", type(outcome.error).__name__)
            raise JsonRpcRequestFailed("archc could not answer: internal error "
                                       f"({type(outcome.error).__name__})")
        return outcome.value  # type: ignore[return-value]


def _configure(ls: ArchcServer, options: Any) -> None:
    """`initializationOptions`: budgetSeconds, budgetMemoryMB, debounceMs (docs/editors.md)."""
    if not isinstance(options, dict):
        return
    limits = ls.settings.budget
    seconds = _number(options.get("budgetSeconds"), limits.seconds, 0.01, 3600)
    memory = _number(options.get("budgetMemoryMB"), limits.memory_mb, 16, 1 << 20)
    ls.settings.budget = Budget(seconds, int(memory))
    ls.settings.debounce = _number(options.get("debounceMs"), ls.settings.debounce * 1000,
                                   0, 10_000) / 1000


def _number(value: Any, default: float, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    return float(min(max(value, low), high))


def create_server(variant: str | None = None) -> ArchcServer:
    """A server with every feature registered (`archc lsp` runs it on stdio)."""
    server = ArchcServer(variant)

    @server.feature(lsp.INITIALIZE)
    def on_initialize(ls: ArchcServer, params: lsp.InitializeParams) -> None:
        _configure(ls, params.initialization_options)

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: ArchcServer, params: lsp.DidOpenTextDocumentParams) -> None:
        item = params.text_document
        doc = ls.workspace.get_text_document(item.uri)
        ls.documents.opened(item.uri, doc.path or item.uri, item.version, item.text)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: ArchcServer, params: lsp.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        if uri in ls.documents.open:  # pygls applied the change to its copy
            ls.documents.changed(uri, params.text_document.version,
                                 ls.workspace.get_text_document(uri).source)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: ArchcServer, params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        if uri in ls.documents.open:
            ls.documents.closed(uri)
            ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(
                uri=uri, diagnostics=[]))

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    async def on_hover(ls: ArchcServer, params: lsp.HoverParams) -> lsp.Hover | None:
        doc, state = await ls.served(params.text_document.uri)
        model, last_good = state.model, state.last_good
        if model is None:
            return None
        found = await ls.compute(lambda: hover(model, from_client(doc, params.position),
                                               last_good))
        if found is None:
            return None
        return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown,
                                                    value=found.markdown),
                         range=to_range(doc, found.span))

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    async def on_definition(ls: ArchcServer,
                            params: lsp.DefinitionParams) -> lsp.Location | None:
        doc, state = await ls.served(params.text_document.uri)
        model = state.model
        if model is None:
            return None
        span = await ls.compute(lambda: definition(model, from_client(doc, params.position)))
        return lsp.Location(uri=doc.uri, range=to_range(doc, span)) if span is not None else None

    @server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    async def on_symbols(ls: ArchcServer,
                         params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol]:
        doc, state = await ls.served(params.text_document.uri)
        model = state.model
        if model is None:
            return []
        return await ls.compute(lambda: [to_symbol(doc, s) for s in symbols(model)])

    @server.feature(lsp.TEXT_DOCUMENT_COMPLETION,
                    lsp.CompletionOptions(trigger_characters=TRIGGERS))
    async def on_completion(ls: ArchcServer, params: lsp.CompletionParams) -> lsp.CompletionList:
        doc, state = await ls.served(params.text_document.uri)
        model = state.model
        if model is None:
            return lsp.CompletionList(is_incomplete=False, items=[])
        return await ls.compute(lambda: _completions(doc, model, params.position))

    @server.command(STATS_COMMAND)
    def on_stats(ls: ArchcServer, *args: Any) -> dict[str, Any]:
        return {"compiles": ls.documents.compiles,
                "documents": {uri: s.compiles for uri, s in ls.documents.open.items()}}

    return server


def _completions(doc: TextDocument, model: SpecModel,
                 position: lsp.Position) -> lsp.CompletionList:
    found = complete(model, from_client(doc, position))
    edit_range = lsp.Range(start=to_client(doc, found.replace_from),
                           end=to_client(doc, found.replace_to))
    items = [lsp.CompletionItem(
        label=c.label, kind=_COMPLETION_KIND[c.kind], detail=c.detail or None,
        documentation=c.documentation or None, filter_text=c.label,
        sort_text=f"{i:04d}", text_edit=lsp.TextEdit(range=edit_range, new_text=c.label))
        for i, c in enumerate(found.items)]
    return lsp.CompletionList(is_incomplete=False, items=items)


# -- conversions ------------------------------------------------------------------------------


def from_client(doc: TextDocument, position: lsp.Position) -> Position:
    server = doc.position_from_client_units(position)
    return (server.line + 1, server.character + 1)


def to_client(doc: TextDocument, pos: Position) -> lsp.Position:
    """A 1-based code-point position in the client's units, clamped into the document.

    libyaml puts an end-of-input problem on the line after the last one; an editor cannot
    show a range there, so it moves to the end of the last line.
    """
    lines = doc.lines
    line, col = pos[0] - 1, max(0, pos[1] - 1)
    if line >= len(lines):
        line = max(0, len(lines) - 1)
        col = len(lines[line].rstrip("\r\n")) if lines else 0
    return doc.position_to_client_units(ServerTextPosition(line=line, character=col))


def to_range(doc: TextDocument, span: SourceSpan) -> lsp.Range:
    """A span's range; a span that marks only a start covers the token there."""
    start = (span.line, span.col)
    if span.end_line == span.line and span.end_col > span.col:
        end = (span.line, span.end_col)
    else:
        end = (span.line, span.col + _token_length(doc.lines, span.line, span.col))
    return lsp.Range(start=to_client(doc, start), end=to_client(doc, end))


def _token_length(lines: Sequence[str], line: int, col: int) -> int:
    if not 0 < line <= len(lines):
        return 0
    text = lines[line - 1].rstrip("\r\n")[col - 1:]
    stripped = text.split(" ", 1)[0].split("\t", 1)[0]
    return max(1, len(stripped)) if text else 0


def to_diagnostic(doc: TextDocument, d: Diagnostic) -> lsp.Diagnostic:
    """An archc diagnostic as the protocol's: code, message, then the notes and the help."""
    message = "\n".join([d.message, *(f"note: {n}" for n in d.notes),
                         *([f"help: {d.help}"] if d.help else [])])
    span = d.span if d.span is not None and d.span.line >= 1 else SourceSpan("", 1, 1)
    return lsp.Diagnostic(range=to_range(doc, span), message=message,
                          severity=_SEVERITY[d.severity], code=d.code, source="archc")


def to_symbol(doc: TextDocument, s: Symbol) -> lsp.DocumentSymbol:
    selection = to_range(doc, s.selection)
    whole = lsp.Range(start=to_client(doc, s.range[0]), end=to_client(doc, s.range[1]))
    if (whole.end.line, whole.end.character) < (selection.end.line, selection.end.character):
        whole = lsp.Range(start=whole.start, end=selection.end)
    return lsp.DocumentSymbol(name=s.name or "?", kind=_SYMBOL_KIND.get(s.kind,
                              lsp.SymbolKind.Field), range=whole, selection_range=selection,
                              detail=s.detail or None,
                              children=[to_symbol(doc, c) for c in s.children])


def serve(variant: str | None = None) -> None:
    """Run the server on stdin/stdout until the client says exit."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    server = create_server(variant)
    try:
        stdin: Any = ReadAhead(sys.stdin.fileno())
        server.documents.busy = stdin.pending
    except (OSError, ValueError):  # no file descriptor (an embedded stdin): read as pygls does
        stdin = None
    server.start_io(stdin=stdin)
