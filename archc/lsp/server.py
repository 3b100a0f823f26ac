"""The language server: pygls over stdio, translating archc's editor features to the protocol.

Documents are synced in full. Each change schedules one compile of the latest text (a
burst of changes that arrive before it runs costs one compile), then publishes exactly the
diagnostics `archc check` reports, tagged with the document version they belong to.
Requests (hover, completion, definition, outline) use the model of the current text,
compiling it first if a change has not been compiled yet.

Positions: archc counts 1-based code points; the protocol counts 0-based units of the
negotiated encoding (UTF-16 by default). pygls's position codec converts between them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument
from pygls.workspace.position_codec import ServerTextPosition

from archc.diagnostics import Diagnostic, Severity, SourceSpan
from archc.lsp.complete import Kind, complete
from archc.lsp.hover import hover
from archc.lsp.model import Models, Position, SpecModel
from archc.lsp.navigate import Symbol, definition, symbols

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


class ArchcServer(LanguageServer):
    """pygls's server plus the models of the open documents."""

    def __init__(self, variant: str | None = None) -> None:
        super().__init__("archc", VERSION,
                         text_document_sync_kind=lsp.TextDocumentSyncKind.Full)
        self.models = Models(variant)
        self.pending: set[str] = set()

    def model(self, uri: str) -> tuple[TextDocument, SpecModel | None]:
        doc = self.workspace.get_text_document(uri)
        try:
            return doc, self.models.get(uri, doc.version, doc.source, doc.path or uri)
        except Exception as exc:  # a bug in archc must not take the editor's server down
            log.exception("archc failed on %s", uri)
            self.window_log_message(lsp.LogMessageParams(
                type=lsp.MessageType.Error, message=f"archc: internal error on {uri}: {exc!r}"))
            return doc, None

    def schedule(self, uri: str) -> None:
        """Compile and publish soon; changes arriving before then share one compile."""
        if uri in self.pending:
            return
        self.pending.add(uri)
        asyncio.get_running_loop().call_soon(self.publish, uri)

    def publish(self, uri: str) -> None:
        self.pending.discard(uri)
        if uri not in self.workspace.text_documents:
            return  # closed meanwhile
        doc, model = self.model(uri)
        if model is None:
            return
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(
            uri=uri, version=doc.version,
            diagnostics=[to_diagnostic(doc, d) for d in model.diagnostics]))


def create_server(variant: str | None = None) -> ArchcServer:
    """A server with every feature registered (`archc lsp` runs it on stdio)."""
    server = ArchcServer(variant)

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: ArchcServer, params: lsp.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: ArchcServer, params: lsp.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: ArchcServer, params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.models.drop(uri)
        ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def on_hover(ls: ArchcServer, params: lsp.HoverParams) -> lsp.Hover | None:
        doc, model = ls.model(params.text_document.uri)
        if model is None:
            return None
        found = hover(model, from_client(doc, params.position))
        if found is None:
            return None
        return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown,
                                                    value=found.markdown),
                         range=to_range(doc, found.span))

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    def on_definition(ls: ArchcServer,
                      params: lsp.DefinitionParams) -> lsp.Location | None:
        doc, model = ls.model(params.text_document.uri)
        if model is None:
            return None
        span = definition(model, from_client(doc, params.position))
        return lsp.Location(uri=doc.uri, range=to_range(doc, span)) if span is not None else None

    @server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def on_symbols(ls: ArchcServer,
                   params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol]:
        doc, model = ls.model(params.text_document.uri)
        return [to_symbol(doc, s) for s in symbols(model)] if model is not None else []

    @server.feature(lsp.TEXT_DOCUMENT_COMPLETION,
                    lsp.CompletionOptions(trigger_characters=TRIGGERS))
    def on_completion(ls: ArchcServer, params: lsp.CompletionParams) -> lsp.CompletionList:
        doc, model = ls.model(params.text_document.uri)
        if model is None:
            return lsp.CompletionList(is_incomplete=False, items=[])
        found = complete(model, from_client(doc, params.position))
        edit_range = lsp.Range(start=to_client(doc, found.replace_from),
                               end=to_client(doc, found.replace_to))
        items = [lsp.CompletionItem(
            label=c.label, kind=_COMPLETION_KIND[c.kind], detail=c.detail or None,
            documentation=c.documentation or None, filter_text=c.label,
            sort_text=f"{i:04d}", text_edit=lsp.TextEdit(range=edit_range, new_text=c.label))
            for i, c in enumerate(found.items)]
        return lsp.CompletionList(is_incomplete=False, items=items)

    return server


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
    create_server(variant).start_io()
