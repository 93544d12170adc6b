"""Reinforcement learning with GenReward: SAC learners, replay buffer, training loop, evaluation."""
