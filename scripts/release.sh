#!/usr/bin/env bash
# The main job: set up, then build the dataset release from the committed data (no server needed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/peacetalks clean --check
.venv/bin/peacetalks validate
.venv/bin/peacetalks build --out release
