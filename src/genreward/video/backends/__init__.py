"""Large goal-video backends over pretrained diffusers models (GPU-sized weights)."""

from genreward.video.backends.cogvideox import CogVideoXGoalVideoGenerator, CogVideoXVideoEncoder

__all__ = ["CogVideoXGoalVideoGenerator", "CogVideoXVideoEncoder"]
