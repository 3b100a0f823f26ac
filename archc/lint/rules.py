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

from archc.lint.common import Rule
from archc.lint.receptive_field import receptive_field
from archc.lint.savings import (
    dense_heavy,
    large_kernel,
    se_ratio,
    separable_candidate,
    wide_reduction,
)
from archc.lint.structure import filters_not_doubled, linear_stack, lrn

__all__ = ["RULES", "RULES_BY_CODE", "RULES_BY_NAME", "Rule"]

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

