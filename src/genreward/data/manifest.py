"""Integrity of model folders: ``manifest.json`` holds each file's sha256, checked on load."""

from __future__ import annotations

import json
from pathlib import Path

from genreward.data.atomic import atomic_write_text, sha256_file
from genreward.errors import GenRewardError

MANIFEST_FILE = "manifest.json"


def write_manifest(folder: Path, files: list[str]) -> None:
    """Record the sha256 of `files` (paths relative to `folder`) in its manifest.json."""
    folder = Path(folder)
    digests = {name: sha256_file(folder / name) for name in sorted(files)}
    atomic_write_text(folder / MANIFEST_FILE, json.dumps({"files": digests}, indent=2))


def check_manifest(folder: Path, what: str) -> None:
    """Refuse a `what` folder (e.g. "FB model") whose files differ from its manifest.json.
    Folders written before manifests existed carry none and are not checked."""
    path = Path(folder) / MANIFEST_FILE
    if not path.is_file():
        return
    try:
        expected = {str(k): str(v) for k, v in json.loads(path.read_text())["files"].items()}
    except (OSError, json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise GenRewardError(f"{path}: unreadable ({exc}); the {what} folder is damaged") from exc
    for name, digest in expected.items():
        file = Path(folder) / name
        if not file.is_file() or sha256_file(file) != digest:
            raise GenRewardError(
                f"{file}: missing or changed since it was written (sha256 differs from "
                f"{MANIFEST_FILE}); the {what} folder is damaged: copy it again or retrain it"
            )


def read_model_json(folder: Path, name: str, what: str, command: str) -> object:
    """The parsed JSON file `name` that marks a `what` folder (e.g. an FB model's
    features.json), after the folder's files are checked against its manifest; a clear error
    where the folder is not a `what` (made by `genreward command`) or the JSON is unreadable."""
    path = Path(folder) / name
    if not path.is_file():
        raise GenRewardError(
            f"{folder}: no {name}; this is no {what} folder (train one with `genreward {command}`)"
        )
    check_manifest(folder, what)
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise GenRewardError(f"{path}: not valid JSON ({exc})") from exc
