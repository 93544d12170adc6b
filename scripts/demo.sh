#!/usr/bin/env bash
# The main job on shipped defaults: record a few expert episodes and turn one into a GIF.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-outputs/demo}
.venv/bin/genreward collect --tasks door-open,drawer-open --episodes 5 --size 64 --out "$out/demos"
.venv/bin/genreward show "$out/demos/door-open-v3/seed_000000.npz" --out "$out/door-open.gif"
.venv/bin/genreward show "$out/demos/door-open-v3/seed_000000.npz" --out "$out/door-open.png"
echo "demo: dataset in $out/demos (index.jsonl), pictures in $out/door-open.gif and $out/door-open.png"
