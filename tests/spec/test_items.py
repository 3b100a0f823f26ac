"""One item splitter and one common-field set (`archc.spec.items`), read by lowering, the
static layer count and the language server alike."""

from __future__ import annotations

import pytest
from spec_helpers import errors_of

from archc.lsp.model import item_args, item_kind
from archc.spec.items import COMMON_FIELDS, SplitItem, split_item
from archc.spec.schema import SHORTHAND_FIELD, LayerCommon


def test_the_common_fields_are_layer_commons() -> None:
    assert set(COMMON_FIELDS) == set(LayerCommon.model_fields)
    assert len(COMMON_FIELDS) == len(set(COMMON_FIELDS)) == 4


def test_the_three_ways_to_write_an_item() -> None:
    assert split_item("flatten") == SplitItem("flatten", {})
    assert split_item({"flatten": None}) == SplitItem("flatten", {})
    assert split_item({"dropout": 0.5}) == SplitItem("dropout", {"rate": 0.5}, shorthand=True)
    args = {"filters": 8, "kernel_size": 3}
    split = split_item({"conv2d": args})
    assert split is not None and split.kind == "conv2d" and split.args is args  # not copied


def test_where_each_argument_is_written() -> None:
    path = ("layers", 2)
    mapping = split_item({"conv2d": {"filters": 8, "name": "c"}})
    shorthand = split_item({"activation": "relu"})
    assert mapping is not None and shorthand is not None
    assert mapping.arg_paths(path) == {"filters": ("layers", 2, "conv2d", "filters"),
                                       "name": ("layers", 2, "conv2d", "name")}
    assert shorthand.arg_paths(path) == {SHORTHAND_FIELD["activation"]: ("layers", 2,
                                                                          "activation")}


@pytest.mark.parametrize("item", [3, ["conv2d"], {"a": {}, "b": {}}, {}])
def test_not_an_item(item: object) -> None:
    assert split_item(item) is None
    assert item_kind(item) is None and item_args(item) == {}


def test_a_scalar_for_a_type_without_a_shorthand_is_stray_and_s006() -> None:
    assert split_item({"repeat": 3}) == SplitItem("repeat", {}, stray=True)
    (only,) = errors_of("""
        archc: 1
        name: t
        input: [8]
        layers: [{repeat: 3}]
    """)
    assert (only.code, only.message) == ("S006", "`repeat` takes a mapping of arguments; "
                                                 "received `3`")


def test_the_language_server_reads_items_the_same_way() -> None:
    assert item_kind({"dropout": 0.5}) == "dropout"
    assert item_args({"dropout": 0.5}) == {"rate": 0.5}
    assert item_args({"repeat": {"times": 2}}) == {"times": 2}
