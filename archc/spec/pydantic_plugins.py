"""pydantic without plugin discovery, in archc's own console-script processes (start-up,
issue 21).

pydantic lets installed packages observe validation through plugins, found by scanning the
entry points of every installed distribution when the first validator is built. archc uses
no runtime plugin (pyproject's "pydantic.mypy" is a mypy plugin), so `disable()`, called by
the console script only (a program that calls `archc.cli.main` keeps its plugins), sets
PYDANTIC_DISABLE_PLUGINS=__all__, pydantic's documented switch, unless the user set the
variable: then the user's choice stands.

It saves the scan (7-12 ms here), not the import of pydantic's plugin loader, which still
imports importlib.metadata (about 40 ms more; docs/benchmarks.md). Avoiding that would mean
replacing a private pydantic module, and archc does not patch its dependencies' internals.
"""

from __future__ import annotations

import os


def disable() -> None:
    """Turn pydantic's plugin discovery off for this process, unless the user chose."""
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
