#!/usr/bin/env bash
# The paper's Meta-World experiment at CPU scale, as resumable sweeps (see README "Results").
# Every command skips finished runs and resumes interrupted ones: re-run this script until it
# ends. Budget: 8,192 env steps (32 episodes) per run, seeds 0 and 1, one CPU per run.
set -euo pipefail
cd "$(dirname "$0")/.."
tcmalloc=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
if [ -z "${LD_PRELOAD:-}" ] && [ -f "$tcmalloc" ]; then export LD_PRELOAD=$tcmalloc; fi
gr=.venv/bin/genreward
tasks=pick-place,pick-out-of-hole,bin-picking,shelf-place,door-open,drawer-open,button-press,window-open
steps=8192
seeds=0,1

# 1. Main grid: env reward alone vs GenReward first (dense, then sparse), then the video-only
#    and FB-only ablations of GenReward.
$gr sweep --tasks $tasks --rewards env,genreward --env-reward dense --seeds $seeds --steps $steps --out sweeps/paper_cpu
$gr sweep --tasks $tasks --rewards env,genreward --env-reward sparse --seeds $seeds --steps $steps --out sweeps/paper_cpu
$gr sweep --tasks $tasks --rewards video,fb --env-reward dense,sparse --seeds $seeds --steps $steps --out sweeps/paper_cpu

# 2. Ablations of GenReward on pick-place (dense env reward), each a named variant.
ablate() {  # variant, then --train.* settings
  local variant=$1
  shift
  $gr sweep --tasks pick-place --rewards genreward --env-reward dense --seeds $seeds \
    --steps $steps --out sweeps/paper_cpu_ablations --train.variant "$variant" "$@"
}
$gr sweep --tasks pick-place --rewards env,genreward --env-reward dense --seeds $seeds \
  --steps $steps --out sweeps/paper_cpu_ablations
ablate goal-random --train.goal-frame random
ablate goal-last --train.goal-frame last
ablate act-fb --train.act fb
ablate alpha-x0.1 --train.alpha 0.001
ablate alpha-x10 --train.alpha 0.1
ablate beta-x0.1 --train.beta 1e-6
ablate beta-x10 --train.beta 1e-4
