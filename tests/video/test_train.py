"""Training and finetuning the goal-video model, with tiny budgets on the session dataset."""

import pytest
import torch

from genreward.errors import GenRewardError
from genreward.video import train as train_module
from genreward.video.config import TrainVideoConfig
from genreward.video.denoiser import GoalVideoDenoiser
from genreward.video.pipeline import GoalVideoPipeline
from genreward.video.training import LoopConfig, Trainer
from tests.conftest import run_cli

TINY = [
    "--autoencoder-steps",
    "3",
    "--autoencoder-batch",
    "4",
    "--steps",
    "3",
    "--batch-size",
    "2",
    "--num-frames",
    "4",
    "--channels",
    "8",
    "16",
    "16",
    "--checkpoint-every",
    "2",
    "--no-progress",
]


def tiny_config(data, out, **changes) -> TrainVideoConfig:
    base = dict(
        data=[data],
        out=out,
        autoencoder_steps=4,
        autoencoder_batch=4,
        steps=4,
        batch_size=2,
        num_frames=4,
        channels=(8, 16, 16),
        checkpoint_every=2,
        progress=False,
    )
    return TrainVideoConfig(**{**base, **changes})


def test_cli_trains_then_generates(small_dataset, tmp_path):
    model = tmp_path / "model"
    result = run_cli("train-video", "--data", str(small_dataset), "--out", str(model), *TINY)
    assert result.returncode == 0, result.stderr
    pipe = GoalVideoPipeline.from_pretrained(model)
    assert pipe.num_frames == 4 and pipe.frame_size == 32
    assert pipe.info["trained_on"] == ["button-press-v3", "reach-v3"]
    for phase in ("autoencoder", "denoiser"):  # TensorBoard logs survive saving the model
        assert list((model / "logs" / phase).rglob("events.out.tfevents*")), phase

    again = run_cli("train-video", "--data", str(small_dataset), "--out", str(model), *TINY)
    assert again.returncode == 2 and "pass --resume" in again.stderr

    goals = tmp_path / "goals"
    generated = run_cli(
        "generate",
        "--model",
        str(model),
        "--task",
        "reach",
        "--seed",
        "0,1",
        "--out",
        str(goals),
        "--steps",
        "2",
    )
    assert generated.returncode == 0, generated.stderr
    for seed in (0, 1):
        for name in ("goal_video.npz", "goal_video.gif", "goal_video.png"):
            assert (goals / f"seed_{seed}" / name).stat().st_size > 0


def test_killed_training_resumes_to_the_same_weights(small_dataset, tmp_path, monkeypatch):
    straight = train_module.train_video(tiny_config(small_dataset, tmp_path / "a"))
    reference = GoalVideoDenoiser.from_pretrained(straight / "denoiser").state_dict()

    calls = {"n": 0}
    real_loss = train_module.denoiser_loss

    def dies_at_step_three(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real_loss(*args, **kwargs)

    monkeypatch.setattr(train_module, "denoiser_loss", dies_at_step_three)
    with pytest.raises(KeyboardInterrupt):
        train_module.train_video(tiny_config(small_dataset, tmp_path / "b"))
    monkeypatch.setattr(train_module, "denoiser_loss", real_loss)
    resumed = train_module.train_video(tiny_config(small_dataset, tmp_path / "b", resume=True))
    weights = GoalVideoDenoiser.from_pretrained(resumed / "denoiser").state_dict()
    for name, value in reference.items():
        torch.testing.assert_close(weights[name], value, msg=name)


def test_lora_trains_only_the_adapter():
    torch.manual_seed(0)
    denoiser = GoalVideoDenoiser(channels=(8, 16, 16), num_frames=4, emb_dim=16)
    base = {k: v.clone() for k, v in denoiser.state_dict().items()}
    model = train_module._apply_lora(denoiser, rank=2)
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert trainable and all("lora_" in n for n in trainable)
    before = {n: p.detach().clone() for n, p in model.named_parameters()}

    def loss(m, rng, trng):
        x = torch.randn(2, 4, 4, 8, 8, generator=trng)
        out = m(x, torch.tensor([10, 500]), x[:, :, 0], torch.randn(2, 384, generator=trng))
        return (out.float() - x).pow(2).mean()

    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        config = LoopConfig(steps=3, batch_size=2, lr=1e-2, warmup=0)
        Trainer(model, config, Path(tmp) / "ckpt", "lora").fit(loss, progress=False)
    changed = {n for n, p in model.named_parameters() if not torch.equal(p, before[n])}
    assert changed and all("lora_" in n for n in changed)
    merged = model.merge_and_unload().state_dict()
    assert any(not torch.equal(merged[k], base[k]) for k in base)


def test_bad_training_requests(small_dataset, tmp_path):
    with pytest.raises(GenRewardError, match="needs --init"):
        train_module.train_video(tiny_config(small_dataset, tmp_path / "m", lora_rank=4))
    with pytest.raises(GenRewardError, match="dataset index not found"):
        train_module.train_video(tiny_config(tmp_path, tmp_path / "m"))
    with pytest.raises(GenRewardError, match="no successful episodes"):
        train_module.train_video(tiny_config(small_dataset, tmp_path / "m", tasks="door-open"))


def test_resume_refuses_another_run_and_in_place_finetuning(small_dataset, tmp_path):
    first = tiny_config(small_dataset, tmp_path / "m", steps=2, autoencoder_steps=2)
    train_module.train_video(first)
    with pytest.raises(GenRewardError, match=r"other settings \(steps: 2 -> 5\)"):
        train_module.train_video(
            tiny_config(small_dataset, tmp_path / "m", steps=5, autoencoder_steps=2, resume=True)
        )
    with pytest.raises(GenRewardError, match="--out must differ from --init"):
        train_module.train_video(tiny_config(small_dataset, tmp_path / "m", init=tmp_path / "m"))
