"""What the block and structure expanders may ask of the lowering walk (`lowerer.py`).

The walk owns the order of items and what happens to one plain layer; `blocks.py` and
`structures.py` expand the items that hold other items. They need the walk back (a body
is a list of items, walked like any other), so they receive it through this narrow
Protocol instead of inheriting from it: each module is whole on its own, and the only
calls between them are the ones named here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from archc.diagnostics import DiagnosticSink, SourceSpan
from archc.lower.memo import ExpansionMemo
from archc.lower.names import Ctx
from archc.lower.nodes import Caps, Emitter
from archc.lower.values import Values
from archc.spec.loader import Document, Path

if TYPE_CHECKING:
    from archc.spec.schema import LayerCommon, SpecHeader


class Walker(Protocol):
    """The lowering walk as the expanders see it: the spec, where diagnostics and nodes go,
    and the walk's own steps."""

    doc: Document
    header: SpecHeader
    variables: dict[str, Any]
    sink: DiagnosticSink
    caps: Caps
    em: Emitter
    values: Values
    expansions: ExpansionMemo | None
    """Reuse of repeated expansions (`lower.memo`), when the caller asked for it."""

    def sequence(self, items: Any, path: Path, ctx: Ctx) -> str | None:
        """Lower a list of items in `ctx`; the last one's output."""
        ...

    def validate(self, model: str, kind: str, args: dict[str, Any],
                 arg_paths: dict[str, Path], path: Path) -> Any:
        """`args` checked against the model named `model` (`validate.validate_model`),
        reported where each is written; None when invalid."""
        ...

    def finish(self, node: str | None, parsed: LayerCommon, ctx: Ctx, span: SourceSpan,
               local: str | None = None) -> str | None:
        """Register an item's output under its name and as a model output if asked."""
        ...

    def poison(self, raw: dict[str, Any], ctx: Ctx, path: Path, kind: str) -> str | None:
        """Register a failed item's name so later reads do not cascade; None."""
        ...

    def sources(self, parsed: LayerCommon, arg_paths: dict[str, Path], path: Path, ctx: Ctx,
                merge: bool = False, several: bool = False, pair: bool = False
                ) -> list[str] | None:
        """The nodes an item reads (its `inputs`, else the previous item's output)."""
        ...
