"""`archc export SPEC --format onnx|tflite|savedmodel`: a deployable model, verified.

The order is the output policy's (docs/reliability.md): the converter and runtime are
looked up, the spec compiled and the target checked before TensorFlow is imported; the
artefact is written under a temporary name, run by its own runtime against the Keras
model on a random batch, and renamed into place only if they agree (docs/export.md).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from archc.cli.exit_codes import EXIT_INTERNAL, EXIT_OK
from archc.cli.plumbing import (
    CommandFailed,
    MissingDependency,
    checked_path,
    compile_spec,
    say,
    stem,
)
from archc.diagnostics import Diagnostic, SpecError
from archc.ir import Node

LIMITATION = "B003"
REFUSED = "B004"
DISAGREES = "B005"


def cmd_export(args: argparse.Namespace) -> int:
    """Compile, build, convert, verify in the target runtime, then move into place."""
    from archc.backends.keras.export import DEFAULT_SUFFIX, LABELS, missing_dependency

    fmt = args.format
    missing = missing_dependency(fmt)
    if missing is not None:  # before the spec is compiled or TensorFlow loads
        raise MissingDependency(missing)
    compiled = compile_spec(args.spec, args)
    assert compiled.analysis is not None
    base = stem(args.spec) + (f"-{compiled.variant}" if compiled.variant else "")
    inputs = [args.spec]
    target = checked_path(args.output or base + DEFAULT_SUFFIX[fmt], inputs,
                          saved_model=fmt == "savedmodel")

    def progress(message: str) -> None:
        if not args.quiet:
            say(f"archc: {message}")
            sys.stderr.flush()

    model, origins = _build(compiled.analysis, progress)
    verification = _export(model, origins, fmt, target, inputs, progress)
    label = compiled.graph.name + (f" [{compiled.variant}]" if compiled.variant else "")
    say(f"{label}: {LABELS[fmt]} -> {target}; verified with {verification.describe()}",
        sys.stdout)
    return EXIT_OK


def _build(analysis: Any, progress: Any) -> tuple[Any, dict[str, Node]]:
    from archc.backends.keras import BuildMismatch, KerasUnavailable
    from archc.backends.keras.builder import build_traced

    try:
        return build_traced(analysis, progress)
    except KerasUnavailable as exc:
        raise MissingDependency(str(exc)) from None
    except BuildMismatch as exc:
        raise CommandFailed(f"internal error: {exc}. This is a bug in archc; please report "
                            "it with the spec.", EXIT_INTERNAL) from None


def _export(model: Any, origins: dict[str, Node], fmt: str, target: Path,
            inputs: list[str], progress: Any) -> Any:
    from archc.backends.keras.export import (
        LABELS,
        ExportLimitation,
        ExportRefused,
        ExportUnavailable,
        VerificationFailed,
    )
    from archc.backends.keras.export.run import export_model

    try:
        return export_model(model, fmt, target, inputs, progress)
    except ExportUnavailable as exc:
        raise MissingDependency(str(exc)) from None
    except ExportLimitation as exc:
        node = origins.get(exc.layer)
        name = node.name if node is not None else exc.layer
        raise SpecError([Diagnostic(
            LIMITATION,
            f"{LABELS[exc.format]} cannot express `{name}` (Keras layer {exc.kind}): "
            f"{exc.reason}",
            node.span if node is not None else None,
            f"export this network to another format, or replace `{name}` with layers "
            f"{LABELS[exc.format]} can express (docs/export.md lists them)",
        )]) from None
    except ExportRefused as exc:
        node = origins.get(exc.layer) if exc.layer else None
        where = f" at `{node.name}`" if node is not None else ""
        raise SpecError([Diagnostic(
            REFUSED,
            f"the {LABELS[exc.format]} converter refused the model{where}: {exc.message}",
            node.span if node is not None else None,
            "another format may express it (docs/export.md); if the spec builds with "
            "`archc build`, please report this with the spec",
        )]) from None
    except VerificationFailed as exc:
        v = exc.verification
        raise CommandFailed(
            f"[{DISAGREES}] the {LABELS[v.format]} model disagrees with the Keras model, so "
            f"nothing was written: {v.describe()}. This is a bug in archc or the converter; "
            "please report it with the spec.", EXIT_INTERNAL) from None
