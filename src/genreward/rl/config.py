"""Configuration of `genreward train` (kept free of heavy imports for the CLI)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from genreward.errors import GenRewardError
from genreward.rl.agents import AGENTS
from genreward.validate import SEED_RANGE, check_folders, check_ranges, option

RewardKind = Literal["genreward", "env", "video", "fb", "progress"]
REWARDS = ("env", "genreward", "video", "fb", "progress")

# Fields that may differ when a run is resumed: where and how it runs, not what it computes.
RUNTIME_FIELDS = ("run_dir", "resume", "steps", "device", "progress", "checkpoint_every")
RUNTIME_FIELDS += ("log_every", "gif_episodes")


@dataclass
class TrainConfig:
    """Train a SAC agent on a Meta-World task with GenReward (or an ablation of it)."""

    task: str = "drawer-open"
    """Meta-World task (short or full name)."""
    reward: RewardKind = "genreward"
    """env: env reward only; video: env + alpha*r_video; fb: env + beta*r_FB; genreward: the
    paper's (both); progress: env + goal-video progress (not the paper's; --reward-scale auto)."""
    env_reward: Literal["dense", "sparse"] = "dense"
    """Env term: Meta-World's shaped reward (dense), or 1 on success (sparse)."""
    steps: int = 20_000
    """Env steps to train for, rounded up to whole episodes (a resumed run may raise it)."""
    seed: int = 0
    """Seed of the agent, the exploration and the replay sampling."""
    run_dir: Path | None = None
    """Run folder (default: runs/<task>_<reward>_<env-reward>_seed<seed>)."""
    resume: bool = False
    """Continue the run in --run-dir from its last snapshot."""
    obs: Literal["state", "latent"] = "state"
    """Agent observations: the 39-d state, or the frozen autoencoder's latent of the frame."""
    act: Literal["sac", "fb"] = "sac"
    """Exploration: SAC alone, or mixed with FB goal-driven action selection (--fb-act-prob)."""
    fb_act_prob: float = 0.2
    """With --act fb: probability that a training action is the FB-greedy one."""
    fb_candidates: int = 16
    """With --act fb: uniform candidate actions FB picks from (plus SAC's own action)."""
    goal: Path | None = None
    """Goal folder from `genreward generate` (one goal, or seed_N/ per placement); default:
    generate the goals with --video-model and select their frames with the shipped scorer."""
    video_model: Path | None = None
    """Goal-video model folder; also gives psi and the video encoder (default: shipped model)."""
    goal_frame: Literal["selected", "random", "last"] = "selected"
    """Goal frame I*: the scorer's choice, a random frame, or the last frame (ablations)."""
    placements: int = 10
    """Object/goal placements (env seeds 0..N-1) to train and evaluate on; each has its goal."""
    camera: str = "corner"
    """Meta-World camera of the frames."""
    size: int = 64
    """Frame side in pixels (must match the video model)."""
    episode_steps: int = 256
    """Env steps per episode (the paper's 256; Meta-World's own limit is 500)."""
    alpha: float = 0.01
    """Weight of the video-level reward."""
    beta: float = 1e-5
    """Weight of the FB frame-level reward."""
    reward_scale: Literal["paper", "auto"] = "auto"
    """Bonus weighting: auto (each bonus standardised by its running statistics and scaled to
    the env term's; see `genreward.rewards.scale`), or the paper's fixed --alpha and --beta
    (which leave the bonuses at about 1e-4 of the dense env reward)."""
    goal_progress: bool = False
    """Add goal-video progress (where along the goal video the frame lies; not the paper's) to
    the bonuses of --reward genreward, video or fb (needs --reward-scale auto)."""
    auto_weight: float = 1.0
    """With --reward-scale auto: the bonus's scale relative to the env term's (dense), or to a
    unit reward (sparse)."""
    interval: int = 128
    """Env steps between video-level rewards."""
    frames: int = 16
    """Frames the agent window and the goal video are subsampled to."""
    video_mode: Literal["paper", "change"] = "paper"
    """Video reward form: the paper's raw cosine, or the cosine of changes from the first frame."""
    fb_pretrained: bool = True
    """Start FB from a pretrained model (--fb-init, default the shipped FB); false: from a
    random initialisation, trained on the run's replay (the paper's setting)."""
    fb_forward: Literal["state", "psi"] | None = None
    """What F reads in an FB trained from scratch (--no-fb-pretrained): the 39-d state, so
    r_FB needs no frame after FB is frozen, or psi of the frame like B (the paper's; the
    default there). A pretrained FB reads what it was trained on."""
    fb_init: Path | None = None
    """FB model folder from `genreward train-fb` (default: the shipped pretrained FB)."""
    fb_train_steps: int | None = None
    """Env steps during which FB trains (finetunes) on the run's replay before it is frozen and
    used as reward (default: 0 from a pretrained FB, frozen at once; else a tenth of --steps,
    the paper's 100k of 1M)."""
    agent: Literal["simba", "sac", "crossq", "tqc"] = "simba"
    """Learner: SAC with SimBa/BRO-style networks (residual LayerNorm blocks, running
    observation normalisation), the original SAC with plain 2-layer MLPs, CrossQ
    (BatchNorm networks, no target critics, actor updated every third step), or TQC (simba's
    networks with quantile critics, the highest target quantiles dropped)."""
    exploration: Literal["white", "pink"] = "white"
    """Noise of the training actions (SAC's Gaussian before the tanh): independent at every
    step (white), or pink noise along each episode (temporally correlated, about the same
    variance; Eberhard et al., 2023)."""
    target_entropy: float = -1.0
    """Policy entropy per action dimension that SAC's temperature holds (-1: SAC's -|A| in
    all); higher keeps the training actions noisier. At most 0.5: a tanh-squashed action
    cannot exceed log 2 (uniform on [-1, 1])."""
    action_repeat: int = 1
    """Env steps each agent action is held for (TD-MPC2 holds 2 on Meta-World): the agent
    decides, stores a transition and updates once per decision; rewards are summed over its
    env steps and success counts at any of them. --steps, --interval, --episode-steps and the
    other step counts stay in env steps; --n-step, --updates-per-step, --buffer-size and
    --discount count decisions."""
    updates_per_step: int = 1
    """Agent updates per decision (per env step unless --action-repeat), each on its own
    batch."""
    reset_every: int = 35_000
    """Env steps between resets of the agent (actor, critics, temperature and optimisers
    start afresh and relearn from the kept replay; Nikishin et al., 2022): one at every
    multiple of it (0: never) but those less than half of it before the run's end, so a run
    does not end on an agent just reset (at 35,000, runs under 52,500 steps have none). The
    resets are part of the run: a resume raising --steps meets the later ones."""
    n_step: int = 1
    """Steps of the critics' TD target: the discounted reward of the next n steps of the
    transition's episode, then the bootstrap (1: SAC's one-step target; no off-policy
    correction, so the return follows the policies that filled the replay). FB keeps one
    step."""
    precision: Literal["fp32", "bf16"] = "fp32"
    """Agent hidden layers in float32, or bfloat16 autocast (fast on CPUs with AMX and on
    GPUs; output layers stay float32)."""
    batch_size: int = 256
    """Transitions per agent and FB update."""
    learning_starts: int = 2000
    """Uniformly random actions before the first update."""
    hidden: int | None = None
    """Width of the agent's hidden layers (default: the agent's, simba and tqc 128, sac and
    crossq 256)."""
    lr: float | None = None
    """Learning rate of actor, critics and temperature (default: the agent's, crossq 1e-3,
    else 3e-4)."""
    discount: float = 0.99
    """SAC discount."""
    buffer_size: int = 200_000
    """Replay capacity in transitions (oldest overwritten; bounds memory)."""
    eval_every: int = 5000
    """Env steps between evaluations (at the next episode boundary)."""
    eval_episodes: int = 10
    """Evaluation episodes, cycling over the placements, deterministic policy."""
    gif_episodes: int = 2
    """Evaluation episodes saved as GIFs at each evaluation."""
    checkpoint_every: int = 5000
    """Env steps between snapshots (at the next episode boundary)."""
    log_every: int = 1000
    """Env steps between TensorBoard training scalars."""
    variant: str = ""
    """Name of this run's setting in reports (ablations; "" for the defaults)."""
    device: str = "cpu"
    """Torch device of the agent, FB and encoders."""
    progress: bool = True
    """Show a progress bar."""

    def __post_init__(self) -> None:
        if self.reward not in REWARDS:
            raise GenRewardError(f"--reward must be one of {', '.join(REWARDS)}")
        positive = ("steps", "placements", "episode_steps", "batch_size", "eval_every")
        positive += ("eval_episodes", "checkpoint_every", "log_every", "buffer_size", "frames")
        positive += ("updates_per_step", "n_step", "action_repeat")
        bad = [name for name in positive if getattr(self, name) < 1]
        if bad:
            raise GenRewardError(f"must be positive: {', '.join(option(b) for b in bad)}")
        check_folders(self, "run_dir")
        check_ranges(
            self,
            {
                "seed": SEED_RANGE,
                "buffer_size": "[1, 1e9]",
                "fb_act_prob": "[0, 1]",
                "target_entropy": "[-10, 0.5]",
                "discount": "(0, 1]",
                "lr": "(0, inf)",
                "auto_weight": "[0, inf)",
                "fb_candidates": "[1, inf)",
                "size": "[8, 2048]",
                "interval": "[1, inf)",
                "reset_every": "[0, inf)",
                "frames": "[2, inf)",
            },
        )
        if self.batch_size > self.buffer_size:
            raise GenRewardError(
                f"--batch-size {self.batch_size} is larger than --buffer-size {self.buffer_size}"
            )
        if self.uses_progress and self.reward_scale != "auto":
            raise GenRewardError("goal-video progress has no paper weight: add --reward-scale auto")
        if self.exploration == "pink" and self.decisions < 2:
            raise GenRewardError("--exploration pink needs episodes of at least 2 decisions")
        if self.fb_forward == "state" and self.obs != "state":
            raise GenRewardError("--fb-forward state needs --obs state (F reads the env state)")
        if self.act == "fb" and not self.uses_fb:
            raise GenRewardError("--act fb needs an FB model: use --reward genreward or fb")
        if self.hidden is not None and self.hidden < 1:
            raise GenRewardError(f"--hidden must be positive, got {self.hidden}")
        if self.n_step > self.decisions:
            raise GenRewardError(
                f"--n-step {self.n_step} is longer than an episode ({self.decisions} decisions)"
            )
        if self.batch_size < 2:
            raise GenRewardError("--batch-size must be at least 2")
        if self.uses_video and self.interval > self.episode_steps:
            raise GenRewardError(
                f"--interval {self.interval} is longer than an episode ({self.episode_steps} "
                "steps): no video window would ever complete"
            )
        if self.uses_video and (
            self.interval % self.action_repeat or self.interval // self.action_repeat < self.frames
        ):
            raise GenRewardError(
                f"--interval {self.interval} must be a multiple of --action-repeat "
                f"{self.action_repeat} holding at least --frames {self.frames} decisions"
            )
        if self.fb_init is not None and not self.fb_pretrained:
            raise GenRewardError("--fb-init names a pretrained FB: drop --no-fb-pretrained")
        if self.learning_starts < 0 or (self.fb_train_steps or 0) < 0:
            raise GenRewardError("--learning-starts and --fb-train-steps must be >= 0")

    @property
    def decisions(self) -> int:
        """Agent decisions per episode (its last may hold the action for fewer env steps)."""
        return -(-self.episode_steps // self.action_repeat)

    @property
    def uses_video(self) -> bool:
        return self.reward in ("genreward", "video")

    @property
    def uses_fb(self) -> bool:
        return self.reward in ("genreward", "fb")

    @property
    def uses_progress(self) -> bool:
        return self.reward == "progress" or (self.goal_progress and self.reward != "env")

    @property
    def renders(self) -> bool:
        """Whether training needs rendered frames at all."""
        return self.uses_video or self.uses_fb or self.uses_progress or self.obs == "latent"

    def resolved(self) -> TrainConfig:
        """This config with its defaults filled in (run folder, FB schedule)."""
        from genreward.envs.tasks import resolve_task

        task = resolve_task(self.task)
        run_dir = self.run_dir or Path(
            f"runs/{task.removesuffix('-v3')}_{self.reward}_{self.env_reward}_seed{self.seed}"
        )
        fb_steps = self.fb_train_steps
        if fb_steps is None:
            fb_steps = 0 if self.fb_pretrained else self.steps // 10
        kwargs = {**asdict(self), "task": task, "run_dir": run_dir, "fb_train_steps": fb_steps}
        kwargs["lr"] = self.lr or AGENTS[self.agent].lr
        return TrainConfig(**kwargs)

    def identity(self) -> dict:
        """What makes two configs the same run (JSON-ready; runtime fields left out)."""
        return {
            k: (str(v) if isinstance(v, Path) else v)
            for k, v in asdict(self).items()
            if k not in RUNTIME_FIELDS
        }
