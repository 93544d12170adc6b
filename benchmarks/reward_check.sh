#!/usr/bin/env bash
# The RL check of the reward work: does GenReward help a learner where the env reward alone is
# sparse (1 on success)? env-only against GenReward (the paper's video and FB terms, shipped
# pretrained FB) and against goal-video progress alone, both with the auto scale; the default
# learner; resumable sweeps into sweeps/reward_check, two runs at a time (one core each).
# Re-run until it ends; then benchmarks/reward_check_evidence.py writes
# benchmarks/results/reward_check/.
source "$(dirname "$0")/common.sh"
sweep() {  # steps, evaluation interval, then sweep settings
  bench_sweep sweeps/reward_check "$1" "$2" --rewards env,genreward,progress \
    --env-reward sparse --train.reward-scale auto "${@:3}"
}

# 1. reach, 30k steps, seeds 0-2.
sweep 30720 1536 --tasks reach --seeds 0,1,2
# 2. window-open (the learner benchmark's fastest 100k task on the dense reward), half that
#    budget, seeds 0-2.
sweep 51200 2560 --tasks window-open --seeds 0,1,2
# 3. button-press-topdown, then drawer-open.
sweep 51200 2560 --tasks button-press-topdown,drawer-open --seeds 0,1,2
# 4. drawer-open with goal videos from the shipped model finetuned on drawer-open (run
#    benchmarks/reward_quality_finetune.sh first): GenReward and progress.
bench_sweep sweeps/reward_check 51200 2560 --rewards progress,genreward --env-reward sparse \
  --train.reward-scale auto --tasks drawer-open --seeds 0,1,2 \
  --train.video-model models/finetuned/drawer-open --train.variant finetuned
# 5. GenReward with goal videos from the models finetuned on window-open and on
#    button-press-topdown, the two tasks whose combined reward gained most VOC from them
#    (0.05 -> 0.71 and 0.65 -> 0.90): one sweep per task, the two side by side (one core each).
for task in window-open button-press-topdown; do
  bench_sweep sweeps/reward_check 51200 2560 --rewards genreward --env-reward sparse \
    --train.reward-scale auto --tasks $task --seeds 0,1,2 --max-cpus 1 \
    --train.video-model models/finetuned/$task --train.variant finetuned &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
# 6. The dense env reward with auto-scaled GenReward, on the two tasks where the dense reward
#    alone leaves seeds on a plateau of the shaped reward (the learner benchmark's default
#    learner, whose runs in sweeps/learner are the env-only baseline), at its 100k budget.
bench_sweep sweeps/reward_check 102400 5120 --rewards genreward --env-reward dense \
  --train.reward-scale auto --tasks button-press-topdown,drawer-open --seeds 0,1,2
# 7. window-open, sparse: GenReward with the shipped FB whose F reads the state (shipped since
#    2026-12-07; steps 1-6 ran with the earlier one, whose F read psi), its own sweep folder;
#    then benchmarks/reward_check_evidence.py --sweep sweeps/reward_check_fb_state
#    --out reward_check_fb_state.
bench_sweep sweeps/reward_check_fb_state 51200 2560 --rewards genreward --env-reward sparse \
  --train.reward-scale auto --tasks window-open --seeds 0,1,2
