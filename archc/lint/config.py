"""Which rules run, with which settings: rule defaults, then the spec's `lint:`, then the CLI.

A spec may say

    lint:
      disable: [L003]              # codes or names (`lrn`)
      enable: [separable-candidate]
      settings:
        L005: {min_ratio: 4, max_ratio: 32}

Mistakes in that mapping are located errors (L1xx), like any other spec error; unknown rule
names given on the command line are usage errors, because they have no location.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from archc.diagnostics import DiagnosticSink, did_you_mean
from archc.lint.rules import RULES, RULES_BY_CODE, RULES_BY_NAME, Rule
from archc.spec.loader import Document

_KEYS = ("disable", "enable", "settings")


@dataclass(frozen=True)
class LintConfig:
    enabled: frozenset[str]
    settings: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    def rules(self) -> list[tuple[Rule, Mapping[str, float]]]:
        """Enabled rules in code order, each with its effective settings."""
        return [(r, {**r.settings, **self.settings.get(r.code, {})})
                for r in RULES if r.code in self.enabled]


def lookup(name: str) -> Rule | None:
    """A rule by code (`L003`, any case) or name (`lrn`)."""
    return RULES_BY_CODE.get(name.upper()) or RULES_BY_NAME.get(name.lower())


def _names() -> list[str]:
    return [*RULES_BY_CODE, *RULES_BY_NAME]


def from_spec(doc: Document, raw: Mapping[str, Any], sink: DiagnosticSink) -> LintConfig:
    """The spec's `lint:` mapping applied over the rule defaults; errors go to `sink`."""
    enabled = {r.code for r in RULES if r.enabled_by_default}
    settings: dict[str, dict[str, float]] = {}
    for key, value in raw.items():
        if key not in _KEYS:
            sink.error("L100", f"unknown key `{key}` in `lint`", doc.key_span(("lint", key)),
                       did_you_mean(key, _KEYS) or "expected `disable`, `enable` or `settings`")
            continue
        if key == "settings":
            _settings(doc, value, settings, sink)
            continue
        if not isinstance(value, list):
            sink.error("L101", f"`lint.{key}` must be a list of rule codes or names",
                       doc.span(("lint", key)), f"for example `{key}: [L003]`")
            continue
        for index, item in enumerate(value):
            rule = lookup(item) if isinstance(item, str) else None
            if rule is None:
                sink.error("L102", f"unknown lint rule `{item}`", doc.span(("lint", key, index)),
                           did_you_mean(str(item), _names()) or "see `archc lint --list-rules`")
                continue
            if key == "disable":
                enabled.discard(rule.code)
            else:
                enabled.add(rule.code)
    return LintConfig(frozenset(enabled), settings)


def _settings(doc: Document, value: Any, out: dict[str, dict[str, float]],
              sink: DiagnosticSink) -> None:
    if not isinstance(value, dict):
        sink.error("L101", "`lint.settings` must map rule codes to settings",
                   doc.span(("lint", "settings")),
                   "for example `settings: {L005: {max_ratio: 24}}`")
        return
    for name, given in value.items():
        rule = lookup(name)
        if rule is None:
            sink.error("L102", f"unknown lint rule `{name}`",
                       doc.key_span(("lint", "settings", name)),
                       did_you_mean(name, _names()) or "see `archc lint --list-rules`")
            continue
        if not isinstance(given, dict):
            example = next(iter(rule.settings.items()), None)
            sink.error("L101", f"settings of `{name}` must be a mapping",
                       doc.span(("lint", "settings", name)),
                       f"for example `{name}: {{{example[0]}: {example[1]:g}}}`" if example
                       else f"rule {rule.code} has no settings")
            continue
        for key, number in given.items():
            path = ("lint", "settings", name, key)
            if key not in rule.settings:
                known = ", ".join(f"`{k}`" for k in rule.settings) or "none"
                sink.error("L103", f"rule {rule.code} ({rule.name}) has no setting `{key}`",
                           doc.key_span(path), did_you_mean(key, rule.settings)
                           or f"its settings: {known}")
                continue
            if isinstance(number, bool) or not isinstance(number, int | float) \
                    or not math.isfinite(number) or number <= 0:  # .nan and .inf too
                sink.error("L104", f"setting `{key}` of {rule.code} must be a positive number; "
                           f"found `{number}`", doc.span(path),
                           f"the default is {rule.settings[key]:g}")
                continue
            out.setdefault(rule.code, {})[key] = float(number)


def with_cli(config: LintConfig, enable: Iterable[str], disable: Iterable[str]) -> LintConfig:
    """Apply `--enable` / `--disable` (codes or names, comma lists allowed) over the spec's.

    Raises ValueError naming the first unknown rule; the CLI turns it into a usage error.
    """
    enabled = set(config.enabled)
    for names, on in ((enable, True), (disable, False)):
        for group in names:
            for name in filter(None, (n.strip() for n in group.split(","))):
                rule = lookup(name)
                if rule is None:
                    hint = did_you_mean(name, _names())
                    raise ValueError(f"unknown lint rule `{name}`" + (f"; {hint}" if hint else ""))
                if on:
                    enabled.add(rule.code)
                else:
                    enabled.discard(rule.code)
    return LintConfig(frozenset(enabled), config.settings)
