"""The offline goal-frame scorer shipped with genreward: a CLIP-style pair of encoders.

Texts go through the frozen MiniLM sentence encoder; frames go through the goal-video model's
frozen autoencoder and a small convolutional head trained contrastively on expert episodes, so
that frames showing a task completed score highest for that task's text. Two losses: frames
after success must pick their own task's text among the batch's texts (InfoNCE), and for its
own text a completed frame must outscore an early frame of the same episode.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from diffusers.configuration_utils import ConfigMixin, register_to_config
from diffusers.models.modeling_utils import ModelMixin
from torch import nn
from tqdm import tqdm

from genreward.data import Dataset
from genreward.data.manifest import MANIFEST_FILE, check_manifest, write_manifest
from genreward.errors import GenRewardError
from genreward.video.autoencoder import AutoencoderVideoEncoder, FrameAutoencoder
from genreward.video.text import TextEncoder

SHIPPED_SCORER = Path(__file__).resolve().parent.parent / "assets" / "goal_scorer"
SCORER_ENTRIES = ("head", "autoencoder", MANIFEST_FILE, "MODEL_CARD.md")


class FrameTextHead(ModelMixin, ConfigMixin):
    """Autoencoder latents ``[N, C, h, w]`` -> unit image embeddings in the text space."""

    @register_to_config
    def __init__(self, latent_channels: int = 4, text_dim: int = 384, width: int = 64) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(latent_channels, width, 3, padding=1),
            nn.SiLU(),
            nn.Conv2d(width, 2 * width, 3, stride=2, padding=1),
            nn.SiLU(),
            nn.Conv2d(2 * width, 2 * width, 3, stride=2, padding=1),
            nn.SiLU(),
            nn.AdaptiveAvgPool2d(2),
            nn.Flatten(),
            nn.Linear(8 * width, text_dim),
        )
        self.logit_scale = nn.Parameter(torch.tensor(np.log(10.0), dtype=torch.float32))

    def forward(self, latents: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.net(latents), dim=-1)


class DomainScorer:
    """Frame-text cosine in the head's embedding space (a `FrameScorer`)."""

    def __init__(
        self, head: FrameTextHead, encoder: AutoencoderVideoEncoder, text_encoder: TextEncoder
    ) -> None:
        self.head = head.eval()
        self.encoder = encoder
        self.text_encoder = text_encoder

    @classmethod
    def from_pretrained(
        cls, directory: str | os.PathLike | None = None, text_encoder: TextEncoder | None = None
    ) -> DomainScorer:
        """Load a scorer folder (``head/`` + ``autoencoder/``; default: the shipped one)."""
        directory = Path(directory) if directory is not None else SHIPPED_SCORER
        for part in ("head", "autoencoder"):
            if not (directory / part / "config.json").is_file():
                raise GenRewardError(
                    f"{directory / part}: missing config.json; not a goal scorer "
                    "folder (train one with `genreward train-selector`)"
                )
        check_manifest(directory, "goal scorer")
        try:
            head = FrameTextHead.from_pretrained(directory / "head")
            autoencoder = FrameAutoencoder.from_pretrained(directory / "autoencoder")
        except (OSError, ValueError, RuntimeError) as exc:
            raise GenRewardError(f"{directory}: cannot load the goal scorer ({exc})") from exc
        return cls(head, AutoencoderVideoEncoder(autoencoder), text_encoder or TextEncoder())

    def save_pretrained(self, directory: str | os.PathLike) -> Path:
        """Write ``head/`` and ``autoencoder/`` under `directory`, and their manifest."""
        directory = Path(directory)
        self.head.save_pretrained(directory / "head")
        self.encoder.autoencoder.save_pretrained(directory / "autoencoder")
        files = [p for part in ("head", "autoencoder") for p in (directory / part).rglob("*")]
        write_manifest(directory, [str(p.relative_to(directory)) for p in files if p.is_file()])
        return directory

    @torch.no_grad()
    def scores(self, video: np.ndarray, texts: list[str]) -> np.ndarray:
        """Cosine of each frame ``uint8 [T, H, W, 3]`` with the mean text embedding: ``[T]``."""
        image = self.head(self.encoder.encode(video))
        text = F.normalize(self.text_encoder.encode(texts).mean(0), dim=-1)
        return (image @ text).numpy()


def _episode_frames(datasets: list[Dataset], per_phase: int, progress: bool):
    """Per successful episode: `per_phase` early frames (first 60% before success) and
    `per_phase` completed frames (after success), with the episode's text."""
    early, done, texts = [], [], []
    total = sum(len(d) for d in datasets)
    for dataset in datasets:
        for episode in tqdm(dataset, total=total, desc="scorer data", disable=not progress):
            success = episode.first_success
            last = len(episode.frames) - 1
            early.append(
                episode.frames[np.linspace(0, int(0.6 * (success + 1)), per_phase).astype(int)]
            )
            done.append(episode.frames[np.linspace(success + 1, last, per_phase).astype(int)])
            texts.append(episode.meta["text"])
    return np.stack(early), np.stack(done), texts


def train_domain_scorer(
    datasets: list[Dataset],
    autoencoder: FrameAutoencoder,
    *,
    steps: int = 2000,
    batch_size: int = 64,
    lr: float = 1e-3,
    per_phase: int = 4,
    seed: int = 0,
    progress: bool = True,
) -> DomainScorer:
    """Train the frame head on successful expert episodes (the autoencoder stays frozen)."""
    text_encoder = TextEncoder()
    encoder = AutoencoderVideoEncoder(autoencoder)
    early, done, texts = _episode_frames(datasets, per_phase, progress)
    n, k = early.shape[:2]
    z_early = encoder.encode(early).reshape(n, k, *autoencoder.latent_shape)
    z_done = encoder.encode(done).reshape(n, k, *autoencoder.latent_shape)
    unique = sorted(set(texts))
    text_index = torch.tensor([unique.index(t) for t in texts])
    text_emb = text_encoder.encode(unique)

    torch.manual_seed(seed)
    head = FrameTextHead(autoencoder.config.latent_channels, text_encoder.dim)
    optimizer = torch.optim.AdamW(head.parameters(), lr=lr, weight_decay=1e-4)
    rng = np.random.default_rng(seed)
    bar = tqdm(range(steps), desc="goal scorer", disable=not progress)
    for _ in bar:
        idx = rng.integers(0, n, batch_size)
        pick = rng.integers(0, k, (2, batch_size))
        img_done = head(z_done[idx, pick[0]])
        img_early = head(z_early[idx, pick[1]])
        scale = head.logit_scale.exp().clamp(max=100)
        logits = scale * img_done @ text_emb.T  # every task text in the data
        contrastive = F.cross_entropy(logits, text_index[idx])
        own = text_emb[text_index[idx]]
        margin = scale * ((img_done * own).sum(-1) - (img_early * own).sum(-1))
        ranking = F.softplus(-margin).mean()
        loss = contrastive + ranking
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        bar.set_postfix(loss=f"{loss.item():.3f}")
    return DomainScorer(head, encoder, text_encoder)
