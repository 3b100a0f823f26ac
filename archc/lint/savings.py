"""Rules that propose a cheaper layer and print what it would save (L001, L004, L005, L006,
L008). Every alternative is costed by the op catalogue's own rules, the ones the analysis
counts with.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from archc.diagnostics import Diagnostic
from archc.ir import Node
from archc.ir.ops import (
    CATALOGUE,
    Conv2DAttrs,
    ConvOp,
    DenseAttrs,
    DenseOp,
    SeparableConv2DAttrs,
    cost_of,
    mac_formula,
)
from archc.lint.common import Settings
from archc.lint.common import channels_in as _channels_in
from archc.lint.common import conv_cost as _conv_cost
from archc.lint.common import fewer as _fewer
from archc.lint.common import fmt_int as _n
from archc.lint.common import plain_conv as _plain_conv
from archc.lint.common import warning as _warning
from archc.passes.analysis import Analysis, NodeInfo

# -- L001 large-kernel ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Stack:
    widths: tuple[int, ...]
    params: int
    macs: int
    weight_terms: tuple[str, ...]
    weights: tuple[int, ...]


def _stack(widths: tuple[int, ...], sizes: list[tuple[int, int]], groups: int,
           bias: bool) -> _Stack:
    params = macs = 0
    terms = []
    per_layer: list[int] = []
    for i, (h, w) in enumerate(sizes):
        layer = _conv_cost(widths[i], (h, w, widths[i + 1]), 3, groups, bias)
        per_layer.append(_conv_cost(widths[i], (1, 1, widths[i + 1]), 3, groups, False).params)
        params += layer.params
        macs += layer.macs
        terms.append(f"9 x {widths[i]} x {widths[i + 1]}" + (f" / {groups}" if groups > 1 else ""))
    return _Stack(widths, params, macs, tuple(terms), tuple(per_layer))


def large_kernel(analysis: Analysis, s: Settings) -> Iterator[Diagnostic]:
    for info in analysis.nodes:
        node, a = info.node, info.node.attrs
        if not isinstance(a, Conv2DAttrs) or a.connections is not None:
            continue
        k, kw = a.kernel_size
        if k != kw or k % 2 == 0 or k < s["min_kernel"]:
            continue
        if a.strides != (1, 1) or a.dilation != (1, 1):
            continue
        cin, cout, groups = _channels_in(info), a.filters, a.groups
        hout, wout = info.shape[0], info.shape[1]
        if cin < s["min_in_channels"] or (hout, wout) == (1, 1):
            continue  # the image itself, or a kernel covering the whole map (a dense layer)
        if groups > 1 and groups == cin:
            continue  # depthwise form (ConvNeXt's 7x7): a large window at a per-channel cost
        n = (k - 1) // 2
        pad = a.padding
        # With `same` (or one pixel per side per layer) every 3x3 keeps the output size; a
        # valid stack shrinks by 2 per layer, so its earlier layers see larger maps.
        per_layer = pad == "same" or pad == ((n, n), (n, n))
        sizes = [(hout, wout) if per_layer else (hout + 2 * (n - i), wout + 2 * (n - i))
                 for i in range(1, n + 1)]
        bias = a.use_bias
        plans = [_stack((cin,) + (cout,) * n, sizes, groups, bias)]
        if cin < cout:  # widening in the last layer keeps the inner 3x3s narrow
            plans.append(_stack((cin,) * n + (cout,), sizes, groups, bias))
        best = min(plans, key=lambda p: (p.params, p.macs))
        old_params, old_macs = info.cost.params, info.cost.macs
        if best.params >= old_params or best.macs >= old_macs:
            continue
        chain = " -> ".join(str(w) for w in best.widths)
        g = f" / {groups}" if groups > 1 else ""
        weights_note = (f"weights: {k}x{k} kernel {k * k} x {cin} x {cout}{g} = "
                        f"{_n(k * k * cin * cout // groups)}; stack "
                        f"{' + '.join(best.weight_terms)} = "
                        f"{_n(sum(int(t) for t in best.weights))}")
        yield _warning(
            analysis, "L001",
            f"{k}x{k} convolution `{node.name}` ({cin} -> {cout} channels) can be {n} "
            f"stacked 3x3 convolutions with the same {k}x{k} receptive field: "
            f"{_n(best.params)} instead of {_n(old_params)} params "
            f"({_fewer(best.params, old_params)}), "
            f"{_n(best.macs)} instead of {_n(old_macs)} MACs ({_fewer(best.macs, old_macs)})",
            node,
            f"replace it with {n} 3x3 convolutions ({chain} channels), each with its own "
            "activation: the same field of view, fewer weights and more non-linearity",
            (weights_note,),
        )



# -- L004 separable-candidate ---------------------------------------------------------------------


def separable_candidate(analysis: Analysis, s: Settings) -> Iterator[Diagnostic]:
    for info in analysis.nodes:
        node = info.node
        a = _plain_conv(node)
        if a is None:
            continue
        k, kw = a.kernel_size
        if k != kw or k < 2 or len(info.shape) != 3:
            continue
        n = a.filters
        standard = mac_formula(node.op, a, info.input_shapes, info.shape)
        sep_attrs = SeparableConv2DAttrs(n, a.kernel_size, a.strides, a.padding, a.dilation,
                                         use_bias=a.use_bias)
        sep = CATALOGUE[ConvOp.SEPARABLE_CONV2D]
        separable = sep.macs(sep_attrs, info.input_shapes, info.shape) if sep.macs else None
        if standard is None or separable is None or standard.value != info.cost.macs \
                or 1 - separable.value / standard.value < s["min_saving"]:
            continue
        sep_params = sep.cost(sep_attrs, info.input_shapes, info.shape).params
        yield _warning(
            analysis, "L004",
            f"standard convolution `{node.name}`: {standard.symbols} = {standard.numbers} = "
            f"{_n(standard.value)} MACs; depthwise-separable: {separable.symbols} = "
            f"{separable.numbers} = {_n(separable.value)} MACs "
            f"({_fewer(separable.value, standard.value)})",
            node,
            f"use `separable_conv2d` (as Xception does): {_n(sep_params)} instead of "
            f"{_n(info.cost.params)} params; the ratio is 1/N + 1/Dk^2 = 1/{n} + 1/{k * k}",
        )



# -- L005 se-ratio --------------------------------------------------------------------------------


def se_ratio(analysis: Analysis, s: Settings) -> Iterator[Diagnostic]:
    blocks = {p: s for p, s in analysis.scope_info.items() if s.kind == "squeeze_excitation"}
    members: dict[tuple[str, ...], list[NodeInfo]] = {path: [] for path in blocks}
    for info in analysis.nodes:  # one pass: a deep network has thousands of SE blocks
        if info.node.op in (DenseOp.DENSE, ConvOp.CONV2D):  # `form: dense` or `form: conv`
            for k in range(1, len(info.node.scope) + 1):
                if info.node.scope[:k] in members:
                    members[info.node.scope[:k]].append(info)
    found: list[tuple[Diagnostic, float]] = []
    for path, scope in blocks.items():
        dense = members[path]
        if len(dense) != 2:
            continue
        reduce_, expand = dense
        c, u = _width(expand.node), _width(reduce_.node)
        if c is None or u is None:
            continue
        ratio = c / u
        if s["min_ratio"] <= ratio <= s["max_ratio"]:
            continue
        now = reduce_.cost.params + expand.cost.params
        u16 = max(1, c // 16)
        at16 = (cost_of(DenseOp.DENSE, DenseAttrs(u16), [(c,)], (u16,))
                + cost_of(DenseOp.DENSE, DenseAttrs(c), [(u16,)], (c,))).params
        node = reduce_.node
        span_node = Node(node.name, node.op, node.inputs, node.attrs, scope.span or node.span,
                         node.scope)
        found.append((_warning(
            analysis, "L005",
            f"squeeze-excitation `{scope.path[-1]}` reduces {c} channels to {u} (ratio "
            f"{ratio:g}), far from 16",
            span_node,
            f"use `ratio: 16` ({c} -> {u16} -> {c}): {_n(at16)} params instead of {_n(now)}; "
            "SENet found 16 the best balance of accuracy and cost",
        ), ratio))
    if not found:
        return
    # A network picks its SE ratio once (MobileNetV3 and EfficientNet squeeze 4x by
    # design): one warning for the first block, with a note that counts the others.
    first, _ = found[0]
    if len(found) > 1:
        ratios = [r for _, r in found[1:]]
        first = replace(first, notes=(*first.notes, (
            f"{len(ratios)} more squeeze-excitation block{'s' if len(ratios) > 1 else ''} "
            f"with ratios {min(ratios):g} to {max(ratios):g} are not reported separately")))
    yield first


def _width(node: Node) -> int | None:
    """The output width of an SE's dense layer or 1x1 convolution."""
    if isinstance(node.attrs, DenseAttrs):
        return node.attrs.units
    if isinstance(node.attrs, Conv2DAttrs):
        return node.attrs.filters
    return None


# -- L006 dense-heavy -----------------------------------------------------------------------------


def dense_heavy(analysis: Analysis, s: Settings) -> Iterator[Diagnostic]:
    se = {p for p, kind in analysis.scope_kinds.items() if kind == "squeeze_excitation"}
    # An SE block's two dense layers are channel gates, not a classifier: never count them.
    # A dense layer on an HxWxC map (ConvNeXt's pointwise layers) is a 1x1 convolution in
    # effect, not a classifier head: only dense layers on vectors count.
    dense = [i for i in analysis.nodes if i.node.op is DenseOp.DENSE
             and len(i.input_shapes[0]) == 1
             and not any(i.node.scope[:k] in se for k in range(1, len(i.node.scope) + 1))]
    total = analysis.total.params
    held = sum(i.cost.params for i in dense)
    if not dense or total == 0 or held / total <= s["max_share"]:
        return
    big = max(dense, key=lambda i: i.cost.params)
    node = big.node
    help = "use fewer units, or global average pooling before the classifier"
    source = analysis.info(node.inputs[0])
    if source.node.op is DenseOp.FLATTEN and len(source.input_shapes[0]) == 3:
        h, w, c = source.input_shapes[0]
        after = cost_of(node.op, node.attrs, [(c,)], big.shape).params
        help = (f"replace `{source.node.name}` with `global_avg_pool2d`: "
                f"`{node.name}` would read {c} values instead of {h} x {w} x {c} = "
                f"{_n(h * w * c)} and hold {_n(after)} params ({_n(big.cost.params - after)} "
                "fewer)")
    yield _warning(
        analysis, "L006",
        f"dense layers hold {_n(held)} of {_n(total)} params ({held / total:.1%}); "
        f"`{node.name}` alone holds {_n(big.cost.params)} ({big.cost.params / total:.1%})",
        node, help,
    )



# -- L008 wide-reduction --------------------------------------------------------------------------


def wide_reduction(analysis: Analysis, s: Settings) -> Iterator[Diagnostic]:
    consumers = analysis.graph.consumers()
    for info in analysis.nodes:
        reduce_ = info.node
        reduction = _plain_conv(reduce_)
        if reduction is None or reduction.kernel_size != (1, 1):
            continue
        current = reduce_
        while len(consumers[current.name]) == 1:
            current = analysis.graph[consumers[current.name][0]]
            if not CATALOGUE[current.op].width_passthrough:
                break
        feed = analysis.info(current.name)
        conv = _plain_conv(current)
        if current is reduce_ or conv is None:
            continue
        k, kw = conv.kernel_size
        r, n = reduction.filters, conv.filters
        if k * kw == 1 or r <= n:
            continue
        cin = _channels_in(info)
        now = info.cost.macs + feed.cost.macs
        # The same pair with the reduction cut to n filters, costed by the catalogue.
        narrow_reduce = Conv2DAttrs(n, (1, 1), reduction.strides, reduction.padding)
        narrow_feed = Conv2DAttrs(n, conv.kernel_size, conv.strides, conv.padding, conv.dilation)
        narrowed = (cost_of(ConvOp.CONV2D, narrow_reduce, info.input_shapes,
                            (*info.shape[:2], n)).macs
                    + cost_of(ConvOp.CONV2D, narrow_feed, [(*feed.input_shapes[0][:2], n)],
                              feed.shape).macs)
        yield _warning(
            analysis, "L008",
            f"1x1 reduction `{reduce_.name}` ({cin} -> {r} channels) is wider than the "
            f"{k}x{kw} convolution `{current.name}` it feeds ({r} -> {n})",
            reduce_,
            f"give `{reduce_.name}` at most {n} filters: the pair would need "
            f"{_n(narrowed)} instead of {_n(now)} MACs ({_fewer(narrowed, now)}); a reduction "
            "exists to make the larger kernel cheaper",
        )


