"""Each rule fires on a small spec, stays quiet on the fixed one, and its figures equal the
hand arithmetic written out here (never copied from the tool's own output)."""

from __future__ import annotations

from lint_helpers import codes, lint_text, rendered, spec

from archc.diagnostics import Severity


def _pct(new: int, old: int) -> str:
    return f"{(1 - new / old) * 100:.1f}% fewer"


# -- L001 large-kernel ------------------------------------------------------------------------


def test_l001_c_to_c_is_25_against_18_c_squared() -> None:
    c, hw = 16, 32 * 32
    text = spec("[32, 32, 16]", "  - conv2d: {name: a, filters: 16, kernel_size: 5, "
                "padding: same, use_bias: false, activation: relu}\n")
    five, stack = 25 * c * c, 2 * 9 * c * c  # 25C^2 against 18C^2 weights
    assert (five, stack) == (6_400, 4_608)
    assert _pct(stack, five) == "28.0% fewer"
    [d] = lint_text(text)
    assert d.code == "L001" and d.severity is Severity.WARNING
    assert d.message == (
        "5x5 convolution `a` (16 -> 16 channels) can be 2 stacked 3x3 convolutions with the "
        f"same 5x5 receptive field: {stack:,} instead of {five:,} params (28.0% fewer), "
        f"{hw * stack:,} instead of {hw * five:,} MACs (28.0% fewer)")
    assert d.notes[0] == ("weights: 5x5 kernel 25 x 16 x 16 = 6,400; "
                          "stack 9 x 16 x 16 + 9 x 16 x 16 = 4,608")


def test_l001_7x7_is_three_3x3() -> None:
    c, hw = 32, 16 * 16
    text = spec("[16, 16, 32]", "  - conv2d: {name: a, filters: 32, kernel_size: 7, "
                "padding: same, use_bias: false, activation: relu}\n")
    seven, stack = 49 * c * c, 3 * 9 * c * c  # 49C^2 against 27C^2
    [d] = lint_text(text)
    assert "can be 3 stacked 3x3 convolutions with the same 7x7 receptive field" in d.message
    assert (f"{stack:,} instead of {seven:,} params ({_pct(stack, seven)}), "
            f"{hw * stack:,} instead of {hw * seven:,} MACs") in d.message
    assert _pct(stack, seven) == "44.9% fewer"


def test_l001_quiet_on_a_depthwise_form_grouped_convolution() -> None:
    # ConvNeXt's 7x7 with groups = channels: each filter sees one channel, the kernel costs
    # 49C against the block's 8C^2 pointwise weights; a grouped conv with fewer groups fires.
    depthwise = ("  - conv2d: {filters: 32, kernel_size: 7, padding: same, groups: 32, "
                 "activation: relu}\n")
    assert "L001" not in codes(spec("[16, 16, 32]", depthwise))
    grouped = depthwise.replace("groups: 32", "groups: 2")
    assert "L001" in codes(spec("[16, 16, 32]", grouped))


def test_l001_counts_biases_when_the_layer_has_them() -> None:
    c = 16
    text = spec("[32, 32, 16]", "  - conv2d: {name: a, filters: 16, kernel_size: 5, "
                "padding: same, activation: relu}\n")
    five, stack = 25 * c * c + c, 2 * (9 * c * c + c)
    [d] = lint_text(text)
    assert f"{stack:,} instead of {five:,} params ({_pct(stack, five)})" in d.message


def test_l001_valid_padding_widens_last_and_counts_the_larger_first_map() -> None:
    # 16x16x32 -> 5x5 valid -> 12x12x64. Widening first (32 -> 64 -> 64) would cost more
    # weights than the 5x5; widening last (32 -> 32 -> 64) costs less. The first 3x3 of a
    # valid stack produces 14x14, the second 12x12.
    text = spec("[16, 16, 32]", "  - conv2d: {name: a, filters: 64, kernel_size: 5, "
                "use_bias: false, activation: relu}\n")
    five = 25 * 32 * 64
    assert five < 9 * 32 * 64 + 9 * 64 * 64
    first, second = 9 * 32 * 32, 9 * 32 * 64
    macs_five, macs_stack = 12 * 12 * five, 14 * 14 * first + 12 * 12 * second
    [d] = lint_text(text)
    assert (f"{first + second:,} instead of {five:,} params ({_pct(first + second, five)}), "
            f"{macs_stack:,} instead of {macs_five:,} MACs ({_pct(macs_stack, macs_five)})"
            ) in d.message
    assert "(32 -> 32 -> 64 channels)" in (d.help or "")


def test_l001_quiet_on_3x3_strided_image_and_costlier_stacks() -> None:
    three = "  - conv2d: {filters: 16, kernel_size: 3, padding: same, activation: relu}\n"
    strided = ("  - conv2d: {filters: 16, kernel_size: 5, strides: 2, padding: same, "
               "activation: relu}\n")
    image = "  - conv2d: {filters: 64, kernel_size: 5, padding: same, activation: relu}\n"
    assert codes(spec("[32, 32, 16]", three)) == []
    assert codes(spec("[32, 32, 16]", strided)) == []
    assert codes(spec("[32, 32, 3]", image)) == []  # fewer than min_in_channels (8)


# -- L002 filters-not-doubled -----------------------------------------------------------------

_POOLED = ("  - conv2d: {{name: a, filters: 16, kernel_size: 3, padding: same, activation: relu}}\n"
           "  - max_pool2d: {{name: p, pool_size: 2}}\n"
           "  - conv2d: {{name: b, filters: {}, kernel_size: 3, padding: same, "
           "activation: relu}}\n")


def test_l002_fires_when_the_channels_do_not_double() -> None:
    [d] = lint_text(spec("[32, 32, 16]", _POOLED.format(24)))
    assert d.code == "L002"
    assert d.message == ("`p` halves the feature map (32x32 -> 16x16) but the widest map at "
                         "16x16 has 24 channels, fewer than 2 x the 16 entering it (32)")


def test_l002_quiet_when_doubled() -> None:
    assert codes(spec("[32, 32, 16]", _POOLED.format(32))) == []


# -- L003 lrn ---------------------------------------------------------------------------------


def test_l003_lrn_with_the_batch_norm_cost() -> None:
    layers = ("  - conv2d: {filters: 8, kernel_size: 3, padding: same, activation: relu}\n"
              "  - lrn: {name: n}\n")
    [d] = lint_text(spec("[8, 8, 8]", layers))
    assert d.code == "L003"
    assert d.message == ("local response normalisation `n` has been superseded by batch "
                         "normalisation")
    # batch norm: gamma, beta (trainable) and moving mean, variance per channel
    assert f"{4 * 8} params on 8 channels ({2 * 8} trainable)" in (d.help or "")
    fixed = layers.replace("lrn: {name: n}", "batch_norm: {}")
    assert codes(spec("[8, 8, 8]", fixed)) == []


# -- L004 separable-candidate -----------------------------------------------------------------

_WORKED = "  - conv2d: {name: a, filters: 512, kernel_size: 3, padding: same, activation: relu}\n"


def test_l004_is_off_by_default() -> None:
    assert codes(spec("[14, 14, 512]", _WORKED)) == []


def test_l004_worked_example_of_numbers_md() -> None:
    m = n = 512
    dp, dk = 14, 3
    standard, separable = n * dp**2 * dk**2 * m, m * dp**2 * (dk**2 + n)
    assert (standard, separable) == (462_422_016, 52_283_392)  # numbers.md
    [d] = lint_text(spec("[14, 14, 512]", _WORKED), enable=("L004",))
    assert d.message == (
        "standard convolution `a`: N x Dp^2 x Dk^2 x M = 512 x 14^2 x 3^2 x 512 = "
        f"{standard:,} MACs; depthwise-separable: M x Dp^2 x (Dk^2 + N) = 512 x 14^2 x "
        f"(3^2 + 512) = {separable:,} MACs ({_pct(separable, standard)})")
    params_sep = dk * dk * m + m * n + n
    params_std = dk * dk * m * n + n
    assert f"{params_sep:,} instead of {params_std:,} params" in (d.help or "")


def test_l004_quiet_on_pointwise() -> None:
    one = "  - conv2d: {filters: 512, kernel_size: 1, activation: relu}\n"
    assert codes(spec("[14, 14, 512]", one), enable=("L004",)) == []


# -- L005 se-ratio ----------------------------------------------------------------------------


def test_l005_ratio_4_with_params_at_16() -> None:
    c = 64
    [d] = lint_text(spec("[8, 8, 64]", "  - squeeze_excitation: {name: se, ratio: 4}\n"))
    assert d.code == "L005"
    assert d.message == "squeeze-excitation `se` reduces 64 channels to 16 (ratio 4), far from 16"
    now = (c * 16 + 16) + (16 * c + c)
    at16 = (c * 4 + 4) + (4 * c + c)
    assert f"{at16:,} params instead of {now:,}" in (d.help or "")


def test_l005_quiet_at_16() -> None:
    assert codes(spec("[8, 8, 64]", "  - squeeze_excitation: {name: se, ratio: 16}\n")) == []


def test_l005_once_per_network_with_the_others_counted() -> None:
    # MobileNetV3 squeezes every SE block about 4x by design: one warning, at the first
    # block (64 -> 16), whose note counts the two others (128 -> 32: 4; 32 -> 16: 2).
    layers = ("  - squeeze_excitation: {name: se1, ratio: 4}\n"
              "  - conv2d: {filters: 128, kernel_size: 1, activation: relu}\n"
              "  - squeeze_excitation: {name: se2, ratio: 4}\n"
              "  - squeeze_excitation: {name: se3, units: 64, when: false}\n"
              "  - conv2d: {filters: 32, kernel_size: 1, activation: relu}\n"
              "  - squeeze_excitation: {name: se4, ratio: 2}\n"
              "  - squeeze_excitation: {name: se5, ratio: 16, when: false}\n")
    [d] = lint_text(spec("[8, 8, 64]", layers))
    assert d.message == "squeeze-excitation `se1` reduces 64 channels to 16 (ratio 4), far from 16"
    assert d.notes[-1] == ("2 more squeeze-excitation blocks with ratios 2 to 4 are not "
                           "reported separately")


# -- L006 dense-heavy -------------------------------------------------------------------------

_HEAD = ("  - conv2d: {{name: a, filters: 32, kernel_size: 3, padding: same, activation: relu}}\n"
         "  - {}: {{}}\n"
         "  - dense: {{name: fc, units: 100}}\n")


def test_l006_dense_heavy_with_the_global_pooling_saving() -> None:
    conv = 9 * 32 * 32 + 32
    fc = 8 * 8 * 32 * 100 + 100
    gap = 32 * 100 + 100
    [d] = lint_text(spec("[8, 8, 32]", _HEAD.format("flatten")))
    assert d.code == "L006"
    assert d.message == (f"dense layers hold {fc:,} of {conv + fc:,} params "
                         f"({fc / (conv + fc):.1%}); `fc` alone holds {fc:,} "
                         f"({fc / (conv + fc):.1%})")
    assert d.help == ("replace `flatten_1` with `global_avg_pool2d`: `fc` would read 32 values "
                      f"instead of 8 x 8 x 32 = 2,048 and hold {gap:,} params "
                      f"({fc - gap:,} fewer)")


def test_l006_quiet_with_global_pooling() -> None:
    assert "L006" not in codes(spec("[8, 8, 32]", _HEAD.format("global_avg_pool2d")))


def test_l006_counts_dense_layers_on_vectors_only() -> None:
    # ConvNeXt's pointwise layers are `dense` on HxWxC: 1x1 convolutions in effect, holding
    # 32 x 256 + 256 = 8,448 and 256 x 32 + 32 = 8,224 of the 896 + 8,448 + 8,224 + 330 =
    # 17,898 params here, but there is no classifier to shrink. With flatten, the head
    # (8 x 8 x 32 x 10 + 10 = 20,490) is over half and fires.
    layers = ("  - conv2d: {filters: 32, kernel_size: 3, padding: same}\n"
              "  - dense: {units: 256, activation: gelu}\n"
              "  - dense: {units: 32}\n"
              "  - global_avg_pool2d: {}\n"
              "  - dense: {units: 10}\n")
    assert "L006" not in codes(spec("[8, 8, 3]", layers))
    assert "L006" in codes(spec("[8, 8, 3]", layers.replace("global_avg_pool2d", "flatten")))


def test_l006_ignores_se_gates() -> None:
    # 2,128 of 3,288 params sit in the SE block's dense layers: gates, not a classifier.
    text = spec("[8, 8, 64]", "  - squeeze_excitation: {name: se, ratio: 16}\n"
                "  - conv2d: {filters: 2, kernel_size: 3, activation: relu}\n")
    assert "L006" not in codes(text)


# -- L007 linear-stack ------------------------------------------------------------------------


def test_l007_conv_batch_norm_conv_is_linear() -> None:
    layers = ("  - conv2d: {name: a, filters: 32, kernel_size: 3, padding: same}\n"
              "  - batch_norm: {}\n"
              "  - conv2d: {name: b, filters: 32, kernel_size: 3, padding: same, "
              "activation: relu}\n")
    [d] = lint_text(spec("[8, 8, 32]", layers))
    assert d.code == "L007"
    assert d.message == ("convolutions `a` and `b` follow each other with no non-linearity "
                         "(only batch_norm between): together they are one linear map")
    assert d.span is not None and d.span.line == 7  # points at the second convolution


def test_l007_quiet_with_an_activation() -> None:
    on_conv = ("  - conv2d: {filters: 32, kernel_size: 3, padding: same, activation: relu}\n"
               "  - conv2d: {filters: 32, kernel_size: 3, padding: same, activation: relu}\n")
    as_layer = ("  - conv2d: {filters: 32, kernel_size: 3, padding: same}\n"
                "  - batch_norm: {}\n"
                "  - activation: relu\n"
                "  - conv2d: {filters: 32, kernel_size: 3, padding: same, activation: relu}\n")
    separable = ("  - depthwise_conv2d: {kernel_size: 3, padding: same}\n"
                 "  - conv2d: {filters: 32, kernel_size: 1, activation: relu}\n")
    for layers in (on_conv, as_layer, separable):
        assert "L007" not in codes(spec("[8, 8, 32]", layers))


def test_l007_quiet_when_the_first_map_feeds_a_shortcut() -> None:
    # ConvNeXt: the downsampling conv's output is a residual stream; the block's first conv
    # reads it, and so does the shortcut, so the two convolutions cannot be merged.
    layers = ("  - conv2d: {filters: 32, kernel_size: 2, strides: 2}\n"
              "  - residual:\n"
              "      shortcut: identity\n"
              "      body:\n"
              "        - conv2d: {filters: 32, kernel_size: 3, padding: same, "
              "activation: relu}\n")
    assert "L007" not in codes(spec("[8, 8, 32]", layers))
    plain = ("  - conv2d: {filters: 32, kernel_size: 2, strides: 2}\n"
             "  - conv2d: {filters: 32, kernel_size: 3, padding: same, activation: relu}\n")
    assert "L007" in codes(spec("[8, 8, 32]", plain))


def test_l007_quiet_on_a_linear_bottleneck() -> None:
    # MobileNetV2 / EfficientNet: a 1x1 projection 96 -> 24 (or 16 -> 16, MobileNetV3's
    # first block), batch norm, the next block's 1x1 expansion. A 1x1 that widens (24 -> 96)
    # is no bottleneck, and a 3x3 after the projection is no expansion: both still fire.
    def stack(first: int, second: str) -> str:
        return (f"  - conv2d: {{filters: {first}, kernel_size: 1}}\n"
                "  - batch_norm: {}\n"
                f"  - conv2d: {{{second}, activation: relu}}\n")
    assert "L007" not in codes(spec("[8, 8, 96]", stack(24, "filters: 144, kernel_size: 1")))
    assert "L007" not in codes(spec("[8, 8, 16]", stack(16, "filters: 72, kernel_size: 1")))
    assert "L007" in codes(spec("[8, 8, 24]", stack(96, "filters: 144, kernel_size: 1")))
    assert "L007" in codes(spec("[8, 8, 96]",
                                stack(24, "filters: 144, kernel_size: 3, padding: same")))


def test_l007_layer_norm_is_not_looked_through() -> None:
    # Layer norm divides by each sample's own deviation: not a linear map, unlike batch norm
    # at inference, so a conv, layer_norm, conv stack is not one linear map.
    layers = ("  - conv2d: {filters: 32, kernel_size: 3, padding: same}\n"
              "  - layer_norm: {}\n"
              "  - conv2d: {filters: 32, kernel_size: 3, padding: same, activation: relu}\n")
    assert "L007" not in codes(spec("[8, 8, 32]", layers))


def test_l007_linear_activation_does_not_count() -> None:
    layers = ("  - conv2d: {filters: 32, kernel_size: 3, padding: same, activation: linear}\n"
              "  - conv2d: {filters: 32, kernel_size: 3, padding: same, activation: relu}\n")
    assert "L007" in codes(spec("[8, 8, 32]", layers))


# -- L008 wide-reduction ----------------------------------------------------------------------

_REDUCE = ("  - conv2d: {{name: r, filters: {}, kernel_size: 1, activation: relu}}\n"
           "  - conv2d: {{name: c, filters: 32, kernel_size: 3, padding: same, "
           "activation: relu}}\n")


def test_l008_reduction_wider_than_its_conv() -> None:
    hw = 16 * 16
    now = hw * 64 * 48 + hw * 9 * 48 * 32
    narrowed = hw * 64 * 32 + hw * 9 * 32 * 32
    [d] = lint_text(spec("[16, 16, 64]", _REDUCE.format(48)))
    assert d.code == "L008"
    assert d.message == ("1x1 reduction `r` (64 -> 48 channels) is wider than the 3x3 "
                         "convolution `c` it feeds (48 -> 32)")
    assert (f"{narrowed:,} instead of {now:,} MACs ({_pct(narrowed, now)})") in (d.help or "")


def test_l008_quiet_when_reducing() -> None:
    assert codes(spec("[16, 16, 64]", _REDUCE.format(16))) == []


# -- L009 receptive-field ---------------------------------------------------------------------

_GAP_HEAD = "  - global_avg_pool2d: {}\n  - dense: {name: out, units: 10}\n"


def test_l009_pooled_features_smaller_than_the_input() -> None:
    # 3x3 same (3), 2x2 pool (4, jump 2), 3x3 same (4 + 2 x 2 = 8) on 32x32: 25%;
    # (32 - 8) / (2 x 2) = 6 more 3x3 layers would reach 32
    text = spec("[32, 32, 3]", "  - conv2d: {filters: 8, kernel_size: 3, padding: same}\n"
                "  - max_pool2d: {pool_size: 2}\n"
                "  - conv2d: {name: last, filters: 16, kernel_size: 3, padding: same}\n"
                "  - activation: relu\n" + _GAP_HEAD)
    [d] = lint_text(text, disable=("L007",))
    assert d.code == "L009"
    assert d.message == ("`last`, the last layer before the head of `out`, sees 8x8 of the "
                         "32x32 input (25% of its height and width): the classifier pools "
                         "features that never saw the whole image")
    assert d.notes == ("the jump there is 2 input pixels, so each further 3x3 layer adds 4: "
                       "6 more would cover the input",)


def test_l009_names_each_short_axis() -> None:
    # a 1x7 kernel on 8x8: height 1 (12%), width 7 (88%), both short of 8
    text = spec("[8, 8, 1]", "  - conv2d: {name: c, filters: 4, kernel_size: [1, 7], "
                "padding: same, activation: relu}\n" + _GAP_HEAD)
    [d] = lint_text(text, disable=("L006",))
    assert "sees 1x7 of the 8x8 input (12% of its height, 88% of its width)" in d.message
    assert d.notes[0].startswith("the jump there is 1 input pixel, so each further 3x3 "
                                 "layer adds 2: ")
    # ceil((8 - 1) / 2) = 4 more 3x3 for the height, ceil((8 - 7) / 2) = 1 for the width
    assert d.notes[0].endswith("4 more would cover the input")


def test_l009_quiet_when_covered_or_flattened() -> None:
    # 3x3 valid twice on 5x5: 5 = the whole 5x5 input
    covered = spec("[5, 5, 1]", "  - conv2d: {filters: 4, kernel_size: 3, activation: relu}\n"
                   "  - conv2d: {filters: 4, kernel_size: 3, activation: relu}\n" + _GAP_HEAD)
    assert "L009" not in codes(covered)
    # a flatten head over a 16x16 map keeps a weight per position: not checked
    flattened = spec("[32, 32, 3]", "  - conv2d: {filters: 8, kernel_size: 3, padding: same, "
                     "activation: relu}\n  - max_pool2d: {pool_size: 2}\n  - flatten: {}\n"
                     "  - dense: {units: 10}\n")
    assert "L009" not in codes(flattened)
    # but a flatten of a 1x1 map is one position: checked (5x5 valid on 5x5: covered)
    one_by_one = spec("[5, 5, 1]", "  - conv2d: {filters: 4, kernel_size: 5, activation: relu}"
                      "\n  - flatten: {}\n  - dense: {units: 10}\n")
    assert "L009" not in codes(one_by_one)
    # no classifier: a spatial output is never checked
    assert "L009" not in codes(spec("[32, 32, 3]", "  - conv2d: {filters: 8, kernel_size: 3, "
                                    "activation: relu}\n"))


def test_l009_field_outgrows_the_input_early() -> None:
    # 8x8 input, ten 3x3 same convolutions: 3, 5, 7, ..., 21. The first to reach
    # 2 x 8 = 16 (max_times 2) is the 8th (17); 2 of the 10 windows follow it: quiet with
    # min_share_after 0.5, and with 0.2 (2 >= 0.2 x 10) it fires.
    layers = "".join(f"  - conv2d: {{name: c{i}, filters: 4, kernel_size: 3, padding: same, "
                     "activation: relu}\n" for i in range(1, 11)) + _GAP_HEAD
    loose = "lint: {settings: {L009: {max_times: 2, min_share_after: 0.5}}}\n"
    assert "L009" not in codes(spec("[8, 8, 1]", layers, loose))
    strict = "lint: {settings: {L009: {max_times: 2, min_share_after: 0.2}}}\n"
    [d] = lint_text(spec("[8, 8, 1]", layers, strict))
    assert d.message.startswith("`c8` already sees 17x17 input pixels, 2.1 times the 8x8 "
                                "input, yet 2 of the 10 layers with a window that lead to "
                                "`out` come after it, with ")
    # MACs: each conv after c8 is 8 x 8 x 4 x 9 x 4 = 9,216; the head 4 x 10 = 40
    total = 8 * 8 * 4 * 9 * 1 + 9 * (8 * 8 * 4 * 9 * 4) + 40
    later = 2 * (8 * 8 * 4 * 9 * 4) + 40
    assert d.message.endswith(f"({later:,} of {total:,})")


def test_rendered_warning_format() -> None:
    out = rendered(spec("[8, 8, 8]", "  - lrn: {name: n}\n"))
    assert out.splitlines()[0] == ("t.yaml:5:5: warning[L003]: local response normalisation "
                                   "`n` has been superseded by batch normalisation")
    assert out.splitlines()[3] == "  |     ^^^"
