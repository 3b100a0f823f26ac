"""pydantic without its plugin machinery, in archc's own processes (start-up, issue 21).

pydantic lets installed packages observe validation through plugins, found by scanning the
entry points of every installed distribution. The scan lives in `pydantic.plugin._loader`,
imported when the first validator is built; importing it imports importlib.metadata (and
the email package, zipfile and the rest that it needs), and the scan reads every
distribution's metadata: together about 50 ms of a 460 ms `archc summary` of ResNet-152,
for plugins archc never uses (pyproject's "pydantic.mypy" is a mypy plugin, not a runtime
one). `disable()`, called by the console script only (a program that calls
`archc.cli.main` keeps its plugins), turns that off with two steps:

- it sets PYDANTIC_DISABLE_PLUGINS=__all__, pydantic's documented switch, unless the user
  set the variable: then the user's choice stands and nothing else is done;
- it puts a stand-in for `pydantic.plugin._loader` in `sys.modules`, whose `get_plugins()`
  returns what the real one returns under that setting (no plugins), so neither the module
  nor importlib.metadata is imported. The module is private, so the stand-in is only used
  with pydantic 2 and only if the real module is not loaded yet; tests/test_cli_startup.py
  checks, against the installed pydantic, that `get_plugins` is the only name pydantic takes
  from it and that the real one returns nothing under the setting.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from types import ModuleType
from typing import Any

LOADER = "pydantic.plugin._loader"
"""pydantic's (private) plugin loader module."""


def get_plugins() -> Iterable[Any]:
    """No plugins: what pydantic's own `get_plugins()` returns with PYDANTIC_DISABLE_PLUGINS
    set to `__all__`."""
    return ()


def disable() -> None:
    """Turn pydantic's plugin discovery off for this process (see the module docstring)."""
    if "PYDANTIC_DISABLE_PLUGINS" in os.environ:
        return
    os.environ["PYDANTIC_DISABLE_PLUGINS"] = "__all__"
    from pydantic.version import VERSION

    if VERSION.startswith("2.") and LOADER not in sys.modules:
        stand_in = ModuleType(LOADER, "archc's stand-in: pydantic plugins are disabled.")
        stand_in.get_plugins = get_plugins  # type: ignore[attr-defined]
        sys.modules[LOADER] = stand_in
