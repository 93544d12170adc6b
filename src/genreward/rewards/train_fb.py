"""`genreward train-fb`: train the FB representation offline, and load a trained one."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from genreward.data import Dataset, load_dataset
from genreward.data.atomic import atomic_write_text, sha256_file
from genreward.data.manifest import MANIFEST_FILE, read_model_json, write_manifest
from genreward.errors import GenRewardError
from genreward.rewards.config import TrainFBConfig
from genreward.rewards.fb import FBLearner, ForwardBackward
from genreward.rewards.features import AutoencoderFeatures
from genreward.validate import check_output_folder
from genreward.video.autoencoder import AutoencoderVideoEncoder, FrameAutoencoder
from genreward.video.pipeline import SHIPPED_MODEL

FEATURES_FILE = "features.json"
FB_ENTRIES = ("config.json", "diffusion_pytorch_model.safetensors", FEATURES_FILE)
FB_ENTRIES += (MANIFEST_FILE, "MODEL_CARD.md")
SHIPPED_FB = Path(__file__).resolve().parents[1] / "assets" / "fb"


def _autoencoder_dir(video_model: str | os.PathLike | None) -> Path:
    folder = Path(video_model) if video_model is not None else SHIPPED_MODEL
    if not (folder / "autoencoder" / "config.json").is_file():
        raise GenRewardError(f"{folder}: no autoencoder/ in this goal-video model folder")
    return folder / "autoencoder"


def autoencoder_fingerprint(video_model: str | os.PathLike | None = None) -> str:
    """SHA-256 of the autoencoder weights that give psi (an FB model is tied to them)."""
    return sha256_file(_autoencoder_dir(video_model) / "diffusion_pytorch_model.safetensors")


def autoencoder_features(video_model: str | os.PathLike | None = None) -> AutoencoderFeatures:
    """psi from the autoencoder of a goal-video model folder (default: the shipped model)."""
    folder = _autoencoder_dir(video_model).parent
    return AutoencoderFeatures(
        AutoencoderVideoEncoder(FrameAutoencoder.from_pretrained(folder / "autoencoder"))
    )


def transitions(
    datasets: list[Dataset],
    features: AutoencoderFeatures,
    on_state: bool = False,
    progress: bool = True,
) -> tuple[torch.Tensor, ...]:
    """All (s_t, a_t, s_t+1, psi(o_t+1)) of the episodes, s = psi(o) or (``on_state``) the
    state: ``[N, S]``, ``[N, A]``, ``[N, S]``, ``[N, D]``."""
    obs, actions, next_obs, next_psi = [], [], [], []
    total = sum(len(d) for d in datasets)
    with tqdm(total=total, desc="encode episodes", disable=not progress) as bar:
        for dataset in datasets:
            for episode in dataset:
                feats = features(episode.frames)
                seen = torch.as_tensor(episode.states, dtype=torch.float32) if on_state else feats
                obs.append(seen[:-1])
                next_obs.append(seen[1:])
                next_psi.append(feats[1:])
                actions.append(torch.as_tensor(episode.actions))
                bar.update(1)
    return tuple(torch.cat(x) for x in (obs, actions, next_obs, next_psi))


def train_fb(config: TrainFBConfig) -> Path:
    """Train and save a `ForwardBackward` model; returns its folder."""
    check_output_folder(config.out, FB_ENTRIES, "FB model", "ForwardBackward")
    tasks = None
    if config.tasks:
        from genreward.envs.tasks import resolve_tasks

        tasks = resolve_tasks(config.tasks)
    datasets = [load_dataset(d).subset(tasks=tasks) for d in config.data]
    if not sum(len(d) for d in datasets):
        raise GenRewardError(f"no episodes of the requested tasks in {config.data}")
    features = autoencoder_features(config.video_model)
    on_state = config.forward_input == "state"
    obs, actions, next_obs, next_psi = transitions(datasets, features, on_state, config.progress)

    torch.manual_seed(config.seed)
    model = ForwardBackward(
        obs_dim=features.dim,
        action_dim=actions.shape[1],
        z_dim=config.z_dim,
        hidden=config.hidden,
        state_dim=obs.shape[1] if on_state else None,
    )
    learner = FBLearner(model, lr=config.lr, discount=config.discount)
    rng = np.random.default_rng(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    bar = tqdm(range(config.steps), desc="fb", disable=not config.progress)
    for _ in bar:
        idx = torch.as_tensor(rng.integers(0, len(obs), config.batch_size))
        losses = learner.update(obs[idx], actions[idx], next_obs[idx], next_psi[idx], generator)
        bar.set_postfix(fb=f"{losses['fb_loss']:.2f}", ortho=f"{losses['ortho_loss']:.2f}")
    out = Path(config.out)
    model.save_pretrained(out)
    spec = {
        "kind": "autoencoder",
        "video_model": str(Path(config.video_model).resolve()) if config.video_model else "shipped",
        "autoencoder_sha256": autoencoder_fingerprint(config.video_model),
        "transitions": len(obs),
        "steps": config.steps,
    }
    atomic_write_text(out / FEATURES_FILE, json.dumps(spec, indent=2))
    write_manifest(out, ["config.json", "diffusion_pytorch_model.safetensors", FEATURES_FILE])
    return out


def fb_folder(directory: str | os.PathLike | None) -> Path:
    """An FB model folder: `directory`, or the shipped pretrained FB when it is None."""
    return SHIPPED_FB if directory is None else Path(directory)


def fb_autoencoder(directory: str | os.PathLike | None) -> str:
    """SHA-256 of the autoencoder an FB model folder (None: the shipped FB) was trained with
    (see features.json)."""
    spec_file = fb_folder(directory) / FEATURES_FILE
    try:
        return json.loads(spec_file.read_text())["autoencoder_sha256"]
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise GenRewardError(
            f"{spec_file}: unreadable ({exc}); retrain with `genreward train-fb`"
        ) from exc


def load_fb(
    directory: str | os.PathLike | None = None,
) -> tuple[ForwardBackward, AutoencoderFeatures]:
    """A trained FB model (default: the shipped pretrained FB) and the psi it was trained with."""
    directory = fb_folder(directory)
    spec_file = directory / FEATURES_FILE
    spec = read_model_json(directory, FEATURES_FILE, "FB model", "train-fb")
    try:
        video_model = None if spec["video_model"] == "shipped" else spec["video_model"]
        expected = spec["autoencoder_sha256"]
        if not all(isinstance(v, str) for v in (spec["video_model"], expected)):
            raise TypeError("video_model and autoencoder_sha256 must be strings")
    except (KeyError, TypeError) as exc:
        raise GenRewardError(
            f"{spec_file}: unreadable ({exc}); retrain with `genreward train-fb`"
        ) from exc
    if autoencoder_fingerprint(video_model) != expected:
        raise GenRewardError(
            f"{directory}: the FB model was trained on psi from another autoencoder than "
            f"{video_model or 'the shipped model'}'s; retrain it with `genreward train-fb`"
        )
    try:
        model = ForwardBackward.from_pretrained(directory).eval()
    except (OSError, ValueError, RuntimeError, TypeError) as exc:
        raise GenRewardError(f"{directory}: cannot load the FB model ({exc})") from exc
    return model, autoencoder_features(video_model)
