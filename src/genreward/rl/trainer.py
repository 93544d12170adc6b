"""`genreward train`: SAC on a Meta-World task with GenReward, the FB learner on the same replay.

The loop, per decision (an env step, or --action-repeat env steps of one action): act (SAC, or
FB goal-driven selection mixed in), step the env, render and encode only the frames a reward
term or the observation needs, store the transition, then one SAC update (and, during the FB
training phase, one FB update) on a replay batch whose reward is r_env + alpha * r_video +
beta * r_FB, with r_FB from the FB model once it is frozen.
Evaluations and snapshots happen at episode boundaries, so a resumed run replays exactly.
"""

from __future__ import annotations

import json
import math
from collections import deque
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from genreward.data.atomic import atomic_write_text
from genreward.data.goal_video import GOAL_FILE
from genreward.data.media import save_media
from genreward.envs import make_env
from genreward.envs.action_repeat import ActionRepeat
from genreward.errors import GenRewardError
from genreward.rewards.combine import env_term
from genreward.rewards.fb import FBLearner, ForwardBackward
from genreward.rewards.features import AutoencoderFeatures
from genreward.rewards.progress import GoalVideoProgress
from genreward.rewards.scale import RewardScaler
from genreward.rewards.train_fb import (
    autoencoder_features,
    autoencoder_fingerprint,
    fb_autoencoder,
    load_fb,
)
from genreward.rewards.video_reward import VideoLevelReward
from genreward.rl.config import TrainConfig
from genreward.rl.evaluate import EvalResult, evaluate
from genreward.rl.frames import EpisodeFrames
from genreward.rl.goals import check_goal_source, prepare_goals
from genreward.rl.logger import Logger, Timers
from genreward.rl.replay import ReplayBuffer
from genreward.rl.run_dir import (
    CONFIG_FILE,
    DONE_FILE,
    STATUS_FILE,
    claim_run_dir,
    differences,
    read_run_config,
    resolve_for_run,
    with_defaults,
)
from genreward.rl.sac import AGENTS, SAC, n_step_return
from genreward.rl.snapshot import (
    load_snapshot,
    random_states,
    restore_random_states,
    save_snapshot,
    snapshot_path,
)
from genreward.validate import check_device, check_inputs
from genreward.video.pipeline import read_model_settings

REWARD_TERMS = ("r_env", "r_video_weighted", "r_fb", "r_fb_weighted", "r_progress_weighted")


def check_models(cfg: TrainConfig) -> tuple[ForwardBackward, AutoencoderFeatures] | None:
    """Clear errors for missing, damaged or mismatched goals and models of a run, before
    anything is written; returns the pretrained FB and its features where the run uses one."""
    check_inputs(cfg, "goal", "video_model", "fb_init")
    if cfg.goal is not None and (cfg.uses_video or cfg.uses_fb or cfg.uses_progress):
        copied = Path(cfg.run_dir) / "goals"  # a resumed run keeps its own copies
        seeds = [
            s for s in range(cfg.placements) if not (copied / f"seed_{s}" / GOAL_FILE).is_file()
        ]
        if seeds:
            check_goal_source(Path(cfg.goal), seeds, cfg.task, cfg.size)
    if cfg.video_model is not None:
        read_model_settings(Path(cfg.video_model))
    if not (cfg.uses_fb and cfg.fb_pretrained):
        return None
    loaded = load_fb(cfg.fb_init)
    check_fb_forward(cfg, loaded[0])
    if fb_autoencoder(cfg.fb_init) != autoencoder_fingerprint(cfg.video_model):
        raise GenRewardError(
            f"the FB model {cfg.fb_init or '(shipped)'} was trained on psi from another "
            "autoencoder than the goal-video model's (--video-model); use an FB model "
            "trained with it (--fb-init) or --no-fb-pretrained"
        )
    return loaded


def check_fb_forward(cfg: TrainConfig, model: ForwardBackward) -> None:
    """Clear errors where a pretrained FB's F cannot read what this run gives it."""
    reads = "state" if model.forward_on_state else "psi"
    if cfg.fb_forward not in (None, reads):
        raise GenRewardError(
            f"the FB model {cfg.fb_init or '(shipped)'} reads the {reads} in F; --fb-forward "
            "chooses for an FB trained from scratch (--no-fb-pretrained)"
        )
    if model.forward_on_state and cfg.obs != "state":
        raise GenRewardError(
            f"the FB model {cfg.fb_init or '(shipped)'} reads the state in F, which needs "
            "--obs state (with --obs latent the replay keeps no states); use an FB trained "
            "with `genreward train-fb --forward-input psi`"
        )


class Trainer:
    """setup / train / evaluate / save_snapshot / load_snapshot for one run folder."""

    def __init__(self, config: TrainConfig, claim: bool = True) -> None:
        self.cfg = cfg = resolve_for_run(config) if config.resume else config.resolved()
        self.run_dir = Path(cfg.run_dir)
        check_device(cfg.device)
        self._pretrained_fb = check_models(cfg)  # before the run folder is made
        if claim:
            claim_run_dir(cfg)
        self.rng = np.random.default_rng(cfg.seed)
        self.fb_generator = torch.Generator().manual_seed(cfg.seed)
        self.device = torch.device(cfg.device)
        self.timers = Timers()
        env_kwargs = {
            "camera": cfg.camera,
            "size": cfg.size,
            "max_episode_steps": cfg.episode_steps,
        }
        self.env = ActionRepeat(make_env(cfg.task, 0, **env_kwargs), cfg.action_repeat)
        self.eval_env = ActionRepeat(make_env(cfg.task, 0, **env_kwargs), cfg.action_repeat)
        self.placements = list(range(cfg.placements))
        self._setup_rewards()
        obs_dim = self.features.dim if cfg.obs == "latent" else self.env.observation_space.shape[0]
        action_dim = self.env.action_space.shape[0]
        # Seeded here, after goal generation used the global RNG or not, so a run started
        # again from scratch (goals already made) gets the same initial agent.
        torch.manual_seed(cfg.seed)
        self.agent = SAC(
            obs_dim,
            action_dim,
            hidden=cfg.hidden,
            spec=AGENTS[cfg.agent],
            lr=cfg.lr,
            bf16=cfg.precision == "bf16",
            discount=cfg.discount,
            target_entropy=cfg.target_entropy,
            device=self.device,
        )
        self.replay = ReplayBuffer(
            cfg.buffer_size,
            None if cfg.obs == "latent" else obs_dim,
            action_dim,
            self.features.dim if self.psi_stored else None,
            terms=("r_fb",) * (self.fb is not None) + ("r_progress",) * cfg.uses_progress,
            episode_ends=cfg.n_step > 1,
        )
        self._fb_cached = False  # r_fb of every stored transition computed (FB frozen)
        self.scaler = RewardScaler(
            cfg.reward_scale,
            env_reward=cfg.env_reward,
            alpha=cfg.alpha,
            beta=cfg.beta,
            weight=cfg.auto_weight,
        )
        self.step, self.episode = 0, 0
        self.next_eval, self.next_checkpoint = cfg.eval_every, cfg.checkpoint_every
        self.recent: deque[dict] = deque(maxlen=10)
        self.last_eval: dict[str, float] = {}
        self.train_scalars: dict[str, float] = {}
        self.reward_sums = dict.fromkeys((*REWARD_TERMS, "updates"), 0.0)

    # SETUP
    def _setup_rewards(self) -> None:
        cfg = self.cfg
        self.goals = (
            prepare_goals(cfg, self.run_dir / "goals")
            if (cfg.uses_video or cfg.uses_fb or cfg.uses_progress)
            else []
        )
        self.fb = self.fb_learner = self.features = None
        if self._pretrained_fb is not None:
            model, self.features = self._pretrained_fb
        elif cfg.renders:
            self.features = autoencoder_features(cfg.video_model)
        if self.features is not None:
            self.features.encoder.autoencoder.to(self.device)
        self.video_rewards = (
            [
                VideoLevelReward(
                    self.features.encoder,
                    g.video,
                    interval=cfg.interval // cfg.action_repeat,  # in decisions
                    frames=cfg.frames,
                    mode=cfg.video_mode,
                )
                for g in self.goals
            ]
            if cfg.uses_video
            else []
        )
        if cfg.uses_fb:
            state_dim = self.env.observation_space.shape[0]
            if not cfg.fb_pretrained:
                torch.manual_seed(cfg.seed)
                model = ForwardBackward(
                    obs_dim=self.features.dim,
                    action_dim=4,
                    state_dim=state_dim if cfg.fb_forward == "state" else None,
                )
            if model.forward_on_state and model.config.state_dim != state_dim:
                raise GenRewardError(
                    f"the FB model {cfg.fb_init or '(shipped)'} reads "
                    f"{model.config.state_dim}-d states, this task's are {state_dim}-d"
                )
            self.fb = model.to(self.device)
            self.fb_learner = FBLearner(self.fb)
            self.goal_psi = self.features(np.stack([g.frame for g in self.goals])).to(self.device)
        self.progress = (
            [GoalVideoProgress(self.features(g.video).to(self.device)) for g in self.goals]
            if cfg.uses_progress
            else []
        )
        self._goal_z: torch.Tensor | None = None
        # psi of every frame: for FB (B while it trains; F too where F reads psi), progress
        # and latent observations; needed as each frame arrives when the agent acts on it.
        self.f_on_state = self.fb is not None and self.fb.forward_on_state
        self.psi_beside_fb = cfg.uses_progress or cfg.obs == "latent"
        fb_reads_psi = self.fb is not None and (not self.f_on_state or cfg.fb_train_steps > 0)
        self.psi_stored = self.psi_beside_fb or fb_reads_psi
        self.psi_online = cfg.obs == "latent" or (cfg.act == "fb" and not self.f_on_state)

    @property
    def fb_frozen(self) -> bool:
        return self.fb is not None and self.step >= self.cfg.fb_train_steps

    @property
    def needs_psi(self) -> bool:
        """Whether the frames from now on need psi: not once an FB whose F reads the state is
        frozen, unless something else reads psi (the stored psi is zero from then on)."""
        fb_reads_psi = self.fb is not None and not (self.f_on_state and self.fb_frozen)
        return self.psi_beside_fb or fb_reads_psi

    def goal_z(self) -> torch.Tensor:
        """z = B(psi(I*)) per placement ``[P, d]`` (cached once FB is frozen)."""
        if self._goal_z is not None:
            return self._goal_z
        z = self.fb.goal_embedding(self.goal_psi)
        if self.fb_frozen:
            self._goal_z = z
        return z

    # ACTING
    def _observe(self, state: np.ndarray, psi: torch.Tensor | None) -> np.ndarray:
        if self.cfg.obs == "state":
            return state
        return psi.half().float().cpu().numpy()  # as the replay stores it (float16)

    def _episode_noise(self) -> np.ndarray | None:
        """Exploration noise ``[decisions, A]`` for one episode (None: the agent's own white
        noise). Drawn from the run's generator at the episode's start, so a resumed run
        draws the same."""
        if self.cfg.exploration == "white":
            return None
        from pink import PinkNoiseProcess

        shape = (self.env.action_space.shape[0], self.cfg.decisions)
        return PinkNoiseProcess(shape, rng=self.rng).sample(shape[1]).T

    def _act(
        self, obs: np.ndarray, psi: torch.Tensor | None, placement: int, noise: np.ndarray | None
    ) -> np.ndarray:
        cfg = self.cfg
        if self.step < cfg.learning_starts:
            return self.rng.uniform(-1.0, 1.0, self.env.action_space.shape).astype(np.float32)
        action = self.agent.act(obs, noise=noise)
        if cfg.act == "fb" and self.rng.random() < cfg.fb_act_prob:
            uniform = self.rng.uniform(-1.0, 1.0, (cfg.fb_candidates, len(action)))
            candidates = torch.as_tensor(np.vstack([action[None], uniform]), dtype=torch.float32)
            goal = self.goal_psi[placement : placement + 1]
            seen = torch.as_tensor(obs) if self.f_on_state else psi  # F's observation
            action = self.fb.act(seen[None].to(self.device), goal, candidates.to(self.device))[0]
            action = action.cpu().numpy()
        return action

    def _frame_features(self, frames: np.ndarray) -> torch.Tensor:
        """psi of frames ``uint8 [N, H, W, 3]``: ``[N, D]``."""
        with self.timers("encode"):
            return self.features(frames)

    # TRAINING
    def _episode(self, bar: tqdm) -> None:
        """One training episode. Frames are rendered only where psi or a video window needs
        them and each is encoded once (`EpisodeFrames`). Unless the agent acts on psi, they are
        encoded at the episode's end, and the episode's transitions join the replay then, with
        their psi and video rewards; updates during it sample the earlier episodes."""
        cfg, env = self.cfg, self.env
        placement = int(self.rng.integers(len(self.placements)))
        noise = self._episode_noise()
        needs_psi, online = self.needs_psi, self.psi_online
        deferred = not online and (needs_psi or bool(self.video_rewards))
        frames = EpisodeFrames(self._frame_features, online)
        with self.timers("env"):
            state, _ = env.reset(seed=placement)
        window = self.video_rewards[placement].window() if self.video_rewards else None
        frames.add(self._render() if needs_psi else None)
        psi = frames[0] if online else None
        pending, windows = [], []  # deferred transitions; (transition index, frame indices)
        env_return, solved, video_scores = 0.0, False, []
        for t in range(cfg.decisions):
            with self.timers("act"):
                step_noise = None if noise is None else noise[t]
                action = self._act(self._observe(state, psi), psi, placement, step_noise)
            with self.timers("env"):
                next_state, reward, terminated, truncated, info = env.step(action)
            wants_frame = window is not None and window.needs_frame()
            index = frames.add(self._render() if needs_psi or wants_frame else None)
            next_psi = frames[index] if online else None
            transition = {
                "action": action,
                "r_env": env_term(reward, info["success"], cfg.env_reward),
                "r_video": 0.0,
                "mask": 0.0 if terminated else 1.0,
                "placement": placement,
            }
            if cfg.obs == "state":
                transition |= {"obs": state, "next_obs": next_state}
            if cfg.n_step > 1:
                transition["end"] = terminated or truncated  # the env cuts at episode_steps
            if window is not None:
                clip = window.push(index if wants_frame else None, done=terminated or truncated)
                if clip is not None:
                    windows.append((t, clip))
            if deferred:
                pending.append(transition)
            else:
                if windows and windows[-1][0] == t:
                    video_scores += self._video_rewards(frames, windows[-1:], placement)
                    transition["r_video"] = video_scores[-1]
                if self.psi_stored:
                    transition |= self._psi_columns(psi, next_psi)
                self._store([transition])
            self.agent.observe(self._observe(next_state, next_psi))
            env_return += reward
            solved |= bool(info["success"])
            self._update()
            taken = info["env_steps"]
            self.step += taken
            bar.update(taken)
            self._reset_if_due(taken)
            if self._crossed(cfg.log_every, taken):
                self._log_progress()
            state, psi = next_state, next_psi
            if terminated or truncated:
                break
        if deferred:
            frames.encode_all()
            video_scores = self._video_rewards(frames, windows, placement)
            for (t, _), score in zip(windows, video_scores, strict=True):
                pending[t]["r_video"] = score
            for t, transition in enumerate(pending):
                if self.psi_stored:
                    pair = (frames[t], frames[t + 1]) if needs_psi else (None, None)
                    transition |= self._psi_columns(*pair)
            self._store(pending)
        self.episode += 1
        self.recent.append(
            {
                "return": env_return,
                "success": float(solved),
                "r_video": float(np.mean(video_scores or [0.0])),
            }
        )

    def _psi_columns(self, psi: torch.Tensor | None, next_psi: torch.Tensor | None) -> dict:
        """A transition's psi columns (zero where its frames were not encoded)."""
        if psi is None:
            return dict.fromkeys(("psi", "next_psi"), np.zeros(self.features.dim, np.float16))
        return {"psi": psi.numpy(), "next_psi": next_psi.numpy()}

    def _render(self) -> np.ndarray:
        """The env's current frame (timed apart from its encoding, which `frames.add` does)."""
        with self.timers("render"):
            return self.env.render()

    def _store(self, transitions: list[dict]) -> None:
        """Add transitions to the replay, with their FB reward once FB is frozen, and update
        the reward terms' running statistics."""
        if not transitions:
            return
        terms = {"r_env": [t["r_env"] for t in transitions]}
        if self.cfg.uses_video:
            terms["r_video"] = [t["r_video"] for t in transitions]
        if self.fb is not None:
            r_fb = np.zeros(len(transitions), np.float32)
            if self.fb_frozen:
                # F's observation as the replay stores it, so the cache and this path agree.
                key, dtype = ("obs", np.float32) if self.f_on_state else ("psi", np.float16)
                seen = np.stack([t[key] for t in transitions]).astype(dtype)
                action = np.stack([t["action"] for t in transitions])
                placement = np.array([t["placement"] for t in transitions])
                r_fb = terms["r_fb"] = self._fb_rewards(seen, action, placement)
            for transition, value in zip(transitions, r_fb, strict=True):
                transition["r_fb"] = value
        if self.progress:
            terms["r_progress"] = self._progress_rewards(transitions)
            for transition, value in zip(transitions, terms["r_progress"], strict=True):
                transition["r_progress"] = value
        self.scaler.observe(terms)
        for transition in transitions:
            self.replay.add(**transition)

    @torch.no_grad()
    def _fb_rewards(
        self, seen: np.ndarray, action: np.ndarray, placement: np.ndarray
    ) -> np.ndarray:
        """r_FB = F(s, a, z)^T z of the frozen FB (s: F's observation, the state or psi), z of
        each transition's goal: ``[N]``."""
        out = []
        with self.timers("fb_reward"):
            for start in range(0, len(seen), 4096):
                part = slice(start, start + 4096)
                z = self.goal_z()[torch.as_tensor(placement[part], device=self.device).long()]
                r_fb = self.fb.reward_for_z(
                    torch.as_tensor(seen[part], device=self.device).float(),
                    torch.as_tensor(action[part], device=self.device),
                    z,
                )
                out.append(r_fb.cpu().numpy())
        return np.concatenate(out) if out else np.zeros(0, np.float32)

    @torch.no_grad()
    def _progress_rewards(self, transitions: list[dict]) -> np.ndarray:
        """Goal-video progress of each transition's next frame, toward its placement's goal."""
        next_psi = np.stack([t["next_psi"] for t in transitions]).astype(np.float16)
        placement = np.array([t["placement"] for t in transitions])
        out = np.zeros(len(transitions), np.float32)
        with self.timers("progress_reward"):
            for p in np.unique(placement):
                rows = placement == p
                psi = torch.as_tensor(next_psi[rows], device=self.device).float()
                out[rows] = self.progress[p](psi).cpu().numpy()
        return out

    def _cache_fb_rewards(self) -> None:
        """Once FB is frozen: r_FB of every stored transition (it never changes again)."""
        columns, size = self.replay.columns, len(self.replay)
        seen = columns["obs" if self.f_on_state else "psi"]
        columns["r_fb"][:size] = self._fb_rewards(
            seen[:size], columns["action"][:size], columns["placement"][:size]
        )
        self.scaler.observe({"r_fb": columns["r_fb"][:size]})
        self._fb_cached = True

    def _video_rewards(
        self, frames: EpisodeFrames, windows: list[tuple[int, np.ndarray]], placement: int
    ) -> list[float]:
        """r_video of completed windows (frame indices), from the frames' cached latents."""
        if not windows:
            return []
        with self.timers("video_reward"):
            shape = self.features.encoder.autoencoder.latent_shape
            clips = torch.stack([frames.stack(idx) for _, idx in windows])
            return self.video_rewards[placement].score_latents(
                clips.reshape(len(windows), -1, *shape)
            )

    def _log_progress(self) -> None:
        """TensorBoard scalars, and status.json for sweeps watching the run."""
        if self.train_scalars:
            self.logger.scalars(self.train_scalars, self.step)
        status = {"step": self.step, "steps": self.cfg.steps, "last_eval": self.last_eval}
        atomic_write_text(self.run_dir / STATUS_FILE, json.dumps(status))

    def _crossed(self, every: int, taken: int) -> bool:
        """Whether the last ``taken`` env steps passed a multiple of ``every`` (0: never)."""
        return every > 0 and self.step // every > (self.step - taken) // every

    def _reset_if_due(self, taken: int) -> None:
        """Reset the agent where the last ``taken`` env steps passed a multiple of
        `reset_every`, unless less than half an interval of the run remains (a run does not
        end on an agent just reset); the reset's number and the run's seed initialise it."""
        cfg = self.cfg
        if self._crossed(cfg.reset_every, taken) and 2 * (cfg.steps - self.step) >= cfg.reset_every:
            resets = self.step // cfg.reset_every
            seed = int(np.random.SeedSequence([cfg.seed, resets]).generate_state(1)[0])
            self.agent.reset(seed)
            self.train_scalars["resets"] = resets

    def _update(self) -> None:
        """`updates_per_step` agent updates from `learning_starts` on, each on its own batch;
        one FB update per decision while FB trains (from the first full batch, random-action data
        included)."""
        cfg = self.cfg
        if self.fb_frozen and not self._fb_cached:
            self._cache_fb_rewards()
        # Episodes that join the replay at their end leave it empty during the first one.
        sac_due = self.step >= cfg.learning_starts and len(self.replay) > 0
        fb_due = self.fb is not None and not self.fb_frozen and len(self.replay) >= cfg.batch_size
        scalars = {}
        # psi (two [D] columns) only where an update reads it: FB training, latent observations.
        skip = () if fb_due or cfg.obs == "latent" else ("psi", "next_psi")
        for update in range(cfg.updates_per_step if sac_due else int(fb_due)):
            with self.timers("replay"):
                n_step = cfg.n_step if sac_due else 1  # FB alone reads one step
                batch = self.replay.sample(self.rng, cfg.batch_size, skip, n_step)
                t = {k: torch.as_tensor(v, device=self.device) for k, v in batch.items()}
            psi = t["psi"].float() if "psi" in t else None
            next_psi = t["next_psi"].float() if "next_psi" in t else None
            if sac_due:
                scalars = self._sac_update(t, psi, next_psi)
            if fb_due and update == 0:
                seen, next_seen = (t["obs"], t["next_obs"]) if self.f_on_state else (psi, next_psi)
                with self.timers("fb_update"):
                    losses = self.fb_learner.update(
                        seen, t["action"], next_seen, next_psi, self.fb_generator
                    )
                self._check_finite(losses)
                scalars |= {"fb_loss": losses["fb_loss"], "ortho_loss": losses["ortho_loss"]}
        self.train_scalars |= scalars

    def _check_finite(self, scalars: dict[str, float]) -> None:
        """Stop with a clear error where a loss or reward turned NaN or infinite."""
        bad = [k for k, v in scalars.items() if not math.isfinite(v)]
        if bad:
            raise GenRewardError(
                f"training diverged at step {self.step}: {', '.join(bad)} not finite; the last "
                "snapshot is kept: resume it with a lower --lr or reward weights"
            )

    def _reward(self, t: dict, suffix: str = "") -> tuple[torch.Tensor, dict[str, float]]:
        """r_env plus the weighted bonus (paper Eq. 10, or auto scale) from the batch's stored
        terms (``<term><suffix>``: ``[N]``, or ``[N, n]`` along n-step returns), and the batch
        means of its parts at the sampled transitions; r_FB is cached in the replay once FB is
        frozen (`_store`, `_cache_fb_rewards`)."""
        cfg = self.cfg

        def mean(values: torch.Tensor) -> float:
            return (values[:, 0] if values.ndim == 2 else values).mean().item()

        reward = t[f"r_env{suffix}"].clone()
        scalars = {"r_env": mean(reward)}
        names = ["r_video"] * cfg.uses_video + ["r_progress"] * cfg.uses_progress
        names += ["r_fb"] * (self.fb is not None and self.fb_frozen)
        terms = {name: t[f"{name}{suffix}"] for name in names}
        if "r_fb" in terms:
            scalars["r_fb"] = mean(terms["r_fb"])
        for name, weighted in self.scaler.weighted(terms).items():
            reward += weighted
            scalars[f"{name}_weighted"] = mean(weighted)
        return reward, scalars

    def _sac_update(self, t: dict, psi, next_psi) -> dict[str, float]:
        """SAC on the combined reward of the batch `t`: one step, or the discounted sum of
        --n-step steps with the bootstrap from the last one's next state."""
        cfg = self.cfg
        latent = cfg.obs == "latent"
        obs, next_obs = (psi, next_psi) if latent else (t["obs"], t["next_obs"])
        if cfg.n_step == 1:
            reward, scalars = self._reward(t)
            mask = t["mask"]
        else:
            rewards, scalars = self._reward(t, "_ahead")
            reward, bootstrap = n_step_return(rewards, t["steps"], cfg.discount)
            mask = t["mask_ahead"] * bootstrap
            next_obs = t["next_psi_ahead"].float() if latent else t["next_obs_ahead"]
        with self.timers("sac_update"):
            scalars |= self.agent.update(obs, t["action"], reward, next_obs, mask)
        self._check_finite(scalars)
        for key in REWARD_TERMS:
            self.reward_sums[key] += scalars.get(key, 0.0)
        self.reward_sums["updates"] += 1
        return scalars

    def train(self) -> Path:
        """Run (or continue) training to `steps`; returns the run folder."""
        cfg = self.cfg
        rows, purge = [], None
        if cfg.resume:
            # TensorBoard drops what a killed attempt logged after the snapshot (or at all).
            rows = self.load_snapshot() if snapshot_path(self.run_dir).is_file() else []
            purge = self.step + 1 if self.step else 0
        self.logger = Logger(self.run_dir, rows, purge_step=purge)
        bar = tqdm(
            total=-(-cfg.steps // cfg.episode_steps) * cfg.episode_steps,  # whole episodes
            initial=self.step,
            desc=f"{cfg.task} {cfg.reward}",
            unit="step",
            disable=not cfg.progress,
            dynamic_ncols=True,
        )
        try:
            while self.step < cfg.steps:
                self._episode(bar)
                finished = self.step >= cfg.steps
                if self.step >= self.next_eval or finished:
                    self.evaluate_and_log()
                    bar.set_postfix(success=f"{self.last_eval['eval_success']:.2f}")
                    while self.next_eval <= self.step:
                        self.next_eval += cfg.eval_every
                if self.step >= self.next_checkpoint or finished:
                    self.save_snapshot()
                    while self.next_checkpoint <= self.step:
                        self.next_checkpoint += cfg.checkpoint_every
        finally:
            bar.close()
            self.logger.close()
        atomic_write_text(
            self.run_dir / DONE_FILE,
            json.dumps(
                {"step": self.step, **self.last_eval, "seconds": dict(self.timers.seconds)},
                indent=2,
            ),
        )
        return self.run_dir

    # EVALUATION
    def policy(self, state: np.ndarray, frame: np.ndarray | None) -> np.ndarray:
        """The deterministic policy (mean action) on a state or, for latent agents, a frame."""
        psi = self._frame_features(frame[None])[0] if self.cfg.obs == "latent" else None
        return self.agent.act(self._observe(state, psi), deterministic=True)

    def evaluate(self, episodes: int | None = None, record: int | None = None) -> EvalResult:
        cfg = self.cfg
        with self.timers("eval"):
            return evaluate(
                self.eval_env,
                self.policy,
                self.placements,
                episodes or cfg.eval_episodes,
                record=cfg.gif_episodes if record is None else record,
                policy_sees_frames=cfg.obs == "latent",
            )

    def save_videos(self, result: EvalResult, folder: Path) -> list[Path]:
        """Evaluation rollouts as GIFs ``folder/step_<N>_placement_<P>.gif``."""
        return [
            save_media(
                frames,
                folder / f"step_{self.step:07d}_placement_{p}.gif",
                fps=max(1, round(20 / self.cfg.action_repeat)),  # 20 env steps a second
            )
            for p, frames in result.videos
        ]

    def evaluate_and_log(self) -> None:
        result = self.evaluate()
        self.save_videos(result, self.run_dir / "eval")
        recent = {
            k: float(np.mean([e[k] for e in self.recent])) for k in ("return", "success", "r_video")
        }
        self.last_eval = {"step": self.step, "episodes": self.episode, **result.summary()}
        # Mean reward terms of the batches SAC trained on since the last evaluation.
        updates = max(self.reward_sums["updates"], 1)
        terms = {f"batch_{k}": self.reward_sums[k] / updates for k in REWARD_TERMS}
        self.reward_sums = dict.fromkeys((*REWARD_TERMS, "updates"), 0.0)
        train = {f"train_{k}": v for k, v in recent.items()}
        self.logger.log_eval({**self.last_eval, **train, **terms})

    # SNAPSHOTS
    def save_snapshot(self) -> None:
        with self.timers("snapshot"):
            save_snapshot(
                snapshot_path(self.run_dir),
                {
                    "identity": self.cfg.identity(),
                    "counters": {
                        "step": self.step,
                        "episode": self.episode,
                        "next_eval": self.next_eval,
                        "next_checkpoint": self.next_checkpoint,
                    },
                    "agent": self.agent.state_dict(),
                    "fb": self.fb_learner.state_dict() if self.fb_learner else None,
                    "replay": self.replay.state_dict(),
                    "random": random_states(self.rng, self.fb_generator, self.device),
                    "recent": list(self.recent),
                    "reward_sums": self.reward_sums,
                    "reward_scale": self.scaler.state_dict(),
                    "last_eval": self.last_eval,
                    "metrics": self.logger.rows,
                },
            )

    def load_snapshot(self) -> list[dict]:
        """Restore the last snapshot; returns the metrics rows logged up to it."""
        path = snapshot_path(self.run_dir)
        state = load_snapshot(path)
        if differences(with_defaults(state["identity"]), self.cfg.identity()):
            raise GenRewardError(
                f"{path} was written by a run with another config; use another --run-dir"
            )
        counters = state["counters"]
        self.step, self.episode = counters["step"], counters["episode"]
        self.next_eval, self.next_checkpoint = counters["next_eval"], counters["next_checkpoint"]
        try:
            self.agent.load_state_dict(state["agent"])
            if self.fb_learner is not None:
                self.fb_learner.load_state_dict(state["fb"])
            self.replay.load_state_dict(state["replay"])
            if "reward_scale" in state:
                self.scaler.load_state_dict(state["reward_scale"])
            elif self.cfg.reward_scale == "auto" and self.cfg.reward != "env":
                raise KeyError("reward_scale: no reward statistics (an older snapshot)")
        except (RuntimeError, KeyError, TypeError) as exc:
            raise GenRewardError(f"{path} does not fit this run's models ({exc})") from exc
        restore_random_states(state["random"], self.rng, self.fb_generator, self.device)
        self.recent = deque(state["recent"], maxlen=self.recent.maxlen)
        self.reward_sums = {**dict.fromkeys(self.reward_sums, 0.0), **state["reward_sums"]}
        self.last_eval = state["last_eval"]
        return state["metrics"]


def train(config: TrainConfig) -> Path:
    """Train one run (see `Trainer`); returns its folder."""
    return Trainer(config).train()


def continue_run(config: TrainConfig) -> Path:
    """Train `config`'s run, resuming it when its folder already holds it."""
    config = replace(config, resume=(Path(config.resolved().run_dir) / CONFIG_FILE).is_file())
    return train(config)


def open_run(run_dir: Path, device: str = "cpu") -> Trainer:
    """The run in `run_dir` restored from its latest snapshot (for evaluation and analysis)."""
    saved = read_run_config(run_dir)
    try:
        config = TrainConfig(
            **{**saved, "run_dir": run_dir, "resume": True, "device": device, "progress": False}
        )
    except (TypeError, GenRewardError) as exc:
        raise GenRewardError(
            f"{run_dir / CONFIG_FILE}: not a valid config of this genreward ({exc})"
        ) from exc
    if not snapshot_path(run_dir).is_file():
        raise GenRewardError(f"{run_dir}: no snapshot yet; train first")
    trainer = Trainer(config, claim=False)
    trainer.load_snapshot()
    return trainer


def evaluate_run(run_dir: Path, episodes: int, record: int, device: str = "cpu") -> dict:
    """Evaluate the latest snapshot of a run; writes eval/eval_step_<N>.json and GIFs."""
    trainer = open_run(run_dir, device)
    result = trainer.evaluate(episodes, record)
    folder = run_dir / "eval"
    videos = trainer.save_videos(result, folder)
    summary = {
        "step": trainer.step,
        **result.summary(),
        "episodes": episodes,
        "videos": [str(v) for v in videos],
    }
    atomic_write_text(folder / f"eval_step_{trainer.step:07d}.json", json.dumps(summary, indent=2))
    return summary
