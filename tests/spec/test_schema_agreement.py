"""archc and its JSON Schema agree: no spec archc accepts is an error for the schema.

Editors check specs against docs/archc.schema.json as people type, with a standard
JSON-Schema validator; archc checks them when it runs. If the two disagreed, an editor would
underline correct specs (people learn to ignore it) or stay silent on wrong ones. The corpus
here: the zoo, every YAML example of the documentation, the hostile-input corpus and over
3,000 generated variations (every layer item form for every type, and a palette of values
for every field). Each spec goes through archc's pipeline and through `jsonschema`'s
Draft 2020-12 validator. The forms issue 13 listed are pinned one by one with the verdict
both must give (docs/spec-language.md, "Layer items" and "Editor support", says the same).
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import itertools
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from archc.diagnostics import SpecError
from archc.pipeline import compile_text
from archc.spec.jsonschema import build_schema
from archc.spec.loader import load_text
from archc.spec.schema import LAYER_MODELS, STRUCTURE_MODELS

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "docs" / "archc.schema.json"


def _doc_blocks() -> list[tuple[str, str]]:
    """(where, text) of every YAML block in the Markdown docs (the docs tests' own reader)."""
    path = ROOT / "tests" / "docs" / "markdown_blocks.py"
    spec = importlib.util.spec_from_file_location("_archc_markdown_blocks", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return [(b.where, b.text) for b in module.yaml_blocks()]


@dataclass(frozen=True)
class Verdict:
    accepted: bool          # archc compiled it without errors
    codes: tuple[str, ...]  # archc's diagnostic codes otherwise
    loaded: bool            # archc's YAML loader could read it (else there is no data)
    schema_errors: tuple[str, ...]

    @property
    def schema_ok(self) -> bool:
        return not self.schema_errors


_VALIDATOR = jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text("utf-8")))


def judge(text: str) -> Verdict:
    try:
        compile_text(text, "spec.yaml")
        accepted, codes = True, ()
    except SpecError as exc:
        accepted, codes = False, tuple(sorted({d.code for d in exc.diagnostics}))
    try:
        data = load_text(text, "spec.yaml").data
    except SpecError:
        return Verdict(accepted, codes, False, ())
    errors = tuple(e.message for e in _VALIDATOR.iter_errors(data))
    return Verdict(accepted, codes, True, errors)


# -- the corpus ----------------------------------------------------------------------------

HEADER = """archc: 1
name: corpus
input: [16, 16, 4]
variables: {v: 2, w: 4, act: relu, rate: 0.5}
"""
PREFIX = """  - conv2d: {name: a, filters: 4, kernel_size: 1}
  - conv2d: {name: b, inputs: a, filters: 4, kernel_size: 1}
"""
BLOCKS = """blocks:
  unit:
    params: [{filters: 4}]
    layers:
      - conv2d: {filters: $filters, kernel_size: 1}
"""

# A minimal, valid argument mapping per type (what the value palette below mutates).
MINIMAL: dict[str, dict[str, Any]] = {
    "conv2d": {"filters": 4, "kernel_size": 3},
    "depthwise_conv2d": {"kernel_size": 3},
    "separable_conv2d": {"filters": 4, "kernel_size": 3},
    "dense": {"units": 4},
    "flatten": {},
    "max_pool2d": {},
    "avg_pool2d": {},
    "subsampling2d": {},
    "global_avg_pool2d": {},
    "global_max_pool2d": {},
    "batch_norm": {},
    "layer_norm": {},
    "lrn": {},
    "activation": {"function": "relu"},
    "dropout": {"rate": 0.5},
    "zero_padding2d": {},
    "concat": {"inputs": ["a", "b"]},
    "add": {"inputs": ["a", "b"]},
    "multiply": {"inputs": ["a", "b"]},
    "squeeze_excitation": {"ratio": 2},
    "conv2d_transpose": {"filters": 4, "kernel_size": 3},
    "cropping2d": {},
    "layer_scale": {},
    "normalization": {},
    "rescaling": {"scale": 0.5},
    "reshape": {"shape": [1024]},
    "scaled_add": {"inputs": ["a", "b"]},
    "upsampling2d": {},
    "channel_slice": {"start": 0, "stop": 2},
    "dfl": {"bins": 1},
    "group_norm": {"groups": 1},
    "spatial_dropout2d": {"rate": 0.5},
    "parallel": {"branches": [[{"conv2d": {"filters": 2, "kernel_size": 1}}],
                              [{"max_pool2d": {"pool_size": 1}}]]},
    "residual": {"body": [{"conv2d": {"filters": 4, "kernel_size": 1}}]},
    "repeat": {"times": 2, "block": "unit"},
    "unit": {},
}
assert set(MINIMAL) == {*LAYER_MODELS, *STRUCTURE_MODELS, "unit"}

PALETTE: list[Any] = [
    0, 1, 2, -1, 3.0, 2.5, 1.5, True, None, "same", "valid", "relu", "rleu", "concat",
    [2, 2], [2.0, 3], [2, 2, 2], [[1, 1], [1, 1]], [], {}, "$v", "$w * 2", "$act", "a/b",
    "x.y", "auto", [[0, 1], [1, 2], [0, 2], [0, 1, 2]], "max(2, 3)", "6 / 4", "2 * 3",
    "round(2.5)", "conv-a",
]
"""Values tried in every field of every type: right and wrong types, ranges, names."""


def spec(layers: list[Any] | str, defaults: dict[str, Any] | None = None,
         header: str = HEADER) -> str:
    """A spec with the two prefix layers `a`, `b`, a block `unit`, and `layers` after them."""
    text = header + BLOCKS
    if defaults:
        text += yaml.safe_dump({"defaults": defaults}, default_flow_style=None)
    body = layers if isinstance(layers, str) else yaml.safe_dump(
        layers, default_flow_style=None, sort_keys=False)
    indented = "".join(f"  {line}\n" for line in body.splitlines())
    return text + "layers:\n" + PREFIX + indented


def form_variations() -> Iterator[tuple[str, str]]:
    """Every way of writing a layer item, for every type, with and without defaults."""
    forms: dict[str, Any] = {"bare": "- {k}", "null": "- {k}:", "empty": "- {k}: {{}}",
                             "int": "- {k}: 8", "float": "- {k}: 0.5", "name": "- {k}: relu",
                             "typo": "- {k}: rleu", "list": "- {k}: [1, 2]",
                             "minimal": None}
    for kind, minimal in MINIMAL.items():
        needs_vector = kind == "dense"
        for (form, template), with_defaults in itertools.product(forms.items(), (False, True)):
            if with_defaults and kind not in LAYER_MODELS:
                continue
            item = (yaml.safe_dump([{kind: minimal}], default_flow_style=None)
                    if template is None else template.format(k=kind))
            layers = ("- flatten\n" if needs_vector else "") + item
            defaults = {kind: minimal} if with_defaults and minimal else None
            yield f"form:{kind}:{form}:{'defaults' if defaults else 'plain'}", spec(
                layers, defaults)


def value_variations() -> Iterator[tuple[str, str]]:
    """Every palette value in every field of every layer type (and `when`, `name`)."""
    for kind, model in LAYER_MODELS.items():
        fields = [f.alias or n for n, f in model.model_fields.items() if n not in ("inputs",)]
        for field in fields:
            for i, value in enumerate(PALETTE):
                args = {**MINIMAL[kind], field: value}
                layers = ([{"flatten": None}] if kind == "dense" else []) + [{kind: args}]
                yield f"value:{kind}.{field}[{i}]={value!r}", spec(layers)


def header_variations() -> Iterator[tuple[str, str]]:
    item = "- flatten"
    cases = {
        "input-2": HEADER.replace("[16, 16, 4]", "[28, 28]"),
        "input-1": HEADER.replace("[16, 16, 4]", "[28]"),
        "input-float": HEADER.replace("[16, 16, 4]", "[16.0, 16, 4]"),
        "input-zero": HEADER.replace("[16, 16, 4]", "[0, 16, 4]"),
        "input-4": HEADER.replace("[16, 16, 4]", "[1, 16, 16, 4]"),
        "name-slash": HEADER.replace("name: corpus", "name: a/b"),
        "name-empty": HEADER.replace("name: corpus", "name: ''"),
        "version-float": HEADER.replace("archc: 1", "archc: 1.0"),
        "version-2": HEADER.replace("archc: 1", "archc: 2"),
        "variable-bad-name": HEADER.replace("v: 2,", "'v w': 2,"),
        "variable-dotted": HEADER.replace("v: 2,", "v.x: 2,"),
        "unknown-key": HEADER + "colour: red\n",
        "outputs": HEADER + "outputs: [a, b]\n",
        "default-variant": HEADER + "variants: {small: {v: 1}}\ndefault_variant: small\n",
        "variant-unknown-var": HEADER + "variants: {small: {zz: 1}}\n",
        "defaults-unknown-type": HEADER + "defaults: {conv: {filters: 2}}\n",
        "defaults-structure": HEADER + "defaults: {residual: {body: []}}\n",
        "tables": HEADER + "tables: {t: [[0], [1]]}\n",
        "tables-bad-name": HEADER + "tables: {'t t': [[0], [1]]}\n",
    }
    for label, header in cases.items():
        yield f"header:{label}", spec(item, header=header)
    yield "header:layers-empty", HEADER + "layers: []\n"
    yield "header:block-layers-empty", HEADER + "blocks: {e: {layers: []}}\nlayers:\n  - e\n"
    yield "header:block-bad-name", HEADER + ("blocks: {'e e': {layers: [flatten]}}\n"
                                             "layers:\n  - flatten\n")


def corpus() -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    for path in sorted((ROOT / "specs").glob("*.yaml")):
        items.append((f"zoo:{path.name}", path.read_text("utf-8")))
    items += [(f"doc:{where}", text) for where, text in _doc_blocks()]
    for path in sorted((ROOT / "tests" / "hostile" / "corpus").glob("*.yaml")):
        raw = path.read_bytes()
        if len(raw) < 64 * 1024:  # the huge ones test caps, not vocabulary
            with contextlib.suppress(UnicodeDecodeError):  # so do the non-UTF-8 ones
                items.append((f"hostile:{path.name}", raw.decode("utf-8")))
    items += list(form_variations())
    items += list(value_variations())
    items += list(header_variations())
    return items


@functools.cache
def verdicts() -> dict[str, Verdict]:
    """The corpus judged once per session (a few seconds), not at collection time."""
    return {label: judge(text) for label, text in corpus()}


# -- the agreement --------------------------------------------------------------------------


def test_the_corpus_is_large_and_mixed() -> None:
    judged = verdicts()
    # Guards against a vacuous pass: a corpus archc refused whole would prove nothing.
    accepted = [v for v in judged.values() if v.accepted]
    refused_by_schema = [v for v in judged.values() if v.loaded and not v.schema_ok]
    generated = [label for label in judged if label.split(":")[0] in ("form", "value",
                                                                        "header")]
    assert len(generated) >= 3000  # docs/spec-language.md says "over 3,000"
    assert len(accepted) >= 500
    assert len(refused_by_schema) >= 2000
    assert all(judged[label].accepted for label in judged if label.startswith("zoo:"))


def test_no_spec_archc_accepts_is_an_error_for_the_schema() -> None:
    judged = verdicts()
    disagreements = [f"{label}: {v.schema_errors[0]}" for label, v in judged.items()
                     if v.accepted and not v.schema_ok]
    assert disagreements == []


def test_the_committed_schema_is_the_generated_one() -> None:
    assert json.loads(SCHEMA_FILE.read_text("utf-8")) == build_schema()


# The forms issue 13 listed, and what archc and the schema both say about each.
# (label, layers or full spec, archc's code or None when accepted)
LISTED: list[tuple[str, str, str | None]] = [
    ("bare batch_norm", spec("- batch_norm"), None),
    ("bare max_pool2d", spec("- max_pool2d"), None),
    ("null batch_norm", spec("- batch_norm:"), None),
    ("bare conv2d, fields from defaults",
     spec("- conv2d", {"conv2d": {"filters": 4, "kernel_size": 3}}), None),
    ("null conv2d, fields from defaults",
     spec("- conv2d:", {"conv2d": {"filters": 4, "kernel_size": 3}}), None),
    ("bare block call", spec("- unit"), None),
    ("null block call", spec("- unit:"), None),
    ("filters: 3.0 is the integer 3", spec("- conv2d: {filters: 3.0, kernel_size: 3}"), None),
    ("network name a/b (free text)", spec("- flatten", header=HEADER.replace(
        "name: corpus", "name: a/b")), None),
    ("misspelt shorthand activation", spec("- activation: rleu"), "S004"),
    ("dropout: 1.5", spec("- dropout: 1.5"), "S004"),
    ("dropout: {rate: 1.5}", spec("- dropout: {rate: 1.5}"), "S004"),
    ("layers: []", HEADER + "layers: []\n", "S004"),
    ("layer name a/b", spec("- batch_norm: {name: a/b}"), "S004"),
    ("filters: 3.5", spec("- conv2d: {filters: 3.5, kernel_size: 3}"), "S004"),
    ("input: [28, 28]", spec("- flatten", header=HEADER.replace("[16, 16, 4]", "[28, 28]")),
     "S004"),
    ("bare residual", spec("- residual"), "S003"),
    ("null repeat", spec("- repeat:"), "S003"),
    ("scalar for a type without shorthand", spec("- conv2d: 8"), "S006"),
]


@pytest.mark.parametrize(("label", "text", "code"), LISTED, ids=[c[0] for c in LISTED])
def test_listed_form(label: str, text: str, code: str | None) -> None:
    verdict = judge(text)
    if code is None:
        assert verdict.accepted, verdict.codes
        assert verdict.schema_ok, verdict.schema_errors
    else:
        assert not verdict.accepted and code in verdict.codes, verdict.codes
        assert not verdict.schema_ok, "the schema passes a form archc refuses"


def test_a_misspelt_bare_type_is_left_to_archc() -> None:
    # Documented limit: the schema cannot know the spec's block names, so `- flaten` reads
    # to it as a call of a block `flaten`; archc refuses it (S005).
    verdict = judge(spec("- flaten"))
    assert verdict.codes == ("S005",)
    assert verdict.schema_ok


KEYWORDS = {
    "$schema", "$id", "$ref", "$defs", "title", "description", "default", "type", "enum",
    "const", "properties", "additionalProperties", "required", "propertyNames",
    "minProperties", "maxProperties", "items", "prefixItems", "minItems", "maxItems",
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "pattern", "minLength",
    "maxLength", "anyOf", "oneOf", "allOf", "not",
}
"""The Draft 2020-12 keywords the generator may emit. A validator ignores any other key, so
a constraint pydantic spells its own way (`gt` instead of `exclusiveMinimum`) would vanish
silently from the schema; this list makes that a failure."""


def _unknown_keywords(schema: Any, where: str = "#") -> Iterator[str]:
    if isinstance(schema, bool):
        return
    assert isinstance(schema, dict), where
    for key, value in schema.items():
        if key not in KEYWORDS:
            yield f"{where}/{key}"
        elif key in ("properties", "$defs"):
            for name, sub in value.items():
                yield from _unknown_keywords(sub, f"{where}/{key}/{name}")
        elif key in ("anyOf", "oneOf", "allOf", "prefixItems"):
            for i, sub in enumerate(value):
                yield from _unknown_keywords(sub, f"{where}/{key}/{i}")
        elif key in ("items", "not", "additionalProperties", "propertyNames"):
            yield from _unknown_keywords(value, f"{where}/{key}")


def test_the_schema_uses_only_standard_keywords() -> None:
    schema = build_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert list(_unknown_keywords(schema)) == []
