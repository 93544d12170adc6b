#!/usr/bin/env bash
# The RL check of the reward work: does GenReward help a learner where the env reward alone is
# sparse (1 on success)? env-only against GenReward (the paper's video and FB terms, shipped
# pretrained FB) and against goal-video progress alone, both with the auto scale; the default
# learner; resumable sweeps into sweeps/reward_check, two runs at a time (one core each).
# Re-run until it ends; then benchmarks/reward_check_evidence.py writes
# benchmarks/results/reward_check/.
set -euo pipefail
cd "$(dirname "$0")/.."
tcmalloc=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
if [ -z "${LD_PRELOAD:-}" ] && [ -f "$tcmalloc" ]; then export LD_PRELOAD=$tcmalloc; fi
sweep() {  # steps, evaluation interval (20 evaluations a run), then sweep settings
  local steps=$1 every=$2
  shift 2
  .venv/bin/genreward sweep --rewards env,genreward,progress --env-reward sparse \
    --steps "$steps" --out sweeps/reward_check --train.reward-scale auto \
    --train.eval-every "$every" --train.gif-episodes 0 "$@"
}
# 1. reach, 30k steps, seeds 0-2.
sweep 30720 1536 --tasks reach --seeds 0,1,2
# 2. button-press-topdown, half the learner benchmark's budget, seed 0 (what one session's
#    CPU time allowed).
sweep 51200 2560 --tasks button-press-topdown --seeds 0
# 3. Not run yet: seeds 1 and 2 of button-press-topdown, window-open and drawer-open.
sweep 51200 2560 --tasks button-press-topdown --seeds 1,2
sweep 51200 2560 --tasks window-open,drawer-open --seeds 0,1,2
