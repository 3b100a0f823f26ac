"""L009 receptive-field: pooled features that never see the whole input, or a field that
outgrows the input long before the head. Fields come from the analysis
(`archc/passes/receptive.py`); docs/lint-rules.md explains the thresholds.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from archc.diagnostics import Diagnostic
from archc.ir.ops import (
    CATALOGUE,
    PoolOp,
    window_of,
)
from archc.lint.common import Settings
from archc.lint.common import fmt_int as _n
from archc.lint.common import warning as _warning
from archc.passes.analysis import Analysis, NodeInfo
from archc.passes.receptive import Jump

# -- L009 receptive-field ------------------------------------------------------------------------

def _grows(info: NodeInfo) -> bool:
    node = info.node
    window = window_of(node.attrs)
    return window is not None and max(window[0]) > 1


def _ancestors(analysis: Analysis, output: str) -> list[NodeInfo]:
    """The nodes an output depends on, itself included, in graph order."""
    seen: set[str] = set()
    stack = [output]
    while stack:
        name = stack.pop()
        if name not in seen:
            seen.add(name)
            stack.extend(analysis.graph[name].inputs)
    return [i for i in analysis.nodes if i.node.name in seen]


def _pct_of(part: float, whole: float) -> str:
    return f"{part / whole:.0%}" if whole else "n/a"


def receptive_field(analysis: Analysis, s: Settings) -> Iterator[Diagnostic]:
    for output in analysis.graph.outputs:
        if analysis.field(output).axes is not None or len(analysis.shape(output)) != 1:
            continue  # not a classifier: its output keeps a spatial map
        path = _ancestors(analysis, output)
        if not all(analysis.field(i.node.name).defined for i in path):
            continue  # a field that is not defined (after an upsampling) has no figures
        windows = [i for i in path if analysis.field(i.node.name).axes is not None]
        if not windows:
            continue
        last = windows[-1]
        inputs = analysis.field(last.node.name).inputs
        if len(inputs) != 1:
            continue  # figures from several inputs are not comparable with one image
        (source,) = inputs
        image = analysis.shape(source)[:2]
        yield from _under_covered(analysis, s, output, last, image)
        yield from _over_covered(analysis, s, output, path, image)


def _head_reads_one_position(analysis: Analysis, output: str, last: NodeInfo) -> bool:
    """True when the head gets no per-position weights: global pooling, or a 1x1 map.

    A head that flattens a larger map learns a weight for every position, so its dense
    layer integrates the whole map itself; a pooled or 1x1 map gives it only what each
    position's field saw.
    """
    consumers = analysis.graph.consumers()
    heads = [analysis.graph[c] for c in consumers[last.node.name]]
    pooled = any(h.op in (PoolOp.GLOBAL_AVG_POOL2D, PoolOp.GLOBAL_MAX_POOL2D) for h in heads)
    return pooled or tuple(last.shape[:2]) == (1, 1)


def _named_layer(analysis: Analysis, info: NodeInfo) -> NodeInfo:
    """Step back over per-position layers (normalisation, activation, dropout) to the layer
    that made the map."""
    while CATALOGUE[info.node.op].pointwise:
        info = analysis.info(info.node.inputs[0])
    return info


def _under_covered(analysis: Analysis, s: Settings, output: str, last: NodeInfo,
                   image: tuple[int, ...]) -> Iterator[Diagnostic]:
    size = analysis.field(last.node.name).size
    assert size is not None
    short = [(axis, r, n) for axis, r, n in zip(("height", "width"), size, image, strict=True)
             if r < s["min_coverage"] * n]
    if not short or not _head_reads_one_position(analysis, output, last):
        return
    layer = _named_layer(analysis, last)
    shares = [f"{r / n:.0%}" for _, r, n in short]
    share = (f"{shares[0]} of its height and width" if len(short) == 2 and shares[0] == shares[1]
             else ", ".join(f"{p} of its {axis}" for p, (axis, _, _) in zip(shares, short,
                                                                          strict=True)))
    yield _warning(
        analysis, "L009",
        f"`{layer.node.name}`, the last layer before the head of `{output}`, sees "
        f"{size[0]}x{size[1]} of the {image[0]}x{image[1]} input ({share}): the classifier "
        "pools features that never saw the whole image",
        layer.node,
        "grow the field before the head: another strided or pooling stage, larger or dilated "
        "kernels, or more 3x3 layers at the lowest resolution",
        (_more_3x3(analysis, last, short, s["min_coverage"]),),
    )


def _more_3x3(analysis: Analysis, last: NodeInfo, short: list[tuple[str, int, int]],
              coverage: float) -> str:
    """How many 3x3 layers at the last resolution would close the gap: each adds 2 x jump."""
    jump = analysis.field(last.node.name).jump
    assert jump is not None
    jumps = dict(zip(("height", "width"), jump, strict=True))
    needed = max(math.ceil((math.ceil(coverage * n) - r) / (2 * jumps[axis]))
                 for axis, r, n in short)
    pixels = "pixel" if _jump(jump) == "1" else "pixels"
    return (f"the jump there is {_jump(jump)} input {pixels}, so each further 3x3 layer adds "
            f"{_jump((2 * jump[0], 2 * jump[1]))}: {needed} more would cover the input")


def _over_covered(analysis: Analysis, s: Settings, output: str, path: list[NodeInfo],
                  image: tuple[int, ...]) -> Iterator[Diagnostic]:
    growing = [i for i in path if _grows(i) and analysis.field(i.node.name).axes is not None]
    times = s["max_times"]
    for index, info in enumerate(growing):
        size = analysis.field(info.node.name).size
        assert size is not None
        if all(r >= times * n for r, n in zip(size, image, strict=True)):
            after = growing[index + 1:]
            break
    else:
        return
    if len(after) < s["min_share_after"] * len(growing):
        return
    total = sum(i.cost.macs for i in path)
    position = path.index(info)
    later = sum(i.cost.macs for i in path[position + 1:])
    ratio = min(r / n for r, n in zip(size, image, strict=True))
    yield _warning(
        analysis, "L009",
        f"`{info.node.name}` already sees {size[0]}x{size[1]} input pixels, {ratio:.1f} times "
        f"the {image[0]}x{image[1]} input, yet {len(after)} of the {len(growing)} layers with "
        f"a window that lead to `{output}` come after it, with {_pct_of(later, total)} of the "
        f"MACs ({_n(later)} of {_n(total)})",
        info.node,
        "past the point where the field covers the input several times over, more layers add "
        "capacity but no new context: a larger input, or fewer layers at this resolution, "
        "would use them better (these are theoretical fields; the effective field of a "
        "trained network is smaller)",
    )


def _jump(jump: tuple[Jump, Jump] | None) -> str:
    assert jump is not None
    return str(jump[0]) if jump[0] == jump[1] else f"{jump[0]}x{jump[1]}"


