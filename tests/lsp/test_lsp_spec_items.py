"""Layer items of the spec language (archc.lsp.spec_items): which paths hold layer lists,
the item around a path, and an item's kind, arguments and name."""

from __future__ import annotations

import pytest

from archc.lsp.spec_items import (
    enclosing_item,
    is_layer_list,
    item_args,
    item_kind,
    item_name,
    item_of,
    known_kind,
)


@pytest.mark.parametrize(("path", "expected"), [
    (("layers",), True),
    (("blocks", "stem", "layers"), True),
    (("layers", 2, "residual", "body"), True),
    (("layers", 2, "residual", "shortcut"), True),
    (("layers", 0, "repeat", "layers"), True),
    (("layers", 1, "parallel", "branches", 0), True),
    (("layers", 1, "parallel", "branches"), False),  # the list of branches, not of items
    (("variables",), False),
    (("blocks", "stem", "params"), False),
])
def test_layer_lists(path: tuple[str | int, ...], expected: bool) -> None:
    assert is_layer_list(path) is expected


def test_the_item_around_a_path_is_the_innermost_one() -> None:
    inner = ("layers", 2, "residual", "body", 1)
    assert item_of(inner + ("conv2d", "filters")) == inner
    assert item_of(("layers", 2, "residual")) == ("layers", 2)
    assert item_of(("variables", "width")) is None


def test_a_nested_list_belongs_to_the_structure_item_that_holds_it() -> None:
    assert enclosing_item(("layers", 2, "residual", "body")) == ("layers", 2)
    assert enclosing_item(("layers", 1, "parallel", "branches", 0)) == ("layers", 1)


def test_kind_arguments_and_name_of_an_item() -> None:
    item = {"conv2d": {"filters": 64, "name": "stem"}}
    assert (item_kind(item), item_args(item), item_name(item)) == (
        "conv2d", {"filters": 64, "name": "stem"}, "stem")
    assert (item_kind("flatten"), item_args("flatten"), item_name("flatten")) == (
        "flatten", {}, None)
    assert item_kind({"a": {}, "b": {}}) is None  # two keys: not an item
    assert item_name({"dense": {"name": 3}}) is None  # a name must be text


def test_what_a_kind_names() -> None:
    blocks = {"bottleneck": {}}
    assert known_kind("conv2d", blocks) == "layer"
    assert known_kind("residual", blocks) == "structure"
    assert known_kind("bottleneck", blocks) == "block"
    assert known_kind("conv3d", blocks) is None
