"""Model folders carry manifest.json (sha256 of their files); a damaged folder is refused."""

import json
import shutil

import pytest

from genreward.errors import GenRewardError
from genreward.video.pipeline import SHIPPED_MODEL, GoalVideoPipeline


def flip_last_byte(path):
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))


def test_a_bit_flipped_goal_video_model_is_refused(tmp_path):
    model = tmp_path / "model"
    shutil.copytree(SHIPPED_MODEL, model)
    GoalVideoPipeline.from_pretrained(model)
    flip_last_byte(model / "denoiser" / "diffusion_pytorch_model.safetensors")
    with pytest.raises(GenRewardError, match=r"denoiser.*changed since it was written"):
        GoalVideoPipeline.from_pretrained(model)


def test_saved_goal_video_models_carry_a_manifest_of_every_file(tmp_path):
    pipe = GoalVideoPipeline.from_pretrained()
    out = pipe.save_pretrained(tmp_path / "saved")
    files = json.loads((out / "manifest.json").read_text())["files"]
    assert {"pipeline.json", "denoiser/diffusion_pytorch_model.safetensors"} <= set(files)
    (out / "scheduler" / "scheduler_config.json").unlink()
    with pytest.raises(GenRewardError, match=r"scheduler_config\.json: missing or changed"):
        GoalVideoPipeline.from_pretrained(out)


def test_a_changed_goal_scorer_is_refused(tmp_path):
    from genreward.goals.domain import SHIPPED_SCORER, DomainScorer

    scorer = tmp_path / "scorer"
    DomainScorer.from_pretrained().save_pretrained(scorer)
    assert json.loads((scorer / "manifest.json").read_text())["files"]
    DomainScorer.from_pretrained(scorer)
    flip_last_byte(scorer / "head" / "diffusion_pytorch_model.safetensors")
    with pytest.raises(GenRewardError, match="goal scorer folder is damaged"):
        DomainScorer.from_pretrained(scorer)
    assert (SHIPPED_SCORER / "manifest.json").is_file()


@pytest.mark.parametrize(
    "settings",
    ['[1, 2]', '{"guidance_scale": "high"}', '{"num_inference_steps": 0}',
     '{"guidance_scale": NaN}', '{"info": 3}', '{"text_model": 1}'],
)  # fmt: skip
def test_a_pipeline_json_of_the_wrong_types_is_refused(tmp_path, settings):
    model = tmp_path / "model"
    shutil.copytree(SHIPPED_MODEL, model)
    (model / "manifest.json").unlink()
    (model / "pipeline.json").write_text(settings)
    with pytest.raises(GenRewardError, match=r"pipeline\.json"):
        GoalVideoPipeline.from_pretrained(model)
