"""CogVideoX backend on tiny random models built in the test (no downloads)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from diffusers import (
    AutoencoderKLCogVideoX,
    CogVideoXDDIMScheduler,
    CogVideoXImageToVideoPipeline,
    CogVideoXTransformer3DModel,
)
from tokenizers import Tokenizer, models, pre_tokenizers, processors
from transformers import PreTrainedTokenizerFast, T5Config, T5EncoderModel

from genreward.errors import GenRewardError
from genreward.video.backends import CogVideoXGoalVideoGenerator, CogVideoXVideoEncoder

WORDS = ["<pad>", "</s>", "<unk>", "push", "the", "button", "reach", "goal", "open", "drawer"]
SIDE = 16  # generation side: latent 4x4 (VAE /4), 2x2 tokens (patch 2)
K = 9  # 3 latent frames
FAST = {"num_frames": K, "num_inference_steps": 2}


def tiny_pipeline() -> CogVideoXImageToVideoPipeline:
    tok = Tokenizer(models.WordLevel({w: i for i, w in enumerate(WORDS)}, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.TemplateProcessing(
        single="$A </s>", special_tokens=[("</s>", 1)]
    )
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="<pad>", eos_token="</s>", unk_token="<unk>"
    )
    torch.manual_seed(0)
    text_encoder = T5EncoderModel(
        T5Config(vocab_size=len(WORDS), d_model=16, d_kv=8, d_ff=32, num_layers=1, num_heads=2)
    )
    torch.manual_seed(0)
    vae = AutoencoderKLCogVideoX(
        down_block_types=("CogVideoXDownBlock3D",) * 3,
        up_block_types=("CogVideoXUpBlock3D",) * 3,
        block_out_channels=(8, 8, 8),
        latent_channels=4,
        layers_per_block=1,
        norm_num_groups=2,
        temporal_compression_ratio=4,
        sample_height=SIDE,
        sample_width=SIDE,
    )
    torch.manual_seed(0)
    transformer = CogVideoXTransformer3DModel(
        num_attention_heads=2,
        attention_head_dim=16,
        in_channels=8,  # noisy latents + first-frame latents
        out_channels=4,
        time_embed_dim=2,
        text_embed_dim=16,
        num_layers=1,
        sample_width=SIDE // 4,
        sample_height=SIDE // 4,
        sample_frames=K,
        patch_size=2,
        temporal_compression_ratio=4,
        max_text_seq_length=8,
        use_rotary_positional_embeddings=True,
        use_learned_positional_embeddings=True,
    )
    return CogVideoXImageToVideoPipeline(
        tokenizer=tokenizer,
        text_encoder=text_encoder,
        vae=vae,
        transformer=transformer,
        scheduler=CogVideoXDDIMScheduler(),
    )


@pytest.fixture(scope="module")
def pipe() -> CogVideoXImageToVideoPipeline:
    return tiny_pipeline()


@pytest.fixture(scope="module")
def saved(pipe, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cogvideox")
    pipe.save_pretrained(folder)
    return folder


def frames(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (*shape, 3), dtype=np.uint8)


def test_generation_is_uint8_resized_and_reproducible_per_seed(pipe):
    gen = CogVideoXGoalVideoGenerator(pipe, **FAST)
    assert gen.num_frames == K and gen.frame_size == SIDE
    first = frames(24, 24)  # not the generation size: resized there and back
    video = gen(first, "push the button", seed=0)
    assert video.shape == (K, 24, 24, 3) and video.dtype == np.uint8
    np.testing.assert_array_equal(video[0], first)
    np.testing.assert_array_equal(gen(first, "push the button", seed=0), video)
    assert not np.array_equal(gen(first, "push the button", seed=1), video)


def test_batch_matches_single_calls(pipe):
    gen = CogVideoXGoalVideoGenerator(pipe, **FAST)
    firsts = np.stack([frames(SIDE, SIDE, seed=0), frames(SIDE, SIDE, seed=1)])
    videos = gen(firsts, ["push the button", "open drawer"], [3, 4])
    assert videos.shape == (2, K, SIDE, SIDE, 3) and videos.dtype == np.uint8
    single = gen(firsts[1], "open drawer", 4)
    assert np.abs(videos[1].astype(int) - single).max() <= 1  # batched matmuls round apart


def test_from_pretrained_folder_matches_in_memory(pipe, saved):
    first = frames(SIDE, SIDE)
    gen = CogVideoXGoalVideoGenerator.from_pretrained(saved, **FAST)
    assert gen.frame_size == SIDE  # the transformer's sample size by default
    expected = CogVideoXGoalVideoGenerator(pipe, **FAST)(first, "reach goal", 5)
    np.testing.assert_array_equal(gen(first, "reach goal", 5), expected)
    video = frames(K, SIDE, SIDE)
    full = CogVideoXVideoEncoder.from_pretrained(saved).encode(video)
    vae_only = CogVideoXVideoEncoder.from_pretrained(saved / "vae").encode(video)
    torch.testing.assert_close(full, vae_only, rtol=0, atol=0)


def test_lora_changes_generation_and_scale_zero_disables_it(saved, tmp_path):
    peft = pytest.importorskip("peft")
    torch.manual_seed(1)
    transformer = tiny_pipeline().transformer
    targets = ["to_q", "to_k", "to_v", "to_out.0"]
    transformer.add_adapter(peft.LoraConfig(r=2, target_modules=targets, init_lora_weights=False))
    CogVideoXImageToVideoPipeline.save_lora_weights(
        tmp_path, transformer_lora_layers=peft.get_peft_model_state_dict(transformer)
    )
    first = frames(SIDE, SIDE)
    base = CogVideoXGoalVideoGenerator.from_pretrained(saved, **FAST)(first, "reach goal")
    lora = CogVideoXGoalVideoGenerator.from_pretrained(saved, lora=tmp_path, **FAST)
    assert not np.array_equal(lora(first, "reach goal"), base)
    weights = tmp_path / "pytorch_lora_weights.safetensors"
    off = CogVideoXGoalVideoGenerator.from_pretrained(saved, lora=weights, lora_scale=0.0, **FAST)
    np.testing.assert_array_equal(off(first, "reach goal"), base)


def test_encoder_shapes_temporal_compression_and_determinism(pipe):
    encoder = CogVideoXVideoEncoder(pipe.vae, frame_size=SIDE)
    assert encoder.frame_size == SIDE
    for t in (1, 2, 5, 9, 13):
        latents = encoder.encode(frames(t, SIDE, SIDE))
        assert latents.shape == ((t - 1) // 4 + 1, 4, SIDE // 4, SIDE // 4)
        assert latents.dtype == torch.float32
    video = frames(K, SIDE, SIDE, seed=2)
    batch = encoder.encode(np.stack([video, video, frames(K, SIDE, SIDE, seed=3)]))
    assert batch.shape == (3, 3, 4, SIDE // 4, SIDE // 4)
    cosine = torch.nn.functional.cosine_similarity(batch[0].flatten(), batch[1].flatten(), dim=0)
    assert cosine.item() == pytest.approx(1.0, abs=1e-6)
    torch.testing.assert_close(batch[0], encoder.encode(video), rtol=0, atol=0)
    assert not torch.equal(batch[0], batch[2])


@pytest.mark.parametrize(
    ("first", "text", "seed", "match"),
    [
        (frames(SIDE, SIDE).astype(np.float32), "reach goal", 0, "uint8"),
        (frames(SIDE, SIDE)[..., :2], "reach goal", 0, "uint8"),
        (frames(SIDE, SIDE), "  ", 0, "non-empty"),
        (frames(2, SIDE, SIDE), ["reach goal"], [0, 1], "2 first frames, 1 texts"),
        (frames(2, SIDE, SIDE), "reach goal", [0], "2 first frames, 2 texts, 1 seeds"),
        (frames(SIDE, 3)[0], "reach goal", 0, "expected a first frame"),
    ],
)
def test_generator_rejects_bad_inputs(pipe, first, text, seed, match):
    with pytest.raises(GenRewardError, match=match):
        CogVideoXGoalVideoGenerator(pipe, **FAST)(first, text, seed)


def test_generator_rejects_bad_settings_and_models(pipe, tmp_path):
    with pytest.raises(GenRewardError, match=r"1 \+ a multiple of 8"):
        CogVideoXGoalVideoGenerator(pipe, num_frames=5)
    with pytest.raises(GenRewardError, match="num_frames=13"):
        CogVideoXGoalVideoGenerator(pipe, **FAST)(frames(SIDE, SIDE), "reach", num_frames=13)
    with pytest.raises(GenRewardError, match=r"missing.*no such file or folder"):
        CogVideoXGoalVideoGenerator.from_pretrained(tmp_path / "missing")
    with pytest.raises(GenRewardError, match=r"no model_index\.json"):
        CogVideoXGoalVideoGenerator.from_pretrained(tmp_path)
    (tmp_path / "model_index.json").write_text("{not json")
    with pytest.raises(GenRewardError, match="cannot load a CogVideoX pipeline"):
        CogVideoXGoalVideoGenerator.from_pretrained(tmp_path)


@pytest.mark.parametrize(
    ("video", "match"),
    [
        (frames(3, SIDE, SIDE).astype(np.float32), "uint8"),
        (frames(3, SIDE, SIDE)[..., :1], "uint8"),
        (frames(0, SIDE, SIDE), "non-empty video"),
        (frames(SIDE, SIDE), "non-empty video"),
        (frames(3, 8, 8), "16x16 frames"),
    ],
)
def test_encoder_rejects_bad_inputs(pipe, video, match):
    with pytest.raises(GenRewardError, match=match):
        CogVideoXVideoEncoder(pipe.vae, frame_size=SIDE).encode(video)


def test_encoder_rejects_missing_or_wrong_folders(tmp_path):
    with pytest.raises(GenRewardError, match="no such file or folder"):
        CogVideoXVideoEncoder.from_pretrained(tmp_path / "missing")
    with pytest.raises(GenRewardError, match=r"no vae/config\.json"):
        CogVideoXVideoEncoder.from_pretrained(tmp_path)
