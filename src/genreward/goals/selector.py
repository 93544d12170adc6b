"""Goal-frame selection (paper Eq. 6): the generated frame most similar to the task text.

A scorer maps frames and texts to similarity scores; `GoalFrameSelector` takes the argmax over
the frames of a goal video. Scorers: CLIP or SigLIP through transformers (a local folder or a
hub id), and the offline domain scorer shipped with genreward (`genreward.goals.domain`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import torch
import torch.nn.functional as F

from genreward.errors import GenRewardError

# CLIP's preprocessing statistics, used when a model folder has no image processor config.
CLIP_MEAN, CLIP_STD = (0.48145466, 0.4578275, 0.40821073), (0.26862954, 0.26130258, 0.27577711)


class FrameScorer(Protocol):
    """Similarity of each frame to a text (a prompt ensemble is averaged)."""

    def scores(self, video: np.ndarray, texts: list[str]) -> np.ndarray: ...


@dataclass
class GoalFrame:
    """The selected goal state I*: its index in the video, the frame, every frame's score."""

    index: int
    frame: np.ndarray
    scores: np.ndarray


def check_video(video: np.ndarray) -> None:
    """Raise `GenRewardError` unless `video` is a non-empty ``uint8 [T, H, W, 3]`` array."""
    if not isinstance(video, np.ndarray) or video.dtype != np.uint8:
        raise GenRewardError(
            f"goal video must be a uint8 array, got {getattr(video, 'dtype', type(video))}"
        )
    if video.ndim != 4 or video.shape[-1] != 3 or len(video) == 0:
        raise GenRewardError(f"goal video must have shape [T>0, H, W, 3], got {video.shape}")


def check_prompts(prompts: tuple[str, ...]) -> None:
    """Refuse prompt templates without exactly one "{}" where the task text goes."""
    for prompt in prompts:
        try:
            prompt.format("text")
        except (KeyError, IndexError, ValueError) as exc:
            raise GenRewardError(
                f"prompt template {prompt!r} is invalid ({exc!r}); use "
                "'{}' where the task text goes, e.g. 'a robot arm: {}'"
            ) from exc
        if "{}" not in prompt:
            raise GenRewardError(f"prompt template {prompt!r} has no '{{}}' for the text")


class GoalFrameSelector:
    """Picks I* = argmax_t score(frame_t, text) with the given scorer."""

    def __init__(self, scorer: FrameScorer, prompts: tuple[str, ...] = ("{}",)) -> None:
        check_prompts(prompts)
        self.scorer = scorer
        self.prompts = prompts

    def select(self, video: np.ndarray, text: str) -> GoalFrame:
        """The goal frame of ``video uint8 [T, H, W, 3]`` for the task `text`."""
        check_video(video)
        if not isinstance(text, str) or not text.strip():
            raise GenRewardError(f"task text must be a non-empty string, got {text!r}")
        scores = np.asarray(self.scorer.scores(video, [p.format(text) for p in self.prompts]))
        index = int(scores.argmax())
        return GoalFrame(index=index, frame=video[index], scores=scores)


class TransformersScorer:
    """CLIP or SigLIP (transformers ``AutoModel``) image-text cosine similarity."""

    def __init__(
        self,
        model: torch.nn.Module,
        tokenizer,
        *,
        mean=CLIP_MEAN,
        std=CLIP_STD,
        device: str | torch.device = "cpu",
    ) -> None:
        self.model = model.to(device).eval()
        self.tokenizer = tokenizer
        self.device = torch.device(device)
        self.mean = torch.tensor(mean).view(1, 3, 1, 1)
        self.std = torch.tensor(std).view(1, 3, 1, 1)
        self.image_size = int(model.config.vision_config.image_size)

    @classmethod
    def from_pretrained(
        cls, model: str | os.PathLike, device: str | torch.device = "cpu"
    ) -> TransformersScorer:
        """Load a CLIP/SigLIP checkpoint (folder or hub id) with its tokenizer and statistics."""
        from transformers import AutoImageProcessor, AutoModel, AutoTokenizer

        try:
            network = AutoModel.from_pretrained(model)
            tokenizer = AutoTokenizer.from_pretrained(model)
        except OSError as exc:
            raise GenRewardError(f"cannot load the CLIP/SigLIP model {model!s}: {exc}") from exc
        if not hasattr(network, "get_image_features"):
            raise GenRewardError(f"{model!s} is not an image-text model (CLIP or SigLIP)")
        try:
            processor = AutoImageProcessor.from_pretrained(model)
            mean, std = processor.image_mean, processor.image_std
        except (OSError, ValueError, AttributeError):
            mean, std = CLIP_MEAN, CLIP_STD
        return cls(network, tokenizer, mean=mean, std=std, device=device)

    @staticmethod
    def _features(output) -> torch.Tensor:
        # transformers 5 returns an output object whose pooler_output is the projected embedding.
        return output if isinstance(output, torch.Tensor) else output.pooler_output

    @torch.no_grad()
    def scores(self, video: np.ndarray, texts: list[str]) -> np.ndarray:
        """Cosine of each frame with the mean normalised text embedding: ``float [T]``."""
        x = torch.as_tensor(video).permute(0, 3, 1, 2).float() / 255.0
        x = F.interpolate(
            x, size=(self.image_size, self.image_size), mode="bicubic", align_corners=False
        ).clamp(0, 1)
        x = ((x - self.mean) / self.std).to(self.device)
        image = F.normalize(self._features(self.model.get_image_features(pixel_values=x)), dim=-1)
        tokens = self.tokenizer(
            texts,
            padding="max_length",
            truncation=True,
            max_length=min(64, self.tokenizer.model_max_length),
            return_tensors="pt",
        ).to(self.device)
        text = F.normalize(self._features(self.model.get_text_features(**tokens)), dim=-1)
        text = F.normalize(text.mean(0), dim=-1)
        return (image @ text).float().cpu().numpy()
