"""Run folders: the saved config that ties a folder to one run, and its status files.

``<run>/config.json`` (the run's identity), ``status.json`` (progress, rewritten during
training), ``done.json`` (written when training reached its steps), ``metrics.csv``,
``checkpoint/``, ``goals/``, ``eval/``, ``logs/``.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from types import NoneType, UnionType
from typing import Literal, Union, get_args, get_origin, get_type_hints

from genreward.data.atomic import atomic_write_text
from genreward.errors import GenRewardError
from genreward.rl.config import TrainConfig
from genreward.rl.snapshot import snapshot_path
from genreward.validate import json_type_problem

CONFIG_FILE = "config.json"
DONE_FILE = "done.json"
STATUS_FILE = "status.json"
METRICS_FILE = "metrics.csv"


# Fields every run config has held since the first version (others may predate a config).
REQUIRED = ("task", "reward", "seed")


def _json_types(hint: object) -> tuple[type, ...]:
    """The JSON types a config field annotated `hint` is saved as (NoneType: null)."""
    if get_origin(hint) is Literal:
        return tuple({type(value) for value in get_args(hint)})
    if get_origin(hint) in (Union, UnionType):
        return tuple(t for part in get_args(hint) for t in _json_types(part))
    return {float: (int, float), Path: (str,)}.get(hint, (hint,))


def _field_types() -> dict[str, tuple[type, ...]]:
    """Each identity field's JSON types, from its annotation."""
    hints = get_type_hints(TrainConfig)
    return {key: _json_types(hints[key]) for key in TrainConfig().identity()}


# Fields a saved config may predate whose value before they existed is not today's default:
# runs before --agent were the original SAC, before --fb-pretrained trained FB online, before
# --reward-scale used the paper's weights, before --reset-every never reset.
PREDATED = {"agent": "sac", "fb_pretrained": False, "reward_scale": "paper", "reset_every": 0}
# Fields that do not change a run without a bonus (env reward only).
BONUS_FIELDS = ("reward_scale", "auto_weight", "fb_pretrained", "fb_forward")


def with_defaults(identity: dict) -> dict:
    """A saved run identity with the fields it predates at what runs computed with before
    them (`PREDATED`, else the default)."""
    return {**TrainConfig().identity(), **PREDATED, **identity}


def differences(saved: dict, identity: dict) -> list[str]:
    """The fields in which two run identities differ, the bonus's settings left out where
    both runs are env-reward-only."""
    ignored = BONUS_FIELDS if saved.get("reward") == identity.get("reward") == "env" else ()
    keys = (set(saved) | set(identity)) - set(ignored)
    return sorted(k for k in keys if saved.get(k) != identity.get(k))


def read_run_config(run_dir: Path) -> dict:
    """The saved config of a run folder, or a clear error; a field the saved config predates
    has its default (what that run computed with)."""
    path = Path(run_dir) / CONFIG_FILE
    try:
        saved = json.loads(path.read_text())
        if not isinstance(saved, dict):
            raise GenRewardError(f"{path}: not a genreward run config (no JSON object)")
        missing = [key for key in REQUIRED if key not in saved]
        if missing:
            raise GenRewardError(f"{path}: not a genreward run config (no {', '.join(missing)})")
        types = _field_types()
        problem = json_type_problem(saved, types)
        nulls = [k for k, kinds in types.items() if k in saved and saved[k] is None]
        nulls = [k for k in nulls if NoneType not in types[k]]
        if nulls:
            problem = f"{', '.join(nulls)} cannot be null"
        if problem is not None:
            raise GenRewardError(f"{path}: damaged run config: {problem}")
        return with_defaults(saved)
    except FileNotFoundError as exc:
        raise GenRewardError(f"{run_dir}: no {CONFIG_FILE}; not a genreward run folder") from exc
    except (OSError, json.JSONDecodeError) as exc:
        raise GenRewardError(f"{path}: unreadable ({exc})") from exc


def resolve_for_run(config: TrainConfig) -> TrainConfig:
    """`config.resolved()`, keeping the FB schedule a resumed run began with (its default is a
    tenth of --steps, which a resume may raise)."""
    resolved = config.resolved()
    run_dir = Path(resolved.run_dir)
    if config.fb_train_steps is None and (run_dir / CONFIG_FILE).is_file():
        saved = read_run_config(run_dir).get("fb_train_steps")
        resolved = replace(config, fb_train_steps=saved).resolved()
    return resolved


def _never_trained(run_dir: Path) -> bool:
    return not snapshot_path(run_dir).is_file() and not (run_dir / METRICS_FILE).is_file()


def claim_run_dir(config: TrainConfig) -> None:
    """Refuse folders of other runs or other configs; write config.json for a new run. A folder
    whose run failed before it trained (no snapshot, no metrics) is taken over."""
    run_dir = Path(config.run_dir)
    identity = config.identity()
    if (run_dir / CONFIG_FILE).is_file():
        saved = read_run_config(run_dir)
        changed = differences(saved, identity)
        if changed and not _never_trained(run_dir):
            raise GenRewardError(
                f"{run_dir} holds a run with another config (differs in "
                f"{', '.join(changed)}); choose another --run-dir"
            )
        if not changed and not config.resume:
            raise GenRewardError(f"{run_dir} already holds this run; add --resume to continue it")
        if not changed:
            return
        shutil.rmtree(run_dir / "goals", ignore_errors=True)  # made for the other config
    elif config.resume:
        raise GenRewardError(f"{run_dir}: nothing to resume (no {CONFIG_FILE})")
    elif run_dir.exists() and any(run_dir.iterdir()):
        raise GenRewardError(
            f"{run_dir} exists and is not a genreward run; choose another --run-dir"
        )
    run_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(run_dir / CONFIG_FILE, json.dumps(identity, indent=2))


def run_finished(config: TrainConfig) -> bool:
    """Whether the run folder of `config` holds this very run, trained to its steps."""
    run_dir = Path(config.resolved().run_dir)
    if not (run_dir / DONE_FILE).is_file() or not (run_dir / CONFIG_FILE).is_file():
        return False
    try:
        done = json.loads((run_dir / DONE_FILE).read_text())
    except (OSError, json.JSONDecodeError):
        return False
    if json_type_problem(done, {"step": int}) is not None:  # damaged: resume and rewrite it
        return False
    return (
        not differences(read_run_config(run_dir), resolve_for_run(config).identity())
        and done.get("step", 0) >= config.steps
    )
