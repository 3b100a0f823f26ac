"""Rules about the network's shape rather than a single layer's cost (L002 filter doubling,
L003 LRN, L007 convolutions with nothing non-linear between them).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from archc.diagnostics import Diagnostic
from archc.ir import Node
from archc.ir.ops import (
    CATALOGUE,
    CONV_OPS,
    ActivationAttrs,
    BatchNormAttrs,
    ConvOp,
    NormOp,
    cost_of,
    window_of,
)
from archc.lint.common import WIDTH_OPS as _WIDTH_OPS
from archc.lint.common import Settings
from archc.lint.common import fmt_int as _n
from archc.lint.common import is_linear_conv as _is_linear_conv
from archc.lint.common import warning as _warning
from archc.passes.analysis import Analysis, NodeInfo

# -- L002 filters-not-doubled ---------------------------------------------------------------------


def _halves(before: int, after: int) -> bool:
    return before >= 4 and after in (before // 2, (before + 1) // 2)


def _downsamples(info: NodeInfo) -> bool:
    if len(info.input_shapes) != 1 or len(info.shape) != 3 or len(info.input_shapes[0]) != 3:
        return False
    (hi, wi, _), (ho, wo, _) = info.input_shapes[0], info.shape
    return _halves(hi, ho) and _halves(wi, wo)


def filters_not_doubled(analysis: Analysis, s: Settings) -> Iterator[Diagnostic]:
    widest: dict[tuple[int, int], int] = {}
    for info in analysis.nodes:
        if info.node.op in _WIDTH_OPS and len(info.shape) == 3:
            res = (info.shape[0], info.shape[1])
            widest[res] = max(widest.get(res, 0), info.shape[2])
    halving = {i.node.name for i in analysis.nodes if _downsamples(i)}
    # A resolution whose only convolutions are themselves downsampling (ResNet's 7x7/2 stem
    # before its pool) is a transition, not a stage: there is nothing there to double from.
    stages = {(i.shape[0], i.shape[1]) for i in analysis.nodes
              if i.node.op in _WIDTH_OPS and len(i.shape) == 3 and i.node.name not in halving}
    growth = s["min_growth"]
    seen: set[tuple[str, tuple[int, int]]] = set()
    for info in analysis.nodes:
        node = info.node
        if node.name not in halving:
            continue
        (hi, wi, before), (ho, wo, _) = info.input_shapes[0], info.shape
        if (hi, wi) not in stages:
            continue
        after = widest.get((ho, wo))
        key = (node.inputs[0], (ho, wo))  # a block's shortcut and body halve the same map
        if after is None or key in seen:
            continue
        seen.add(key)
        target = math.ceil(growth * before)
        if after >= target:
            continue
        yield _warning(
            analysis, "L002",
            f"`{node.name}` halves the feature map ({hi}x{wi} -> {ho}x{wo}) but the "
            f"widest map at {ho}x{wo} has {after} channels, fewer than {growth:g} x the "
            f"{before} entering it ({target})",
            node,
            f"double the filters after a downsampling (here to {target}): half the height and "
            "width with twice the channels keeps each layer's MACs about the same",
        )



# -- L003 lrn -------------------------------------------------------------------------------------


def lrn(analysis: Analysis, s: Settings) -> Iterator[Diagnostic]:
    for info in analysis.nodes:
        if info.node.op is not NormOp.LRN:
            continue
        c = info.shape[-1]
        bn = cost_of(NormOp.BATCH_NORM, BatchNormAttrs(), [info.shape], info.shape)
        yield _warning(
            analysis, "L003",
            f"local response normalisation `{info.node.name}` has been superseded by "
            "batch normalisation",
            info.node,
            f"replace it with `batch_norm: {{}}` after the convolution: {_n(bn.params)} params "
            f"on {c} channels ({_n(bn.trainable)} trainable), faster training, and it "
            "regularises",
        )



# -- L007 linear-stack ----------------------------------------------------------------------------


def _pointwise(node: Node) -> bool:
    window = window_of(node.attrs)
    return node.op is ConvOp.CONV2D and window is not None and window[0] == (1, 1)


def _linear_bottleneck(analysis: Analysis, first: Node, second: Node) -> bool:
    """A 1x1 projection to no more channels than it reads, read by a 1x1 expansion to more.

    Sandler et al. 2018 (MobileNetV2, section 3.2) keep the narrow layer between an
    inverted-residual block's projection and the next block's expansion linear on purpose:
    a ReLU in a low-dimensional layer destroys information. EfficientNet and MobileNetV3
    keep it; ResNet's bottleneck (1x1 reduce, *3x3*, 1x1 expand, each with a ReLU) is not
    this pattern.
    """
    if not (_pointwise(first) and _pointwise(second)):
        return False
    narrow = analysis.shape(first.name)[-1]
    return (analysis.info(first.inputs[0]).shape[-1] >= narrow
            and analysis.shape(second.name)[-1] > narrow)


def _readers(analysis: Analysis) -> dict[str, list[str]]:
    readers: dict[str, list[str]] = {}
    for info in analysis.nodes:
        for name in info.node.inputs:
            readers.setdefault(name, []).append(info.node.name)
    return readers


def linear_stack(analysis: Analysis, s: Settings) -> Iterator[Diagnostic]:
    readers = _readers(analysis)
    for info in analysis.nodes:
        second = info.node
        if second.op not in CONV_OPS:
            continue
        between: list[str] = []
        chain: list[str] = []
        current = analysis.info(second.inputs[0]).node
        while CATALOGUE[current.op].linear_passthrough or (
                isinstance(current.attrs, ActivationAttrs)
                and current.attrs.function == "linear"):
            between.append(current.op.value)
            chain.append(current.name)
            current = analysis.info(current.inputs[0]).node
        first = current
        if not _is_linear_conv(first):
            continue
        window = window_of(second.attrs)
        if first.op is ConvOp.DEPTHWISE_CONV2D and window is not None and window[0] == (1, 1):
            continue  # depthwise then pointwise is a separable convolution, linear on purpose
        if any(len(readers.get(name, ())) > 1 for name in [first.name, *chain]):
            continue  # the map also feeds a shortcut or a branch: the two cannot be merged
        if _linear_bottleneck(analysis, first, second):
            continue  # MobileNetV2's linear bottleneck: a ReLU there would lose information
        via = f" (only {', '.join(reversed(between))} between)" if between else ""
        yield _warning(
            analysis, "L007",
            f"convolutions `{first.name}` and `{second.name}` follow each other "
            f"with no non-linearity{via}: together they are one linear map",
            second,
            f"give `{first.name}` an activation (e.g. `activation: relu`, or an "
            "`activation` layer after its batch_norm), or merge the two into one convolution",
            (f"`{first.name}` is at {first.span}",) if first.span else (),
        )


