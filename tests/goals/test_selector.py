"""Goal-frame selection with CLIP and SigLIP built from tiny random configs, and the API."""

import numpy as np
import pytest
import torch
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import CLIPConfig, CLIPModel, PreTrainedTokenizerFast, SiglipConfig, SiglipModel

from genreward.errors import GenRewardError
from genreward.goals.selector import GoalFrameSelector, TransformersScorer

WORDS = ["[PAD]", "[UNK]", "open", "close", "the", "door", "drawer", "a", "robot", "{}"]


def tokenizer():
    vocab = {w: i for i, w in enumerate(WORDS)}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="[PAD]", unk_token="[UNK]", model_max_length=16
    )


TEXT = dict(
    vocab_size=len(WORDS),
    hidden_size=32,
    intermediate_size=37,
    num_hidden_layers=2,
    num_attention_heads=4,
    max_position_embeddings=16,
)
VISION = dict(
    image_size=32,
    patch_size=8,
    hidden_size=32,
    intermediate_size=37,
    num_hidden_layers=2,
    num_attention_heads=4,
)


def tiny(kind):
    torch.manual_seed(0)
    if kind == "clip":
        return CLIPModel(
            CLIPConfig(
                text_config={**TEXT, "eos_token_id": 2}, vision_config=VISION, projection_dim=16
            )
        )
    return SiglipModel(SiglipConfig(text_config=TEXT, vision_config=VISION))


VIDEO = np.random.default_rng(0).integers(0, 255, (6, 24, 24, 3), dtype=np.uint8)


@pytest.mark.parametrize("kind", ["clip", "siglip"])
def test_backend_runs_end_to_end_and_picks_the_argmax(kind, tmp_path):
    model = tiny(kind)
    model.save_pretrained(tmp_path)
    tokenizer().save_pretrained(tmp_path)
    scorer = TransformersScorer.from_pretrained(tmp_path)
    scores = scorer.scores(VIDEO, ["open the door"])
    assert scores.shape == (6,) and np.all(np.abs(scores) <= 1 + 1e-5)
    goal = GoalFrameSelector(scorer, prompts=("{}", "a robot {}")).select(VIDEO, "open the door")
    ensemble = scorer.scores(VIDEO, ["open the door", "a robot open the door"])
    assert goal.index == int(ensemble.argmax())
    np.testing.assert_array_equal(goal.frame, VIDEO[goal.index])
    np.testing.assert_allclose(goal.scores, ensemble, rtol=1e-5)


def test_selector_rejects_bad_input():
    selector = GoalFrameSelector(TransformersScorer(tiny("clip"), tokenizer()))
    with pytest.raises(GenRewardError, match="uint8"):
        selector.select(VIDEO.astype(np.float32), "open the door")
    with pytest.raises(GenRewardError, match=r"shape \[T>0"):
        selector.select(VIDEO[:0], "open the door")
    with pytest.raises(GenRewardError, match="non-empty"):
        selector.select(VIDEO, " ")


def test_loading_a_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(GenRewardError, match="cannot load the CLIP/SigLIP model"):
        TransformersScorer.from_pretrained(tmp_path / "none")


@pytest.mark.parametrize("prompt", ["a {task}", "no placeholder"])
def test_bad_prompt_templates_are_rejected(prompt):
    with pytest.raises(GenRewardError, match="prompt template"):
        GoalFrameSelector(TransformersScorer(tiny("clip"), tokenizer()), prompts=(prompt,))
