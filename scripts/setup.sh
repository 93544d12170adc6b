#!/usr/bin/env bash
# Set up genreward on a fresh Debian/Ubuntu machine: the Debian packages for headless MuJoCo
# rendering, a virtual environment in .venv with the pinned CPU build of PyTorch, and the
# project with pinned dependencies. Safe to re-run: finished steps are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

# chromium: headless screenshots that check the HTML report renders in a real browser.
DEBS=(libegl1 libegl-mesa0 libgl1-mesa-dri libosmesa6 libtcmalloc-minimal4 chromium)
PYTHON=${PYTHON:-python3}
VENV=.venv
TORCH_VERSION=2.13.0

missing=()
for pkg in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=(); elif command -v sudo >/dev/null; then SUDO=(sudo); else
    echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1
  fi
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
  echo "setup: genreward needs Python >= 3.10; set PYTHON=/path/to/python3.x" >&2; exit 1
fi
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"

stamp="$VENV/.genreward-setup"
want=$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  "$VENV/bin/python" -m pip install -q --upgrade pip
  # The CPU build first: an unpinned torch requirement would otherwise pull a CUDA build.
  "$VENV/bin/python" -c "import torch, sys; sys.exit(torch.__version__.split('+')[0] != '$TORCH_VERSION')" 2>/dev/null \
    || "$VENV/bin/python" -m pip install -q "torch==$TORCH_VERSION"
  "$VENV/bin/python" -m pip install -q -c constraints.txt -e ".[dev,sb3]"
  echo "$want" > "$stamp"
fi
echo "setup: ready ($VENV)"
