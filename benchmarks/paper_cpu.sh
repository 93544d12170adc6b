#!/usr/bin/env bash
# The paper's Meta-World experiment at CPU scale, as resumable sweeps into one folder
# (sweeps/paper_cpu; see README "Results"). Every command skips finished runs and resumes
# interrupted ones: re-run this script until it ends. Budget: 8,192 env steps (32 episodes of
# 256 steps) per run, one CPU per run; each sweep ends by rewriting sweeps/paper_cpu/report.
set -euo pipefail
cd "$(dirname "$0")/.."
tcmalloc=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
if [ -z "${LD_PRELOAD:-}" ] && [ -f "$tcmalloc" ]; then export LD_PRELOAD=$tcmalloc; fi
tasks=pick-place,pick-out-of-hole,bin-picking,shelf-place,door-open,drawer-open,button-press,window-open
sweep() {  # env reward (dense or sparse), then sweep settings
  local env_reward=$1
  shift
  .venv/bin/genreward sweep --steps 8192 --env-reward "$env_reward" --out sweeps/paper_cpu \
    --train.reward-scale paper "$@"
}

# 1. Main grid: env reward alone vs GenReward on the eight tasks, seeds 0 and 1.
sweep dense --tasks $tasks --rewards env,genreward --seeds 0,1

# 2. pick-place, seed 0: the video-level and the FB term alone.
sweep dense --tasks pick-place --rewards video,fb --seeds 0

# 3. Held-out task door-close (never in the shipped model's training data), seeds 0 and 1: goal
#    videos from the shipped model vs from that model finetuned on 30 door-close expert episodes.
if [ ! -f models/ft_door_close/pipeline.json ]; then
  .venv/bin/genreward collect --tasks door-close --episodes 30 --size 64 \
    --out data/finetune_door_close
  .venv/bin/genreward train-video --data data/finetune_door_close \
    --init src/genreward/assets/goal_video --out models/ft_door_close --steps 300 --lr 1e-4
fi
sweep dense --tasks door-close --rewards genreward --seeds 0,1 \
  --variants benchmarks/paper_cpu_heldout.json
sweep dense --tasks door-close --rewards env --seeds 0,1

# 4. Ablations of GenReward on pick-place, seed 0 (benchmarks/paper_cpu_ablations.json): the
#    goal frame, FB action selection, alpha and beta x0.1 and x10, then both bonuses weighted
#    in (alpha 1, beta 0.01), with the raw-cosine and the change-from-first-frame video reward.
sweep dense --tasks pick-place --rewards genreward --seeds 0 \
  --variants benchmarks/paper_cpu_ablations.json

# 5. The sparse env reward (env alone and GenReward), and the video-only and FB-only rewards
#    with the dense env reward, on the eight tasks, seeds 0 and 1.
sweep sparse --tasks $tasks --rewards env,genreward --seeds 0,1
sweep dense --tasks $tasks --rewards video,fb --seeds 0,1

# 6. Not run yet (beyond the sessions' budget so far): the ablations' second seed.
sweep dense --tasks pick-place --rewards genreward --seeds 0,1 \
  --variants benchmarks/paper_cpu_ablations.json
