"""The lint rules: pure functions from an `Analysis` to warnings with exact figures.

Each rule turns one piece of the study notes' design advice into a check on *this* network
(5x5 -> two 3x3, double the filters after pooling, LRN -> batch norm, depthwise-separable
convolutions, SE ratio 16, global pooling instead of huge dense layers, non-linearities
between convolutions, narrow Inception reductions, a receptive field that fits the input).
Every figure a rule prints is either read from the analysis or computed by the op
catalogue's own cost rules on the alternative layer (a 3x3 stack, a separable convolution,
batch norm, ratio 16), so a suggestion and the analysis can never count differently;
docs/lint-rules.md explains each rule.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from archc.diagnostics import Diagnostic, Severity
from archc.ir import Node, Op
from archc.ir.cost_rules import Cost
from archc.ir.ops import (
    CATALOGUE,
    CONV_OPS,
    MERGE_OPS,
    ActivationAttrs,
    BatchNormAttrs,
    Conv2DAttrs,
    DenseAttrs,
    DepthwiseConv2DAttrs,
    SeparableConv2DAttrs,
    cost_of,
    mac_formula,
    window_of,
)
from archc.passes.analysis import Analysis, NodeInfo

Settings = Mapping[str, float]
Check = Callable[[Analysis, Settings], Iterator[Diagnostic]]

_WIDTH_OPS = CONV_OPS | MERGE_OPS


@dataclass(frozen=True)
class Rule:
    """A rule's identity (code and name), its default state, settings and check."""

    code: str
    name: str
    summary: str
    enabled_by_default: bool
    settings: Mapping[str, float]
    check: Check


# -- helpers ------------------------------------------------------------------------------------


def _n(value: int) -> str:
    return f"{value:,}"


def _fewer(new: int, old: int) -> str:
    """`28.0% fewer` (or `more`), one decimal: the figure users compare with the notes."""
    if old == 0:
        return "n/a"
    change = 1 - new / old
    return f"{abs(change) * 100:.1f}% {'fewer' if change >= 0 else 'more'}"


def _warning(analysis: Analysis, code: str, message: str, node: Node, help: str,
             notes: tuple[str, ...] = ()) -> Diagnostic:
    """A warning at the node's spec item, plus where the enclosing block was used.

    A layer inside a `blocks:` body points at the body, which is shared by every use; the
    note names the instance so the user can tell the nine Inception modules apart.
    """
    extra: tuple[str, ...] = ()
    if node.scope:
        top = analysis.scope_info.get(node.scope[:1])
        if top is not None and top.span is not None and top.span != node.span:
            extra = (f"expanded from the use of `{top.name}` at {top.span}",)
    return Diagnostic(code, message, node.span, help, Severity.WARNING, notes + extra)


def _channels_in(info: NodeInfo) -> int:
    return info.input_shapes[0][-1]


def _is_linear_conv(node: Node) -> bool:
    a = node.attrs
    if not isinstance(a, Conv2DAttrs | DepthwiseConv2DAttrs | SeparableConv2DAttrs):
        return False
    return a.activation in (None, "linear")


def _plain_conv(node: Node) -> Conv2DAttrs | None:
    """A Conv2D without a connection table or groups: the seed's formulas apply as written."""
    a = node.attrs
    if isinstance(a, Conv2DAttrs) and a.connections is None and a.groups == 1:
        return a
    return None


def _conv_cost(cin: int, out: tuple[int, int, int], kernel: int, groups: int = 1,
               bias: bool = True) -> Cost:
    """The catalogue's cost of a `kernel` x `kernel` convolution from `cin` channels to `out`."""
    attrs = Conv2DAttrs(out[2], (kernel, kernel), groups=groups, use_bias=bias)
    return cost_of(Op.CONV2D, attrs, [(out[0], out[1], cin)], out)


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
        if info.node.op is not Op.LRN:
            continue
        c = info.shape[-1]
        bn = cost_of(Op.BATCH_NORM, BatchNormAttrs(), [info.shape], info.shape)
        yield _warning(
            analysis, "L003",
            f"local response normalisation `{info.node.name}` has been superseded by "
            "batch normalisation",
            info.node,
            f"replace it with `batch_norm: {{}}` after the convolution: {_n(bn.params)} params "
            f"on {c} channels ({_n(bn.trainable)} trainable), faster training, and it "
            "regularises",
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
        sep = CATALOGUE[Op.SEPARABLE_CONV2D]
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
        if info.node.op is Op.DENSE:
            for k in range(1, len(info.node.scope) + 1):
                if info.node.scope[:k] in members:
                    members[info.node.scope[:k]].append(info)
    for path, scope in blocks.items():
        dense = members[path]
        if len(dense) != 2:
            continue
        reduce_, expand = dense
        if not isinstance(expand.node.attrs, DenseAttrs) \
                or not isinstance(reduce_.node.attrs, DenseAttrs):
            continue
        c, u = expand.node.attrs.units, reduce_.node.attrs.units
        ratio = c / u
        if s["min_ratio"] <= ratio <= s["max_ratio"]:
            continue
        now = reduce_.cost.params + expand.cost.params
        u16 = max(1, c // 16)
        at16 = (cost_of(Op.DENSE, DenseAttrs(u16), [(c,)], (u16,))
                + cost_of(Op.DENSE, DenseAttrs(c), [(u16,)], (c,))).params
        node = reduce_.node
        span_node = Node(node.name, node.op, node.inputs, node.attrs, scope.span or node.span,
                         node.scope)
        yield _warning(
            analysis, "L005",
            f"squeeze-excitation `{scope.path[-1]}` reduces {c} channels to {u} (ratio "
            f"{ratio:g}), far from 16",
            span_node,
            f"use `ratio: 16` ({c} -> {u16} -> {c}): {_n(at16)} params instead of {_n(now)}; "
            "SENet found 16 the best balance of accuracy and cost",
        )


# -- L006 dense-heavy -----------------------------------------------------------------------------


def dense_heavy(analysis: Analysis, s: Settings) -> Iterator[Diagnostic]:
    se = {p for p, kind in analysis.scope_kinds.items() if kind == "squeeze_excitation"}
    # An SE block's two dense layers are channel gates, not a classifier: never count them.
    dense = [i for i in analysis.nodes if i.node.op is Op.DENSE
             and not any(i.node.scope[:k] in se for k in range(1, len(i.node.scope) + 1))]
    total = analysis.total.params
    held = sum(i.cost.params for i in dense)
    if not dense or total == 0 or held / total <= s["max_share"]:
        return
    big = max(dense, key=lambda i: i.cost.params)
    node = big.node
    help = "use fewer units, or global average pooling before the classifier"
    source = analysis.info(node.inputs[0])
    if source.node.op is Op.FLATTEN and len(source.input_shapes[0]) == 3:
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


# -- L007 linear-stack ----------------------------------------------------------------------------


def linear_stack(analysis: Analysis, s: Settings) -> Iterator[Diagnostic]:
    for info in analysis.nodes:
        second = info.node
        if second.op not in CONV_OPS:
            continue
        between: list[str] = []
        current = analysis.info(second.inputs[0]).node
        while CATALOGUE[current.op].linear_passthrough or (
                isinstance(current.attrs, ActivationAttrs)
                and current.attrs.function == "linear"):
            between.append(current.op.value)
            current = analysis.info(current.inputs[0]).node
        first = current
        if not _is_linear_conv(first):
            continue
        window = window_of(second.attrs)
        if first.op is Op.DEPTHWISE_CONV2D and window is not None and window[0] == (1, 1):
            continue  # depthwise then pointwise is a separable convolution, linear on purpose
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
        narrowed = (cost_of(Op.CONV2D, narrow_reduce, info.input_shapes,
                            (*info.shape[:2], n)).macs
                    + cost_of(Op.CONV2D, narrow_feed, [(*feed.input_shapes[0][:2], n)],
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


# -- L009 receptive-field ------------------------------------------------------------------------

# Layers with a window: what makes a receptive field grow (a 1x1 only moves its centre).
_WINDOW_OPS = CONV_OPS | {Op.MAX_POOL2D, Op.AVG_POOL2D, Op.SUBSAMPLING2D}
# Per-position ops between the last window and the head: skipped to name the real layer.
_FIELD_PASS = frozenset({Op.BATCH_NORM, Op.LRN, Op.ACTIVATION, Op.DROPOUT})


def _grows(info: NodeInfo) -> bool:
    node = info.node
    if node.op not in _WINDOW_OPS:
        return False
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
    pooled = any(h.op in (Op.GLOBAL_AVG_POOL2D, Op.GLOBAL_MAX_POOL2D) for h in heads)
    return pooled or tuple(last.shape[:2]) == (1, 1)


def _named_layer(analysis: Analysis, info: NodeInfo) -> NodeInfo:
    """Step back over batch norm, activation, dropout and LRN to the layer that made the map."""
    while info.node.op in _FIELD_PASS:
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


def _jump(jump: tuple[int, int] | None) -> str:
    assert jump is not None
    return str(jump[0]) if jump[0] == jump[1] else f"{jump[0]}x{jump[1]}"


RULES: tuple[Rule, ...] = (
    Rule("L001", "large-kernel", "a kxk convolution (k >= 5, stride 1) a stack of 3x3 would "
         "replace for fewer params and MACs", True,
         {"min_kernel": 5, "min_in_channels": 8}, large_kernel),
    Rule("L002", "filters-not-doubled", "the channels do not double after a layer halves "
         "the feature map", True, {"min_growth": 2.0}, filters_not_doubled),
    Rule("L003", "lrn", "local response normalisation; batch normalisation superseded it",
         True, {}, lrn),
    Rule("L004", "separable-candidate", "a standard convolution a depthwise-separable one "
         "would make much cheaper (off by default: it fires on most 3x3 convolutions)", False,
         {"min_saving": 0.8}, separable_candidate),
    Rule("L005", "se-ratio", "a squeeze-excitation reduction ratio far from 16", True,
         {"min_ratio": 8, "max_ratio": 32}, se_ratio),
    Rule("L006", "dense-heavy", "dense layers hold most of the parameters", True,
         {"max_share": 0.5}, dense_heavy),
    Rule("L007", "linear-stack", "two convolutions with no non-linearity between them", True,
         {}, linear_stack),
    Rule("L008", "wide-reduction", "a 1x1 reduction wider than the convolution it feeds", True,
         {}, wide_reduction),
    Rule("L009", "receptive-field", "a classifier whose pooled features never see the whole "
         "input, or whose field outgrows the input long before the head", True,
         {"min_coverage": 1.0, "max_times": 4.0, "min_share_after": 0.5}, receptive_field),
)

RULES_BY_CODE: dict[str, Rule] = {r.code: r for r in RULES}
RULES_BY_NAME: dict[str, Rule] = {r.name: r for r in RULES}
