#!/usr/bin/env bash
# Set up with the dev extra and run the whole test suite (a real Label Studio server included).
set -euo pipefail
cd "$(dirname "$0")/.."
# The browser test drives Debian's headless Chromium; install it once when we may (root, package missing).
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    apt-get update && apt-get install -y chromium chromium-driver
fi
bash scripts/setup.sh dev
.venv/bin/python -m pytest "$@"
