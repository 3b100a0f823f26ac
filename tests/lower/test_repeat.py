"""`repeat`: `last` beside `first`, the copy values `$index` and `$count`, named indices."""

from __future__ import annotations

import pytest
from spec_helpers import compile_yaml, one_error

from archc.ir import Graph

UNIT = """
    archc: 1
    name: t
    input: [8, 8, 4]
    blocks:
      unit:
        params: [filters, {strides: 1}, {tag: 0}]
        layers:
          - conv2d: {name: c, filters: '$filters + $tag', kernel_size: 1, strides: $strides}
    layers:
"""


def filters(graph: Graph) -> dict[str, int]:
    return {n.name: n.attrs.filters for n in graph.nodes[1:]}


def test_last_overrides_with_and_first_in_the_last_copy() -> None:
    g = compile_yaml(UNIT + """
      - repeat:
          name: r
          times: 3
          block: unit
          with: {filters: 8}
          first: {strides: 2, tag: 1}
          last: {tag: 2}
    """).graph
    assert filters(g) == {"r/block1/c": 9, "r/block2/c": 8, "r/block3/c": 10}
    assert g["r/block1/c"].attrs.strides == (2, 2)
    assert g["r/block3/c"].attrs.strides == (1, 1)


def test_with_one_copy_first_and_last_both_apply_and_last_wins() -> None:
    g = compile_yaml(UNIT + """
      - repeat:
          name: r
          times: 1
          block: unit
          with: {filters: 8}
          first: {strides: 2, tag: 1}
          last: {tag: 5}
    """).graph
    assert filters(g) == {"r/block1/c": 13}
    assert g["r/block1/c"].attrs.strides == (2, 2)


def test_index_and_count_in_with_first_last_and_layers() -> None:
    g = compile_yaml(UNIT + """
      - repeat:
          name: r
          times: 3
          block: unit
          with: {filters: '$index * 10 + $count'}
          last: {tag: $index}
      - repeat:
          name: l
          times: 2
          layers:
            - conv2d: {filters: '$index * 100 + $count', kernel_size: 1}
            - conv2d: {filters: 1, kernel_size: 1, when: $index == $count}
    """).graph
    assert filters(g) == {"r/block1/c": 13, "r/block2/c": 23, "r/block3/c": 33 + 3,
                          "l/block1/conv2d_1": 102, "l/block2/conv2d_1": 202,
                          "l/block2/conv2d_2": 1}


def test_a_named_index_is_seen_by_the_inner_repeat() -> None:
    g = compile_yaml(UNIT + """
      - repeat:
          name: stages
          times: 2
          index: stage
          layers:
            - repeat:
                name: blocks
                times: '$stage + 1'
                block: unit
                with: {filters: '$stage * 10 + $index', tag: '$count * 100'}
    """).graph
    assert filters(g) == {
        "stages/block1/blocks/block1/c": 211, "stages/block1/blocks/block2/c": 212,
        "stages/block2/blocks/block1/c": 321, "stages/block2/blocks/block2/c": 322,
        "stages/block2/blocks/block3/c": 323}


def test_the_copy_values_do_not_reach_into_a_block_body() -> None:
    d = one_error("""
        archc: 1
        name: t
        input: [8, 8, 4]
        blocks:
          unit:
            layers:
              - conv2d: {filters: $index, kernel_size: 1}
        layers:
          - repeat: {times: 2, block: unit}
    """)
    assert (d.code, d.message) == ("E001", "unknown variable `$index`")


@pytest.mark.parametrize(("field", "help_"), [
    ("with: {a: 1}", "use `$index` and variables in the layers instead"),
    ("first: {a: 1}", "write `when: $index == 1` in the layers instead"),
    ("last: {a: 1}", "write `when: $index == $count` in the layers instead"),
])
def test_block_arguments_on_a_layers_repeat_are_refused(field: str, help_: str) -> None:
    d = one_error(f"""
        archc: 1
        name: t
        input: [8, 8, 4]
        layers:
          - repeat: {{times: 2, layers: [flatten], {field}}}
    """)
    key = field.split(":")[0]
    assert (d.code, d.message, d.help) == (
        "S002", f"`{key}` gives a block's arguments; this repeat has `layers`", help_)


@pytest.mark.parametrize("name", ["in", "count", "2nd"])
def test_the_index_name_is_readable_and_free(name: str) -> None:
    d = one_error(f"""
        archc: 1
        name: t
        input: [8, 8, 4]
        layers:
          - repeat: {{times: 2, index: '{name}', layers: [flatten]}}
    """)
    assert d.code == "S004" and "`index`" in d.message
