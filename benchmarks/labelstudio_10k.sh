#!/usr/bin/env bash
# Label Studio at 10k tasks (BENCHMARKS.md "Label Studio at 10k tasks"): push with predictions on the fast
# path and on the fallback, then a full pull, 1 % of the tasks changed, an incremental pull and a full pull
# of a copy, whose annotation files must be the same. Each run prints `uptime` before and after.
#
#   peacetalks synth --docs 10000 --out /tmp/s10k-ls --seed 1
#   bash benchmarks/labelstudio_10k.sh /tmp/s10k-ls /tmp/lsbench      # work folder: made, must not exist
#   PUSH_PAIR=1 bash benchmarks/labelstudio_10k.sh /tmp/s10k-ls /tmp/lspair   # only the two push paths, side by side
set -euo pipefail
SOURCE=${1:?synthetic root}
WORK=${2:?work folder (must not exist)}
CHANGED=${3:-100}  # tasks changed between the pulls: 1 % of 10k
REPO=$(cd "$(dirname "$0")/.." && pwd)
PT="$REPO/.venv/bin/peacetalks"
PY="$REPO/.venv/bin/python"
TEMPLATE=${LS_TEMPLATE:-$HOME/.cache/peacetalks/ls-template-1.23.2}  # a migrated data dir made by the test fixture
export LABEL_STUDIO_USERNAME=admin@peacetalks.test LABEL_STUDIO_PASSWORD=peacetalks-admin-pass
export LABEL_STUDIO_USER_TOKEN=peacetalks-test-token-0123456789 LABEL_STUDIO_API_KEY=peacetalks-test-token-0123456789

mkdir "$WORK"
export PEACETALKS_PSEUDONYM_KEY="$WORK/pseudonym.key"  # one key for the root and its copy: the same pseudonyms
cp -r "$SOURCE" "$WORK/root"
free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start() {  # start NAME [ENV=VALUE...]: a server on a copy of the template; sets URL and PID
  local name=$1; shift
  cp -r "$TEMPLATE" "$WORK/$name"
  local port; port=$(free_port)
  env "$@" "$PT" labelstudio start --data-dir "$WORK/$name" --port "$port" > "$WORK/$name.out" 2>&1 &
  PID=$!
  until grep -q "export LABEL_STUDIO_URL" "$WORK/$name.out"; do sleep 1; kill -0 "$PID"; done
  URL=$(sed -n 's/^export LABEL_STUDIO_URL=//p' "$WORK/$name.out")
}

run() {  # run LABEL COMMAND...: wall time, CPU and max RSS of one command, with the load before and after
  echo "== $1"; shift
  echo "load before: $(uptime)"
  /usr/bin/time -o "$WORK/time" -f "wall %e s, user %U s, sys %S s, max RSS %M KB" "$@" 2> "$WORK/stderr" || true
  tail -c 300 "$WORK/stderr" | tr '\r' '\n' | tail -1
  cat "$WORK/time"
  echo "load after: $(uptime)"
}

if [ -n "${PUSH_PAIR:-}" ]; then  # the two push paths side by side: both servers up, pushes alternated, two rounds
  start fast; FAST_URL=$URL FAST_PID=$PID
  start inline fflag_fix_back_4620_memory_efficient_predictions_import_08012025_short=false; INLINE_URL=$URL INLINE_PID=$PID
  for round in 1 2; do
    LABEL_STUDIO_URL=$FAST_URL run "round $round: push with predictions, /import/predictions" "$PT" labelstudio push --root "$WORK/root" --project "pair$round"
    LABEL_STUDIO_URL=$INLINE_URL run "round $round: push with predictions, inline" "$PT" labelstudio push --root "$WORK/root" --project "pair$round"
  done
  kill -TERM "$FAST_PID" "$INLINE_PID"; wait || true
  exit 0
fi

start fast
export LABEL_STUDIO_URL=$URL
run "push, 10k tasks with predictions, fast path (fresh project)" "$PT" labelstudio push --root "$WORK/root" --project final
grep -c 'import/predictions HTTP/1.1" 201' "$WORK/fast/server.log" | sed 's/^/prediction imports through \/import\/predictions: /'
run "push again, nothing changed" "$PT" labelstudio push --root "$WORK/root" --project final
run "push --with-annotations --no-predictions (fresh project)" "$PT" labelstudio push --root "$WORK/root" --project pullbench --with-annotations --no-predictions
run "pull, first (full: no record yet)" "$PT" labelstudio pull --root "$WORK/root" --project pullbench
du -sh "$WORK/fast/export" | sed 's/^/server export folder after the full pull: /'
cp -r "$WORK/root" "$WORK/twin"
run "pull again, nothing changed (incremental)" "$PT" labelstudio pull --root "$WORK/root" --project pullbench
"$PY" "$REPO/benchmarks/labelstudio_change.py" "$URL" pullbench "$CHANGED"
run "pull, 1 % changed (incremental)" "$PT" labelstudio pull --root "$WORK/root" --project pullbench
run "pull --full of the copy, same changes" "$PT" labelstudio pull --root "$WORK/twin" --project pullbench --full
diff -r "$WORK/root/annotations" "$WORK/twin/annotations" && echo "annotations/: incremental pull = full pull (byte for byte)"
du -sh "$WORK/fast/export" | sed 's/^/server export folder at the end: /'
kill -TERM "$PID"; wait "$PID" || true

start inline fflag_fix_back_4620_memory_efficient_predictions_import_08012025_short=false
export LABEL_STUDIO_URL=$URL
run "push, 10k tasks with predictions, fallback (server without the flag)" "$PT" labelstudio push --root "$WORK/root" --project final
kill -TERM "$PID"; wait "$PID" || true
