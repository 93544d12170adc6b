"""Gymnasium wrappers that replace an env's reward by GenReward's (paper Eq. 10).

`GenRewardWrapper` wraps one env; `GenRewardVectorWrapper` wraps a vector env and encodes the
frames of all its sub-envs in one batch. Both render only when a reward term needs the frame,
and report every term in ``info`` (r_env, r_video, r_fb, weighted terms, r_total).
``from_pretrained(env, text)`` builds either from the shipped models in one line.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import gymnasium as gym
import numpy as np
import torch

from genreward.errors import GenRewardError
from genreward.rewards.combine import TERMS, GenRewardConfig, combine, env_term
from genreward.rewards.fb import ForwardBackward
from genreward.rewards.progress import GoalVideoProgress
from genreward.rewards.video_reward import VideoLevelReward

Features = Callable[[np.ndarray], torch.Tensor]


class _Terms:
    """What both wrappers share: the reward models, the goal features and the config."""

    def __init__(
        self,
        config: GenRewardConfig,
        video_reward: VideoLevelReward | None,
        fb: ForwardBackward | None,
        features: Features | None,
        goal_frame: np.ndarray | None,
        progress: GoalVideoProgress | None = None,
    ) -> None:
        if fb is not None and (features is None or goal_frame is None):
            raise GenRewardError("the FB reward needs `features` (psi) and the `goal_frame`")
        if progress is not None and (features is None or config.scale != "auto"):
            raise GenRewardError(
                "goal-video progress needs `features` (psi) and the auto scale "
                '(GenRewardConfig(scale="auto"))'
            )
        if video_reward is not None:
            built = {
                "interval": video_reward.interval,
                "frames": video_reward.frames,
                "mode": video_reward.mode,
                "at_episode_end": video_reward.at_episode_end,
            }
            wrong = {k: (v, built[k]) for k, v in config.video_kwargs().items() if built[k] != v}
            if wrong:
                raise GenRewardError(
                    "the video reward was built with other settings than the config: "
                    + ", ".join(f"{k}: config {a!r}, reward {b!r}" for k, (a, b) in wrong.items())
                    + "; build it with VideoLevelReward(encoder, goal, **config.video_kwargs())"
                )
        self.config, self.video_reward, self.fb, self.features = config, video_reward, fb, features
        self.progress = progress
        self.scaler = config.scaler()
        # z = B(psi(I*)) is fixed for the run: computed once.
        self.goal_z = fb.goal_embedding(features(goal_frame[None])[0]) if fb is not None else None

    def fb_due(self, step: int) -> bool:
        return self.fb is not None and step % self.config.fb_every == 0

    def psi_due(self, step: int) -> bool:
        """Whether the frame reached at `step` needs psi (FB's next reward where F reads psi,
        or progress)."""
        return (self.fb_due(step) and self.fb_reads_psi) or self.progress is not None

    @property
    def fb_reads_psi(self) -> bool:
        """Whether F reads psi of frames (else the env's observations, or there is no FB)."""
        return self.fb is not None and not self.fb.forward_on_state

    def fb_seen(self, obs: np.ndarray, psi: torch.Tensor | None) -> torch.Tensor | None:
        """What F reads of a step ``[N, D]``: the env's observations ``obs`` (an FB whose F
        reads the state, trained on this env's observations) or ``psi``."""
        if self.fb is None or not self.fb.forward_on_state:
            return psi
        obs = torch.as_tensor(np.asarray(obs, dtype=np.float32))
        return obs.reshape(-1, obs.shape[-1])

    def combine(
        self,
        r_env: float,
        r_video: float | None,
        r_fb: float | None,
        r_progress: float | None = None,
    ):
        """Total reward and its parts (terms in use that are not given this step count 0)."""
        bonuses = {}
        for name, value, used in (
            ("r_video", r_video, self.video_reward is not None),
            ("r_fb", r_fb, self.fb is not None),
            ("r_progress", r_progress, self.progress is not None),
        ):
            if used:
                bonuses[name] = 0.0 if value is None else float(value)
        return combine(r_env, bonuses, self.scaler)

    def fb_rewards(self, seen: torch.Tensor, actions: np.ndarray) -> np.ndarray:
        """r_FB of F's observations ``seen`` (`fb_seen`) and ``actions``: ``[N]``."""
        action = torch.as_tensor(np.asarray(actions, dtype=np.float32)).reshape(len(seen), -1)
        return self.fb.reward_for_z(seen, action, self.goal_z).numpy()


def pretrained_parts(
    first_frame: np.ndarray,
    text: str,
    *,
    config: GenRewardConfig | None = None,
    seed: int = 0,
    video_model: str | os.PathLike | None = None,
    fb_model: str | os.PathLike | None = None,
    use_fb: bool = True,
    progress: bool = False,
    device: str | torch.device = "cpu",
) -> dict[str, Any]:
    """The wrappers' keyword arguments from pretrained models: the goal video generated from
    `first_frame` and `text` (goal-video model: `video_model`, default the shipped one), its
    goal frame chosen by the shipped scorer, the FB model (`fb_model`, default the shipped
    one) and the autoencoder that gives both psi and the video encoder; with `progress`, also
    goal-video progress (needs ``config.scale == "auto"``)."""
    from genreward.goals.select import make_scorer
    from genreward.goals.selector import GoalFrameSelector
    from genreward.rewards.train_fb import (
        autoencoder_features,
        autoencoder_fingerprint,
        fb_autoencoder,
        load_fb,
    )
    from genreward.video.pipeline import GoalVideoPipeline

    config = config or GenRewardConfig()
    if use_fb and fb_autoencoder(fb_model) != autoencoder_fingerprint(video_model):
        raise GenRewardError(
            f"the FB model {fb_model or '(shipped)'} was trained on psi from another autoencoder "
            f"than the goal-video model {video_model or '(shipped)'}; use an FB model trained "
            "with it (`genreward train-fb --video-model`) or use_fb=False"
        )
    pipe = GoalVideoPipeline.from_pretrained(video_model, device=device)
    video = pipe(first_frame, text, seed=seed)
    goal = GoalFrameSelector(make_scorer("domain")).select(video, text)
    fb, features = load_fb(fb_model) if use_fb else (None, autoencoder_features(video_model))
    features.encoder.autoencoder.to(device)
    return {
        "config": config,
        "video_reward": VideoLevelReward(features.encoder, video, **config.video_kwargs()),
        "fb": fb.to(device) if fb is not None else None,
        "features": features if use_fb or progress else None,
        "goal_frame": video[goal.index] if use_fb else None,
        "progress": GoalVideoProgress(features(video)) if progress else None,
    }


def _env_text(env: gym.Env | gym.vector.VectorEnv, text: str | None) -> str:
    text = text or getattr(env.unwrapped, "text", None)
    if not text:
        raise GenRewardError("no task text: pass `text` (the env has no `text` attribute)")
    return text


class GenRewardWrapper(gym.Wrapper):
    """r = r_env + alpha * r_video + beta * r_FB for one env that renders ``rgb_array`` frames."""

    def __init__(
        self,
        env: gym.Env,
        *,
        config: GenRewardConfig | None = None,
        video_reward: VideoLevelReward | None = None,
        fb: ForwardBackward | None = None,
        features: Features | None = None,
        goal_frame: np.ndarray | None = None,
        progress: GoalVideoProgress | None = None,
    ) -> None:
        super().__init__(env)
        self.terms = _Terms(
            config or GenRewardConfig(), video_reward, fb, features, goal_frame, progress
        )
        self.window = video_reward.window() if video_reward is not None else None
        self._step, self._seen = 0, None  # F's observation of the step to come

    @classmethod
    def from_pretrained(
        cls, env: gym.Env, text: str | None = None, *, seed: int | None = None, **kwargs: Any
    ) -> GenRewardWrapper:
        """GenReward for `env` in one line: resets it (to `seed` when given), renders its first
        frame, generates the goal video for `text` (default: the env's own ``text``) and loads
        the shipped models; keyword arguments as `pretrained_parts`. The goal is for this
        first frame: keep the env on one placement (genreward's Meta-World envs keep theirs
        across resets unless reset with a seed)."""
        env.reset(seed=seed)
        parts = pretrained_parts(env.render(), _env_text(env, text), seed=seed or 0, **kwargs)
        return cls(env, **parts)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        obs, info = self.env.reset(seed=seed, options=options)
        self._step = 0
        episode_end = self.window is not None and self.window.at_episode_end
        frame = self.env.render() if (self.terms.fb_reads_psi or episode_end) else None
        if self.window is not None:
            self.window.reset(frame)
        if self.terms.fb_due(0):
            psi = self.terms.features(frame[None]) if self.terms.fb_reads_psi else None
            self._seen = self.terms.fb_seen(obs, psi)
        return obs, info

    def step(self, action):
        obs, reward, terminated, truncated, info = self.env.step(action)
        r_fb = (
            float(self.terms.fb_rewards(self._seen, action)[0])
            if self.terms.fb_due(self._step)
            else None
        )
        self._step += 1
        psi_due = self.terms.psi_due(self._step)
        need = (self.window is not None and self.window.needs_frame()) or psi_due
        frame = self.env.render() if need else None
        r_video = None
        if self.window is not None:
            window = self.window.push(frame, done=terminated or truncated)
            if window is not None:
                r_video = self.terms.video_reward.score(window)
        psi = self.terms.features(frame[None]) if psi_due else None
        if self.terms.fb_due(self._step):
            self._seen = self.terms.fb_seen(obs, psi)
        r_progress = float(self.terms.progress(psi)[0]) if self.terms.progress else None
        r_env = env_term(reward, bool(info.get("success", False)), self.terms.config.env_reward)
        total, parts = self.terms.combine(r_env, r_video, r_fb, r_progress)
        return obs, total, terminated, truncated, {**info, **parts}


class GenRewardVectorWrapper(gym.vector.VectorWrapper):
    """GenReward for a vector env (gymnasium's next-step autoreset); the sub-envs' frames are
    encoded in one batch per step, for psi and for every video window that completes."""

    def __init__(
        self,
        env: gym.vector.VectorEnv,
        *,
        config: GenRewardConfig | None = None,
        video_reward: VideoLevelReward | None = None,
        fb: ForwardBackward | None = None,
        features: Features | None = None,
        goal_frame: np.ndarray | None = None,
        progress: GoalVideoProgress | None = None,
    ) -> None:
        super().__init__(env)
        mode = env.metadata.get("autoreset_mode", gym.vector.AutoresetMode.NEXT_STEP)
        if mode != gym.vector.AutoresetMode.NEXT_STEP:
            raise GenRewardError(
                f"GenRewardVectorWrapper needs a vector env with next-step "
                f"autoreset (gymnasium's default), got {mode}"
            )
        self.terms = _Terms(
            config or GenRewardConfig(), video_reward, fb, features, goal_frame, progress
        )
        n = env.num_envs
        self.windows = [video_reward.window() for _ in range(n)] if video_reward else None
        self._steps = np.zeros(n, dtype=int)
        self._done = np.zeros(n, dtype=bool)
        self._psi: torch.Tensor | None = None  # of the last frames, where due
        self._seen: torch.Tensor | None = None  # F's observations of the step to come

    @classmethod
    def from_pretrained(
        cls,
        env: gym.vector.VectorEnv,
        text: str | None = None,
        *,
        seed: int | None = None,
        **kwargs: Any,
    ) -> GenRewardVectorWrapper:
        """As `GenRewardWrapper.from_pretrained`, one goal for every sub-env: they must start
        from the same frame (one placement), else a clear error."""
        env.reset(seed=seed)
        frames = np.stack(env.call("render"))
        if not (frames == frames[:1]).all():
            raise GenRewardError(
                "the sub-envs start from different frames (placements); one goal serves them "
                "all: build every sub-env with the same placement"
            )
        if text is None:
            try:
                text = env.get_attr("text")[0]
            except AttributeError:
                text = None
        parts = pretrained_parts(frames[0], _env_text(env, text), seed=seed or 0, **kwargs)
        return cls(env, **parts)

    def _frames(self) -> np.ndarray:
        return np.stack(self.env.call("render"))

    def reset(self, *, seed=None, options=None):
        obs, info = self.env.reset(seed=seed, options=options)
        self._steps[:] = 0
        self._done[:] = False
        frames = self._frames() if (self.terms.fb_reads_psi or self.windows) else None
        for i, window in enumerate(self.windows or []):
            window.reset(frames[i])
        if self.terms.fb_reads_psi:
            self._psi = self.terms.features(frames)
        self._seen = self.terms.fb_seen(obs, self._psi)
        return obs, info

    def step(self, actions):
        obs, rewards, terminated, truncated, infos = self.env.step(actions)
        n = self.num_envs
        fb_due = np.array([self.terms.fb_due(int(s)) for s in self._steps]) & ~self._done
        r_fb = np.zeros(n)
        if fb_due.any():
            r_fb[fb_due] = self.terms.fb_rewards(self._seen[fb_due], np.asarray(actions)[fb_due])
        self._steps = np.where(self._done, 0, self._steps + 1)
        # psi of this step's frames: where the next step gets an FB reward, and for progress.
        psi_due = any(self.terms.psi_due(int(s)) for s in self._steps)
        need = psi_due or any(
            w.needs_frame() or (done and w.at_episode_end)
            for w, done in zip(self.windows or [], self._done, strict=False)
        )
        frames = self._frames() if need else None
        r_video = np.zeros(n)
        if self.windows:
            completed, owners = [], []
            for i, window in enumerate(self.windows):
                if self._done[i]:  # this step was the autoreset of env i
                    window.reset(frames[i] if frames is not None else None)
                    continue
                done = bool(terminated[i] or truncated[i])
                clip = window.push(frames[i] if window.needs_frame() else None, done=done)
                if clip is not None:
                    completed.append(clip)
                    owners.append(i)
            r_video[owners] = self.terms.video_reward.score_many(completed)
        r_progress = np.zeros(n)
        if psi_due:
            self._psi = self.terms.features(frames)
            if self.terms.progress is not None:
                r_progress = self.terms.progress(self._psi).cpu().numpy()
        self._seen = self.terms.fb_seen(obs, self._psi)
        success = np.asarray(infos.get("success", np.zeros(n, dtype=bool)), dtype=bool)
        totals = np.zeros(n)
        parts = {key: np.zeros(n) for key in TERMS}
        for i in np.flatnonzero(~self._done):  # an autoreset step has no reward
            r_env = env_term(rewards[i], bool(success[i]), self.terms.config.env_reward)
            video = r_video[i] if self.windows else None
            totals[i], terms = self.terms.combine(r_env, video, r_fb[i], r_progress[i])
            for key, value in terms.items():
                parts[key][i] = value
        self._done = np.logical_or(terminated, truncated)
        return obs, totals, terminated, truncated, {**infos, **parts}
