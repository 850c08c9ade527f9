#!/usr/bin/env bash
# Set up with the dev extra and run the whole test suite (a real Label Studio server included).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
.venv/bin/python -m pytest "$@"
