#!/usr/bin/env bash
# The learner benchmark (issue: a learner that solves Meta-World's easier tasks within 100k
# steps on one CPU core): env reward only (dense), as resumable sweeps into sweeps/learner, two
# runs at a time (one core each). Re-run until it ends; finished runs are skipped. Then
# `benchmarks/learner_evidence.py` writes benchmarks/results/learner/.
source "$(dirname "$0")/common.sh"
sweep() {  # steps, evaluation interval, then sweep settings
  bench_sweep sweeps/learner "$1" "$2" --rewards env --env-reward dense "${@:3}"
}

# 1. reach, 30k steps: the new learner (simba) against the original SAC, seeds 0-2.
sweep 30720 1536 --tasks reach --seeds 0,1,2 --variants benchmarks/learner_agents.json

# 2. The 100k-step tasks with the new learner: seed 0, then seeds 1 and 2.
tasks100k=window-open,button-press-topdown,drawer-open,button-press
sweep 102400 5120 --tasks $tasks100k --seeds 0 --train.agent simba --train.variant simba
sweep 102400 5120 --tasks $tasks100k --seeds 1,2 --train.agent simba --train.variant simba

# 3. Beyond one session's budget: the original SAC on the 100k-step tasks (not run yet), and
#    door-open (the stretch target) at 200k steps (seed 0 done; seeds 1 and 2 not run yet).
sweep 102400 5120 --tasks $tasks100k --seeds 0,1,2 --train.agent sac --train.variant sac
sweep 204800 10240 --tasks door-open --seeds 0,1,2 --train.agent simba --train.variant simba
