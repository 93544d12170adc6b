#!/usr/bin/env bash
# The learner benchmark (issue: a learner that solves Meta-World's easier tasks within 100k
# steps on one CPU core): env reward only (dense), as resumable sweeps into sweeps/learner, two
# runs at a time (one core each). Re-run until it ends; finished runs are skipped. Then
# `benchmarks/learner_evidence.py` writes benchmarks/results/learner/.
source "$(dirname "$0")/common.sh"
# Steps 1-11 ran without resets, the default until step 12's results: a step's own
# --train.reset-every comes after this one and wins.
sweep() {  # steps, evaluation interval, then sweep settings
  bench_sweep sweeps/learner "$1" "$2" --rewards env --env-reward dense --train.reset-every 0 \
    "${@:3}"
}

# 1. reach, 30k steps: the learners of learner_agents.json (simba, the original SAC, CrossQ),
#    seeds 0-2.
sweep 30720 1536 --tasks reach --seeds 0,1,2 --variants benchmarks/learner_agents.json

# 2. The 100k-step tasks with the new learner: seed 0, then seeds 1 and 2.
tasks100k=window-open,button-press-topdown,drawer-open,button-press
sweep 102400 5120 --tasks $tasks100k --seeds 0 --train.agent simba --train.variant simba
sweep 102400 5120 --tasks $tasks100k --seeds 1,2 --train.agent simba --train.variant simba

# 3. door-open, the stretch target, at 200k steps.
sweep 204800 10240 --tasks door-open --seeds 0,1,2 --train.agent simba --train.variant simba

# 4. Exploration: pink (temporally correlated) action noise instead of white, where white noise
#    left seeds on a plateau (button-press-topdown seeds 1-2, drawer-open seed 2).
for seed in 2 1 0; do
  sweep 102400 5120 --tasks button-press-topdown,drawer-open --seeds $seed --train.agent simba \
    --train.exploration pink --train.variant simba_pink
done

# 5. Higher exploration: SAC's temperature holds an entropy of 0 per action dimension instead of
#    -1 (--target-entropy 0). (Button-press-topdown seed 1 and drawer-open seed 2, which
#    stalled under both noises, were run first, by hand, with the same settings.)
sweep 102400 5120 --tasks button-press-topdown,drawer-open --seeds 0,1,2 --train.agent simba \
  --train.target-entropy 0 --train.variant simba_entropy0

# 6. CrossQ (BatchNorm critics without target networks, 256 wide) on the 100k-step tasks: first
#    the two where the default learner stalls, then the other two.
for tasks in button-press-topdown,drawer-open window-open,button-press; do
  sweep 102400 5120 --tasks $tasks --seeds 0,1,2 --train.agent crossq --train.variant crossq
done

# 7. Three-step TD targets (--n-step 3) with the default learner: first on the two tasks where
#    it stalls (the reward of a rare success reaches the states before it three times as
#    fast), then on the others (not run yet: on drawer-open it left every seed on the plateau).
nstep=(--train.agent simba --train.n-step 3 --train.variant simba_nstep3)
sweep 102400 5120 --tasks button-press-topdown,drawer-open --seeds 0,1,2 "${nstep[@]}"
sweep 30720 1536 --tasks reach --seeds 0,1,2 "${nstep[@]}"
sweep 102400 5120 --tasks window-open,button-press --seeds 0,1,2 "${nstep[@]}"

# 8. CrossQ on door-open (200k; seeds 0 and 1 run so far).
sweep 204800 10240 --tasks door-open --seeds 0,1,2 --train.agent crossq --train.variant crossq

# 9. Beyond one session's budget (not run yet): the original SAC on the 100k-step tasks.
sweep 102400 5120 --tasks $tasks100k --seeds 0,1,2 --train.agent sac --train.variant sac

# 10. TQC (quantile critics, the highest target quantiles dropped) on simba's networks, on the
#     two tasks where the default learner stalls.
sweep 102400 5120 --tasks button-press-topdown,drawer-open --seeds 0,1,2 --train.agent tqc \
  --train.variant tqc

# 11. Action repeat 2 (each action held for two env steps, as TD-MPC2 runs Meta-World), on the
#     two tasks where the default learner stalls: one update per decision (half the default's
#     updates per env step), then two (the default's; button-press-topdown seeds 0-1 run so far).
repeat=(--train.agent simba --train.action-repeat 2)
sweep 102400 5120 --tasks button-press-topdown,drawer-open --seeds 0,1,2 "${repeat[@]}" \
  --train.variant simba_repeat2
sweep 102400 5120 --tasks button-press-topdown,drawer-open --seeds 0,1,2 "${repeat[@]}" \
  --train.updates-per-step 2 --train.variant simba_repeat2_utd2

# 12. Resets (--reset-every 35000: actor, critics, temperature and optimisers start afresh at
#     35k and 70k env steps and relearn from the kept replay), the default learner otherwise, on
#     the two tasks where it stalls: drawer-open first.
sweep 102400 5120 --tasks drawer-open,button-press-topdown --seeds 0,1,2 --train.agent simba \
  --train.reset-every 35000 --train.variant simba_reset35k

# 13. The same resets on the two 100k-step tasks the default learner solves, to see what they
#     cost there.
sweep 102400 5120 --tasks window-open,button-press --seeds 0,1,2 --train.agent simba \
  --train.reset-every 35000 --train.variant simba_reset35k

# 14. The same resets on door-open (200k steps: five resets), the last task without them.
sweep 204800 10240 --tasks door-open --seeds 0,1,2 --train.agent simba \
  --train.reset-every 35000 --train.variant simba_reset35k

# 15. The paired control of step 12 on drawer-open: step 2's runs without resets, redone on
#     2026-12-07's machine (run there with `genreward train` and the same settings), seeds
#     1, 2, then 0.
sweep 102400 5120 --tasks drawer-open --seeds 1,2,0 --train.agent simba --train.variant simba
