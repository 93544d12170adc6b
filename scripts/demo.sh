#!/usr/bin/env bash
# The main job on shipped defaults, until the RL stage lands: record expert episodes, generate a
# goal video with the shipped model from an env seed's first frame, and select its goal frame.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-outputs/demo}
export LD_PRELOAD=${LD_PRELOAD:-/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4}
.venv/bin/genreward collect --tasks door-open,drawer-open --episodes 5 --size 64 --out "$out/demos"
.venv/bin/genreward show "$out/demos/door-open-v3/seed_000000.npz" --out "$out/door-open.gif"
.venv/bin/genreward show "$out/demos/door-open-v3/seed_000000.npz" --out "$out/door-open.png"
.venv/bin/genreward generate --task door-open --seed 0 --out "$out/goal"
.venv/bin/genreward select-goal "$out/goal"
echo "demo: expert episodes in $out/demos (index.jsonl), one as $out/door-open.gif/.png;"
echo "      goal video in $out/goal (goal_video.gif, goal_video.png, goal_frame.png)"
