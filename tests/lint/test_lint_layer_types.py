"""Lint on the layer types and options added for the modern families (issue 12)."""

from __future__ import annotations

from lint_helpers import codes, lint_text, spec


def test_l005_reads_the_conv_form_and_units() -> None:
    # 64 channels squeezed to 16 by 1x1 convolutions: ratio 4, as with two dense layers
    [d] = lint_text(spec("[8, 8, 64]", "  - squeeze_excitation: {name: se, units: 16, "
                                       "form: conv}\n"))
    assert d.code == "L005"
    assert d.message == "squeeze-excitation `se` reduces 64 channels to 16 (ratio 4), far from 16"
    assert codes(spec("[8, 8, 64]", "  - squeeze_excitation: {units: 4, form: conv}\n")) == []
