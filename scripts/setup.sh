#!/usr/bin/env bash
# Create .venv (if missing) and install the package with pinned versions.
#   bash scripts/setup.sh        # the main job only: no Label Studio server
#   bash scripts/setup.sh dev    # everything the tests need (Label Studio, pytest, hypothesis)
set -euo pipefail
cd "$(dirname "$0")/.."
extra="${1:-}"
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
target="."
[ -n "$extra" ] && target=".[$extra]"
.venv/bin/python -m pip install --quiet -c scripts/constraints.txt -e "$target"
