"""What the figures were measured on: cores, CPU, load, and the versions that matter.

Versions come from package metadata, so describing the machine never imports TensorFlow.
"""

from __future__ import annotations

import os
import platform
from importlib import metadata


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def describe() -> dict[str, str]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "cores": str(os.cpu_count()),
        "cpu": _cpu_model(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "pyyaml": _version("PyYAML"),
        "pydantic": _version("pydantic"),
        "tensorflow": _version("tensorflow"),
        "keras": _version("keras"),
        "load average (1 min) at start": f"{load[0]:.2f}",
    }
