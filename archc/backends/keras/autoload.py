"""Make archc's custom layers loadable from `.keras` files without importing TensorFlow early.

`keras.saving.load_model` (safe mode) finds custom layers only in Keras's registry, which
is filled when `archc.backends.keras.layers` is imported. That module imports Keras, so
`import archc` must not import it eagerly: `archc summary` would pay TensorFlow's start-up
and need it installed. Instead `install()` registers the layers now if Keras is already
imported, and otherwise puts a tiny finder on `sys.meta_path` that waits for the first
`import keras` and registers them right after Keras finishes loading. Whatever the order of
`import keras` and `import archc`, the layers are registered before a model is loaded.
"""

from __future__ import annotations

import importlib
import sys
import warnings
from collections.abc import Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    # Annotations only: the hook needs no base class (the import system calls `find_spec`,
    # `create_module` and `exec_module` by name), and importing importlib.abc imports
    # importlib.resources, tempfile, shutil, random and the compression modules: some 10 ms
    # of every `import archc`, so of `archc summary`, which needs none of them.
    from importlib.abc import Loader
    from importlib.machinery import ModuleSpec

LAYERS_MODULE = "archc.backends.keras.layers"


def _register() -> None:
    # Nothing here may break `import archc` or the user's `import keras`: a missing Keras is
    # reported by `archc build` itself, and any other failure only means archc's layers are
    # not registered, which deserves a warning, not a crash in someone else's import.
    try:
        importlib.import_module(LAYERS_MODULE)
    except ImportError:
        pass
    except Exception as exc:  # pragma: no cover - a bug in the layers module
        warnings.warn(f"archc could not register its Keras layers: {exc!r}", stacklevel=2)


class _RegisteringLoader:
    """Wraps Keras's own loader; registers archc's layers once `keras` has executed."""

    def __init__(self, inner: Loader) -> None:
        self._inner = inner

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self._inner.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self._inner.exec_module(module)
        _register()

    def __getattr__(self, name: str) -> Any:  # is_package, get_resource_reader, ...
        return getattr(self._inner, name)


class _KerasImportHook:
    """Intercepts only the top-level `keras` import, once, then steps aside."""

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        if fullname != "keras":
            return None
        uninstall()
        spec: ModuleSpec | None = None
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            if find is not None:
                spec = find(fullname, path, target)
                if spec is not None:
                    break
        if spec is None or spec.loader is None:
            return spec
        spec.loader = cast("Loader", _RegisteringLoader(spec.loader))  # a Loader by duck typing
        return spec


_HOOK = _KerasImportHook()


def install() -> None:
    """Register the layers now if Keras is loaded, else once it is (idempotent)."""
    if "keras" in sys.modules:
        _register()
    elif not any(isinstance(f, _KerasImportHook) for f in sys.meta_path):
        sys.meta_path.insert(0, _HOOK)


def uninstall() -> None:
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _KerasImportHook)]
