#!/usr/bin/env bash
# The paper's Meta-World experiment at CPU scale, as resumable sweeps into one folder
# (sweeps/paper_cpu; see README "Results"). Every command skips finished runs and resumes
# interrupted ones: re-run this script until it ends. Budget: 8,192 env steps (32 episodes of
# 256 steps) per run, one CPU per run; each sweep ends by rewriting sweeps/paper_cpu/report.
set -euo pipefail
cd "$(dirname "$0")/.."
tcmalloc=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
if [ -z "${LD_PRELOAD:-}" ] && [ -f "$tcmalloc" ]; then export LD_PRELOAD=$tcmalloc; fi
gr=.venv/bin/genreward
tasks=pick-place,pick-out-of-hole,bin-picking,shelf-place,door-open,drawer-open,button-press,window-open
sweep() {  # env reward (dense or sparse), then sweep settings
  local env_reward=$1
  shift
  $gr sweep --steps 8192 --env-reward "$env_reward" --out sweeps/paper_cpu "$@"
}

# 1. Main grid: env reward alone vs GenReward on the eight tasks, seeds 0 and 1.
sweep dense --tasks $tasks --rewards env,genreward --seeds 0,1

# 2. Ablations on pick-place, seed 0 (the default GenReward and env runs are step 1's): the
#    video-level or FB term alone, the goal frame, FB action selection, alpha and beta x0.1, x10.
sweep dense --tasks pick-place --rewards video,fb --seeds 0
ablate() {  # variant, then --train.* settings
  local variant=$1
  shift
  sweep dense --tasks pick-place --rewards genreward --seeds 0 --train.variant "$variant" "$@"
}
ablate goal-random --train.goal-frame random
ablate goal-last --train.goal-frame last
ablate act-fb --train.act fb
ablate alpha-x0.1 --train.alpha 0.001
ablate alpha-x10 --train.alpha 0.1
ablate beta-x0.1 --train.beta 1e-6
ablate beta-x10 --train.beta 1e-4

# 3. Held-out task door-close (never in the shipped model's training data): goal videos from
#    the shipped model vs from that model finetuned on 30 door-close expert episodes.
if [ ! -f models/ft_door_close/pipeline.json ]; then
  $gr collect --tasks door-close --episodes 30 --size 64 --out data/finetune_door_close
  $gr train-video --data data/finetune_door_close --init src/genreward/assets/goal_video \
    --out models/ft_door_close --steps 300 --lr 1e-4
fi
sweep dense --tasks door-close --rewards env,genreward --seeds 0,1
sweep dense --tasks door-close --rewards genreward --seeds 0,1 \
  --train.video-model models/ft_door_close --train.variant ft-door-close

# 4. Bonuses weighted in: at the paper's alpha and beta the two terms are small against the
#    env reward, so pick-place also runs with alpha 1 and beta 0.01, with the paper's raw-cosine
#    video reward and with the change-from-first-frame form.
ablate scaled --train.alpha 1 --train.beta 0.01
ablate scaled-change --train.alpha 1 --train.beta 0.01 --train.video-mode change

# 5. Beyond this machine's session budget so far: sparse env reward, and the video-only and
#    FB-only rewards on every task.
sweep sparse --tasks $tasks --rewards env,genreward --seeds 0,1
sweep dense --tasks $tasks --rewards video,fb --seeds 0,1
