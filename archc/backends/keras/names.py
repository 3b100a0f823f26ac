"""Keras layer names derived from IR node names.

People look a layer up by the name the spec gave it (`model.get_layer(...)`), so the Keras
name is the IR path with its scope separator `/` spelled `__`:
`inception_3a/branches/branch2/conv3x3` becomes `inception_3a__branches__branch2__conv3x3`.
Keras forbids `/` in layer names, and `.` (the earlier choice) breaks the PyTorch backend,
which registers every weight under `<layer name>/<weight>` in a `torch.nn.ParameterDict`,
whose keys may not contain `.`; so a `.` in a name the spec gave becomes `_` too, as does
any character TensorFlow's name scopes reject. `__` works on TensorFlow, JAX and PyTorch
alike. Helper layers a node needs (`ZeroPadding2D` before a 'valid' conv) get the node's
name plus a suffix. A name already taken gets `_2`, `_3`, ... so every layer name in a
model is unique and deterministic.
"""

from __future__ import annotations

import re

SEPARATOR = "__"
_ILLEGAL = re.compile(r"[^A-Za-z0-9_\-]")
_LEGAL_FIRST = re.compile(r"[A-Za-z0-9]")


def keras_name(ir_name: str) -> str:
    """The legal Keras spelling of one IR node name (not yet made unique)."""
    name = _ILLEGAL.sub("_", ir_name.replace("/", SEPARATOR))
    if not name or not _LEGAL_FIRST.match(name[0]):
        name = "n" + name
    return name


class NameAllocator:
    """Hands out unique Keras layer names in a fixed order, so builds are reproducible."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def take(self, wanted: str) -> str:
        """Reserve `wanted` (sanitised), or the first free `wanted_2`, `wanted_3`, ..."""
        base = keras_name(wanted)
        name = base
        counter = 1
        while name in self._taken:
            counter += 1
            name = f"{base}_{counter}"
        self._taken.add(name)
        return name
