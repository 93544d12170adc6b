import pytest
import torch

from genreward.errors import GenRewardError


def test_embeddings_are_normalised_cached_and_meaningful(text_encoder):
    emb = text_encoder.encode(["open the door", "close the door", "press the button"])
    assert emb.shape == (3, 384) and emb.dtype == torch.float32
    torch.testing.assert_close(emb.norm(dim=1), torch.ones(3))
    sim = emb @ emb.T
    assert sim[0, 1] > sim[0, 2]  # door texts are closer to each other than to the button
    again = text_encoder.encode(["press the button", "open the door"])
    torch.testing.assert_close(again, emb[[2, 0]])


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_text_is_rejected(text_encoder, text):
    with pytest.raises(GenRewardError, match="non-empty string"):
        text_encoder.encode([text])
