"""The same code on a CUDA GPU: every model's `device` argument, checked against CPU results.

Skipped where torch sees no GPU; run on one with ``pytest tests/test_cuda.py``. Models are tiny
random configs built here, so no weights are downloaded.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from tokenizers import Tokenizer, models, pre_tokenizers, processors
from transformers import BertConfig, BertModel, Dinov2Config, Dinov2Model, PreTrainedTokenizerFast

from genreward.data.goal_video import GOAL_FILE, save_goal_video
from genreward.envs import make_env
from genreward.goals.selector import TransformersScorer
from genreward.rewards.features import DinoFeatures
from genreward.rl.config import TrainConfig
from genreward.rl.trainer import Trainer
from genreward.video.backends import CogVideoXGoalVideoGenerator, CogVideoXVideoEncoder
from genreward.video.text import TextEncoder
from tests.goals.test_selector import tiny as tiny_scorer_model
from tests.goals.test_selector import tokenizer as scorer_tokenizer
from tests.video.conftest import tiny_pipeline as tiny_goal_pipeline
from tests.video.test_cogvideox_backend import FAST, SIDE
from tests.video.test_cogvideox_backend import tiny_pipeline as tiny_cogvideox

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")

FRAMES = np.random.default_rng(0).integers(0, 256, (4, 32, 32, 3), dtype=np.uint8)
WORDS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "open", "the", "drawer", "push", "button"]


def tiny_text_encoder(folder: Path, device: str) -> TextEncoder:
    """A random 1-layer BERT behind `TextEncoder` (the shipped MiniLM need not be installed)."""
    tok = Tokenizer(models.WordLevel({w: i for i, w in enumerate(WORDS)}, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="[PAD]", unk_token="[UNK]"
    ).save_pretrained(folder)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(WORDS), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=32, max_position_embeddings=64,
    )  # fmt: skip
    BertModel(config).save_pretrained(folder)
    return TextEncoder(folder, device=device)


def test_goal_video_pipeline_on_cuda_matches_cpu(tmp_path: Path) -> None:
    videos = {}
    for device in ("cpu", "cuda"):
        pipe = tiny_goal_pipeline(tiny_text_encoder(tmp_path / device, device)).to(device)
        pipe.mixed_precision = "no"
        assert pipe.device.type == device
        videos[device] = pipe(FRAMES[:2], "open the drawer", [0, 1])
    assert videos["cuda"].shape == videos["cpu"].shape
    assert np.abs(videos["cuda"].astype(int) - videos["cpu"]).mean() < 2


def test_cogvideox_backend_on_cuda_matches_cpu(tmp_path: Path) -> None:
    tiny_cogvideox().save_pretrained(tmp_path)
    first = FRAMES[0, :SIDE, :SIDE]
    out = {}
    for device in ("cpu", "cuda"):
        generator = CogVideoXGoalVideoGenerator.from_pretrained(tmp_path, device=device, **FAST)
        encoder = CogVideoXVideoEncoder.from_pretrained(tmp_path, device=device)
        video = generator(first, "push the button", seed=0)
        out[device] = (video, encoder.encode(video).cpu())
    assert np.abs(out["cuda"][0].astype(int) - out["cpu"][0]).mean() < 2
    torch.testing.assert_close(out["cuda"][1], out["cpu"][1], atol=1e-3, rtol=1e-3)


def test_frame_scorer_and_dino_features_on_cuda_match_cpu(tmp_path: Path) -> None:
    tiny_scorer_model("clip").save_pretrained(tmp_path / "clip")
    scorer_tokenizer().save_pretrained(tmp_path / "clip")
    torch.manual_seed(0)
    dino = Dinov2Config(
        hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=37,
        image_size=28, patch_size=14,
    )  # fmt: skip
    Dinov2Model(dino).save_pretrained(tmp_path / "dino")
    scores, psi = {}, {}
    for device in ("cpu", "cuda"):
        scorer = TransformersScorer.from_pretrained(tmp_path / "clip", device=device)
        scores[device] = scorer.scores(FRAMES, ["open the drawer"])
        features = DinoFeatures.from_pretrained(tmp_path / "dino", device=device, image_size=28)
        psi[device] = features(FRAMES)
        assert psi[device].device.type == device
    np.testing.assert_allclose(scores["cuda"], scores["cpu"], atol=1e-4)
    torch.testing.assert_close(psi["cuda"].cpu(), psi["cpu"], atol=1e-4, rtol=1e-4)


def still_goals(folder: Path, task: str, placements: int) -> Path:
    """Goal videos that hold each placement's first frame (content is irrelevant here)."""
    env = make_env(task, 0, size=64)
    for seed in range(placements):
        env.reset(seed=seed)
        meta = {"task": env.task, "text": env.text, "seed": seed, "camera": "corner", "size": 64}
        save_goal_video(folder / f"seed_{seed}" / GOAL_FILE, np.stack([env.render()] * 16), meta)
    env.close()
    return folder


def test_training_with_every_reward_term_runs_and_resumes_on_cuda(tmp_path: Path) -> None:
    config = TrainConfig(
        task="drawer-open", reward="genreward", act="fb", fb_act_prob=0.5, goal_frame="last",
        goal=still_goals(tmp_path / "goals", "drawer-open", 2), steps=128, episode_steps=64,
        placements=2, batch_size=32, learning_starts=64, interval=32, frames=8, eval_every=128,
        eval_episodes=1, gif_episodes=1, checkpoint_every=64, run_dir=tmp_path / "run",
        device="cuda", progress=False,
    )  # fmt: skip
    trainer = Trainer(config)
    for module in (trainer.agent.actor, trainer.agent.critic, trainer.fb):
        assert next(module.parameters()).device.type == "cuda"
    trainer.train()
    config.steps, config.resume = 256, True
    resumed = Trainer(config)
    resumed.train()
    assert resumed.step == 256
    rows = (tmp_path / "run" / "metrics.csv").read_text().splitlines()
    header = rows[0].split(",")
    last = dict(zip(header, rows[-1].split(","), strict=True))
    assert int(last["step"]) == 256
    assert all(
        np.isfinite(float(last[k])) for k in ("batch_r_env", "batch_r_video_weighted", "batch_r_fb")
    )
