"""Goal-driven rewards: video-level reward, forward-backward reward, their combination, wrappers."""
