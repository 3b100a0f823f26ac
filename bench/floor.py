"""Issue 2 and issue 7's start-up comparisons, whole processes, and the import audit.

- issue 2: `archc summary` of ResNet-152 against building keras.applications.ResNet152
  (weights=None) and calling `summary()`: at least 20x faster.
- issue 7 ("the floor"): the same summary against `import yaml, pydantic;
  yaml.safe_load(open(SPEC))`, at most 2x.
- `python -X importtime`: the modules `archc summary` loads, with the heavy ones it must not.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.timing import Runs, bench_env, side_by_side

ROOT = Path(__file__).resolve().parent.parent
SPEC = "specs/resnet.yaml"
ARCHC = str(Path(sys.executable).with_name("archc"))

SUMMARY = [ARCHC, "summary", SPEC, "--variant", "resnet152"]
FLOOR = [sys.executable, "-c", f"import yaml, pydantic; yaml.safe_load(open({SPEC!r}))"]
# What the floor leaves out: pydantic's model machinery (a summary of a valid spec needs none
# since archc/spec/plain.py; an error still imports it).
FLOOR_BASEMODEL = [sys.executable, "-c",
                   f"import yaml; from pydantic import BaseModel; yaml.safe_load(open({SPEC!r}))"]
STARTUP = [sys.executable, "-c", "pass"]
KERAS = [sys.executable, "-c",
         "import keras; keras.applications.ResNet152(weights=None).summary()"]

HEAVY = ("tensorflow", "keras", "numpy", "jax", "torch", "graphviz", "jsonschema",
         "matplotlib", "pandas", "scipy", "h5py", "PIL")


def floor(repeats: int) -> dict[str, Runs]:
    return side_by_side({"archc summary": SUMMARY, "floor": FLOOR,
                         "floor + pydantic.BaseModel": FLOOR_BASEMODEL,
                         "python -c pass": STARTUP}, repeats, warmup=2, cwd=str(ROOT))


def keras_summary(repeats: int) -> dict[str, Runs]:
    return side_by_side({"archc summary": SUMMARY, "keras ResNet152 summary": KERAS},
                        repeats, warmup=1, cwd=str(ROOT))


@dataclass(frozen=True)
class Audit:
    modules: int
    heavy: list[str]
    third_party: list[str]
    slowest_top_level: list[tuple[str, int]]
    archc_modules: list[str]


def import_audit() -> Audit:
    """Modules imported by `archc summary` (via -X importtime) and the heavy ones among them."""
    code = ("import sys; from archc.cli import main; "
            f"sys.exit(main(['summary', {SPEC!r}, '--variant', 'resnet152']))")
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code], cwd=ROOT,
                          env=bench_env(), capture_output=True, text=True, check=True)
    modules: list[tuple[str, int]] = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = (part.strip() for part in line[len("import time:"):].split("|"))
        if cumulative.isdigit():
            modules.append((name, int(cumulative)))
    probe = ("import io, sys, contextlib; from archc.cli import main\n"
             "with contextlib.redirect_stdout(io.StringIO()):\n"
             f"    main(['summary', {SPEC!r}, '--variant', 'resnet152'])\n"
             "print(*sorted(sys.modules))\n")
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=bench_env(),
                            capture_output=True, text=True, check=True).stdout.split()
    names = {n for n in loaded if not n.startswith("__")}
    heavy = sorted(n for n in names if n.split(".")[0] in HEAVY)
    top = [(n, us) for n, us in modules if "." not in n]
    third_party = sorted({n.split(".")[0] for n in names
                          if n.split(".")[0] not in sys.stdlib_module_names
                          and not n.startswith(("archc", "_", "sitecustomize"))})
    return Audit(len(names), heavy, third_party, sorted(top, key=lambda t: -t[1])[:6],
                 sorted(n for n in names if n.startswith("archc")))


_SEGMENTS = f"""\
import time
t0 = time.perf_counter()
import yaml
t1 = time.perf_counter()
import archc.cli
t3 = time.perf_counter()
import io, contextlib
with contextlib.redirect_stdout(io.StringIO()):
    archc.cli.main(['summary', {SPEC!r}, '--variant', 'resnet152'])
t4 = time.perf_counter()
with contextlib.redirect_stdout(io.StringIO()):
    archc.cli.main(['summary', {SPEC!r}, '--variant', 'resnet152'])
t5 = time.perf_counter()
print(t1 - t0, t3 - t1, t4 - t3, t5 - t4)
"""

SEGMENT_NAMES = ("import yaml", "import archc (all modules)",
                 "first summary (compiles the checkers it needs)", "second summary, same process")


def breakdown(repeats: int) -> dict[str, float]:
    """Median seconds of each start-up segment of `archc summary`, measured in-process."""
    samples: list[list[float]] = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", _SEGMENTS], cwd=ROOT, env=bench_env(),
                             capture_output=True, text=True, check=True).stdout
        samples.append([float(v) for v in out.split()])
    return {name: statistics.median(s[i] for s in samples)
            for i, name in enumerate(SEGMENT_NAMES)}
