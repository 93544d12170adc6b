#!/usr/bin/env bash
# The reward-quality benchmark's "FB as trained online" term (fb_online): one run per task
# (reach and window-open, the tasks the dense-reward learner solves fastest; seed 0, 8,192 env
# steps) whose FB starts from a random initialisation and trains on the run's own replay for
# all of its steps (the paper's online FB, here trained on 2,000 random and 6,192 agent steps
# rather than on a run's first tenth only; such a run took about 0.1 s per env step, two side
# by side), beside an agent learning from the dense env reward (the FB term at the paper's
# weight, 1e-5, so the agent's data are those of env-only learning); then the benchmark with
# the shipped, retrieved and oracle goals and that FB beside the shipped pretrained one, on
# these tasks (files bench_reward_quality_online_fb*).
# Resumable sweep into sweeps/fb_online: re-run until it ends.
source "$(dirname "$0")/common.sh"
tasks=reach,window-open
bench_sweep sweeps/fb_online 8192 2048 --rewards fb --env-reward dense --tasks "$tasks" \
  --seeds 0 --train.no-fb-pretrained --train.fb-train-steps 8192 --train.reward-scale paper
.venv/bin/python benchmarks/bench_reward_quality.py --fb-runs sweeps/fb_online --tasks "$tasks" \
  --tag online_fb
