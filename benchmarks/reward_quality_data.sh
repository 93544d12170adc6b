#!/usr/bin/env bash
# Data of the reward-quality benchmark and of the shipped FB model (resumable: re-run until it
# ends; finished episodes are kept). Every dataset index records each file's sha256, checked on
# load.
#   data/quality/<kind>: graded trajectories on placements no shipped model trained on (env
#     seeds 1000-1003), full 256-step episodes: the scripted expert, the expert with Gaussian
#     action noise 0.3 / 0.6 / 1.0, the expert for the first 25 / 50 / 75 % of its steps to
#     success then uniform random actions, and uniform random actions; 15 tasks.
#   data/fb/<kind>: FB pretraining data on the held-in tasks, env seeds 0-9 (placements the
#     goal-video model trained on, never those of data/quality).
set -euo pipefail
cd "$(dirname "$0")/.."
workers=${WORKERS:-2}
heldin=pick-place,pick-out-of-hole,bin-picking,shelf-place,door-open,drawer-open,button-press
heldin=$heldin,window-open,reach,button-press-topdown
heldout=door-close,drawer-close,window-close,faucet-close,button-press-wall
collect() {  # out, then collect options
  local out=$1
  shift
  .venv/bin/genreward collect --size 64 --workers "$workers" --out "$out" "$@"
}
quality() {  # kind, then policy options
  local kind=$1
  shift
  collect "data/quality/$kind" --tasks "$heldin,$heldout" --episodes 4 --seed-start 1000 \
    --max-steps 256 --extra-steps 256 "$@"
}
quality expert
for noise in 0.3 0.6 1.0; do quality "noise$noise" --action-noise "$noise"; done
for fraction in 0.25 0.5 0.75; do quality "prefix$fraction" --expert-fraction "$fraction"; done
quality random --policy random

fb() {  # kind, then policy options
  local kind=$1
  shift
  collect "data/fb/$kind" --tasks "$heldin" --episodes 10 --max-steps 256 "$@"
}
fb expert --extra-steps 30
fb noise0.3 --action-noise 0.3 --extra-steps 30
fb noise1.0 --action-noise 1.0 --extra-steps 30
fb prefix0.5 --expert-fraction 0.5 --extra-steps 30
fb random --policy random
