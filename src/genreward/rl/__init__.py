"""Reinforcement learning with GenReward: SAC, the replay buffer, the training loop, evaluation."""
