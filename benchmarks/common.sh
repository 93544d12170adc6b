# Sourced by the benchmark scripts: strict mode, the repository root as working folder,
# tcmalloc where installed, and `bench_sweep` (a resumable sweep with 20 evaluations a run).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tcmalloc=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
if [ -z "${LD_PRELOAD:-}" ] && [ -f "$tcmalloc" ]; then export LD_PRELOAD=$tcmalloc; fi
bench_sweep() {  # sweep folder, steps, evaluation interval, then sweep settings
  local out=$1 steps=$2 every=$3
  shift 3
  .venv/bin/genreward sweep --steps "$steps" --out "$out" --train.eval-every "$every" \
    --train.gif-episodes 0 "$@"
}
