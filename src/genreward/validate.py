"""Checks of option values and input files, shared by every command (kept free of heavy
imports).

`check_ranges(config, ranges)` checks the named fields against intervals written as in
mathematics, "(0, 1]", "[1, inf)": a failure names the option, the value and the allowed range
(the CLI exits with code 2). Every float field of a config is checked finite (NaN and inf are
never a sensible setting), whether or not it has a range, and every field annotated with a
`Literal` holds one of its values (configs built in Python or read from a saved file are not
checked by the command line's parser). `check_folders` refuses output
folders that are files, `check_inputs` input folders that do not exist, `check_output_folder`
writing into a folder of other files; `split_list` parses comma lists, `json_type_problem`
type-checks JSON metadata.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection
from dataclasses import fields
from pathlib import Path
from typing import Literal, get_args, get_origin, get_type_hints

from genreward.errors import GenRewardError

SEED_RANGE = "[0, 4294967295]"  # what numpy's and torch's generators accept alike


def split_list(text: str, what: str) -> list[str]:
    """The entries of a comma-separated option value (none for an empty value); an empty
    entry, as in "0,,1" or "a,", is refused."""
    parts = [part.strip() for part in text.split(",")]
    if text.strip() and not all(parts):
        raise GenRewardError(f"{what} {text!r} has an empty entry; separate entries by one comma")
    return [part for part in parts if part]


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
    (None values are not checked: they mean "the default"), or a `Literal` field holding none
    of its values."""
    hints = get_type_hints(type(config))
    for field in fields(config):  # type: ignore[arg-type]
        value = getattr(config, field.name)
        if isinstance(value, float) and not math.isfinite(value):
            raise GenRewardError(f"{option(field.name)} must be a finite number, got {value}")
        hint = hints[field.name]
        if get_origin(hint) is Literal and value not in get_args(hint):
            choices = ", ".join(map(str, get_args(hint)))
            raise GenRewardError(f"{option(field.name)} must be one of {choices}, got {value!r}")
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
    it holds must have that type (absent or null keys are not checked; a bool is not a number;
    numbers must be finite)."""
    if not isinstance(data, dict):
        return f"expected a JSON object, got {type(data).__name__}"
    for key, kind in types.items():
        value = data.get(key)
        if value is None:
            continue
        allowed = kind if isinstance(kind, tuple) else (kind,)
        if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
            return f"{key} has the wrong type ({value!r})"
        if isinstance(value, float) and not math.isfinite(value):
            return f"{key} must be finite, got {value}"
    return None


def check_output_folder(
    folder: str | Path, entries: Collection[str], what: str, config_class: str | None = None
) -> None:
    """Refuse to write a `what` into a folder that holds anything else: a name outside
    `entries`, or a config.json of another kind (diffusers' ``_class_name`` is not
    `config_class`). A missing or empty folder, or an earlier `what`, is fine; hidden files
    (the system's, or temporaries of a killed write) are left alone and do not count."""
    folder = Path(folder)
    if not folder.is_dir():
        return
    foreign = sorted(
        p.name for p in folder.iterdir() if p.name not in entries and not p.name.startswith(".")
    )
    config = folder / "config.json"
    if not foreign and config_class is not None and config.is_file():
        try:
            kind = json.loads(config.read_text()).get("_class_name")
        except (OSError, ValueError, AttributeError):
            kind = None
        if kind != config_class:
            foreign = ["config.json"]
    if foreign:
        raise GenRewardError(
            f"{folder} holds files that are not part of a {what} ({', '.join(foreign[:5])}); "
            "write it to an empty or new folder"
        )
