#!/usr/bin/env bash
# The reward-quality benchmark's "finetuned" goal source: the shipped goal-video model finetuned
# on one task at a time (full finetuning, 300 steps, as in the model card), on 30 expert
# episodes of the task (env seeds 0-29; the benchmark's placements are 1000-1003), then the
# benchmark on those tasks with the shipped and the finetuned models' goal videos. First two
# tasks where the shipped model's videos are poor (drawer-open, pick-out-of-hole) and two
# held-out tasks, then the benchmark's other eleven tasks. Resumable: re-run until it ends
# (finished models are kept).
source "$(dirname "$0")/common.sh"
tasks=drawer-open,pick-out-of-hole,door-close,drawer-close
tasks+=,reach,button-press-topdown,window-open,button-press,door-open,pick-place,bin-picking
tasks+=,shelf-place,window-close,faucet-close,button-press-wall
.venv/bin/genreward collect --size 64 --workers "${WORKERS:-2}" --out data/finetune \
  --tasks "$tasks" --episodes 30 --max-steps 256 --extra-steps 30
for task in ${tasks//,/ }; do
  out=models/finetuned/$task
  if [ -f "$out/manifest.json" ]; then continue; fi
  resume=()
  if [ -d "$out/checkpoints" ]; then resume=(--resume); fi
  .venv/bin/genreward train-video --init src/genreward/assets/goal_video --data data/finetune \
    --tasks "$task" --steps 300 --lr 1e-4 --out "$out" "${resume[@]}"
done
.venv/bin/python benchmarks/bench_reward_quality.py --sources generated,finetuned \
  --finetuned models/finetuned --tasks "$tasks" --tag finetuned
