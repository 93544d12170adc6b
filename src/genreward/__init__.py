"""genreward: goal-driven rewards for reinforcement learning from video diffusion models."""

__version__ = "0.1.0"
