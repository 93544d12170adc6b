"""Checks of option values, shared by every command's config (kept free of heavy imports).

`check_folders(config, *names)` refuses output folders that are files, `check_inputs` input
folders that do not exist. `check_ranges(config,
ranges)` checks the named fields against intervals written as in
mathematics, "(0, 1]", "[1, inf)": a failure names the option, the value and the allowed range
(the CLI exits with code 2). Every float field of a config is checked finite (NaN and inf are
never a sensible setting), whether or not it has a range.
"""

from __future__ import annotations

import math
from dataclasses import fields
from pathlib import Path

from genreward.errors import GenRewardError


def option(name: str) -> str:
    """How a config field is written on the command line."""
    return "--" + name.replace("_", "-")


def _inside(value: float, interval: str) -> bool:
    low, high = (part.strip() for part in interval[1:-1].split(","))
    above = value > float(low) if interval[0] == "(" else value >= float(low)
    below = value < float(high) if interval[-1] == ")" else value <= float(high)
    return above and below


def check_ranges(config: object, ranges: dict[str, str]) -> None:
    """Raise `GenRewardError` for a non-finite float field or a field outside its interval
    (None values are not checked: they mean "the default")."""
    for field in fields(config):  # type: ignore[arg-type]
        value = getattr(config, field.name)
        if isinstance(value, float) and not math.isfinite(value):
            raise GenRewardError(f"{option(field.name)} must be a finite number, got {value}")
    for name, interval in ranges.items():
        value = getattr(config, name)
        if value is not None and not _inside(value, interval):
            raise GenRewardError(f"{option(name)} must be in {interval}, got {value}")


def check_device(device: str) -> None:
    """Refuse a torch device this machine does not have, with what to use instead."""
    import torch

    try:
        parsed = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise GenRewardError(f"--device {device!r} is not a torch device ({exc})") from exc
    if parsed.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0:
            raise GenRewardError(f"--device {device}: torch sees no CUDA GPU here; use cpu")
        if parsed.index is not None and parsed.index >= count:
            raise GenRewardError(f"--device {device}: this machine has {count} CUDA GPU(s)")
    elif parsed.type == "mps" and not torch.backends.mps.is_available():
        raise GenRewardError(f"--device {device}: MPS is not available here; use cpu")
    elif parsed.type not in ("cpu", "cuda", "mps"):
        raise GenRewardError(f"--device {device}: use cpu or cuda")


def check_folders(config: object, *names: str) -> None:
    """Refuse output folders that are, or lie under, an existing file (None: the default)."""
    for name in names:
        path = getattr(config, name)
        if path is None:
            continue
        path = Path(path)
        if path.exists() and not path.is_dir():
            raise GenRewardError(f"{option(name)} {path} is a file, not a folder; name a folder")
        parent = next((p for p in path.parents if p.exists()), Path("."))
        if not parent.is_dir():
            raise GenRewardError(f"{option(name)} {path}: {parent} is a file, not a folder")


def check_inputs(config: object, *names: str) -> None:
    """Refuse input folders that do not exist (None: the default)."""
    for name in names:
        path = getattr(config, name)
        if path is not None and not Path(path).is_dir():
            raise GenRewardError(f"{option(name)} {path}: no such folder")


def json_type_problem(data: object, types: dict[str, type | tuple[type, ...]]) -> str | None:
    """What is wrong with JSON metadata, or None: it must be an object, and each key of `types`
    it holds must have that type (absent or null keys are not checked; a bool is never of the
    type; numbers must be finite)."""
    if not isinstance(data, dict):
        return f"expected a JSON object, got {type(data).__name__}"
    for key, kind in types.items():
        value = data.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, kind):
            return f"{key} has the wrong type ({value!r})"
        if isinstance(value, float) and not math.isfinite(value):
            return f"{key} must be finite, got {value}"
    return None
