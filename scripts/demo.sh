#!/usr/bin/env bash
# The main job on the shipped defaults: `genreward demo` (goal videos, goal frames, a GenReward
# agent and an env-reward-only agent on one task, and the report). Extra arguments go to it.
set -euo pipefail
cd "$(dirname "$0")/.."
# tcmalloc makes torch on the CPU several times faster (scripts/setup.sh installs it).
tcmalloc=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
if [ -z "${LD_PRELOAD:-}" ] && [ -f "$tcmalloc" ]; then export LD_PRELOAD=$tcmalloc; fi
exec .venv/bin/genreward demo "$@"
