#!/usr/bin/env bash
# `make run`: start `cleardocket serve` (embedded mode: SQLite + files under CLEARDOCKET_DATA_DIR),
# upload the bundled sample scans, print the URL and one new key per role, then keep serving (Ctrl-C stops).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
SAMPLES=${SAMPLES:-samples/scans}
export CLEARDOCKET_DATA_DIR=${CLEARDOCKET_DATA_DIR:-./data}
export OMP_THREAD_LIMIT=1
CLI=("$PY" -m ocr_service.cli_service)
[ -x .venv/bin/cleardocket ] && .venv/bin/cleardocket serve --help >/dev/null 2>&1 && CLI=(.venv/bin/cleardocket)

declare -A KEYS
for role in uploader reviewer reader admin; do
  KEYS[$role]=$("${CLI[@]}" keys create --role "$role" --name "demo $role $(date +%F)" 2>/dev/null | tail -n 1)
done

mkdir -p "$CLEARDOCKET_DATA_DIR"
"${CLI[@]}" serve --host "$HOST" --port "$PORT" 2>>"$CLEARDOCKET_DATA_DIR/service.log" &
SERVE=$!
trap 'kill -TERM $SERVE 2>/dev/null; wait $SERVE 2>/dev/null' INT TERM EXIT
for _ in $(seq 1 120); do
  curl -fsS "http://$HOST:$PORT/healthz" >/dev/null 2>&1 && break
  kill -0 $SERVE 2>/dev/null || { echo "serve did not start; see $CLEARDOCKET_DATA_DIR/service.log" >&2; exit 1; }
  sleep 0.5
done

BATCH=""
if [ -d "$SAMPLES" ]; then
  # one request per 200 files, streamed by curl from disk
  mapfile -t FILES < <(find "$SAMPLES" -maxdepth 1 -type f \( -iname '*.pdf' -o -iname '*.png' -o -iname '*.jpg' \
                       -o -iname '*.jpeg' -o -iname '*.tif' -o -iname '*.tiff' \) | sort)
  for ((i = 0; i < ${#FILES[@]}; i += 200)); do
    ARGS=()
    for f in "${FILES[@]:i:200}"; do ARGS+=(-F "files=@$f"); done
    BATCH=$(curl -fsS -H "Authorization: Bearer ${KEYS[uploader]}" "${ARGS[@]}" "http://$HOST:$PORT/v1/batches" \
            | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  done
  echo "uploaded ${#FILES[@]} sample scans from $SAMPLES (last batch $BATCH); processing..."
  # Wait until every document is done or failed, then print the summary table of the cases.
  for _ in $(seq 1 600); do
    LEFT=$(curl -fsS -H "Authorization: Bearer ${KEYS[reader]}" "http://$HOST:$PORT/v1/batches/$BATCH" \
           | "$PY" -c 'import json,sys; c=json.load(sys.stdin)["counts"]; print(c.get("queued",0)+c.get("processing",0))')
    [ "$LEFT" = 0 ] && break
    sleep 1
  done
  mkdir -p samples/out
  curl -fsS -H "Authorization: Bearer ${KEYS[reader]}" "http://$HOST:$PORT/v1/exports/cases.jsonl" > samples/out/service-cases.jsonl
  echo
  "$PY" -m ocr_service.summary samples/out/service-cases.jsonl
else
  echo "no sample scans in $SAMPLES yet: upload your own with POST /v1/batches"
fi

cat <<MSG

cleardocket is running at http://$HOST:$PORT  (API docs: http://$HOST:$PORT/docs)
reviewer's desk: http://$HOST:$PORT/review (sign in with the reviewer key)   uploads: /upload   dashboard: /dashboard
keys (shown once; new ones each run):
  uploader  ${KEYS[uploader]}
  reviewer  ${KEYS[reviewer]}
  reader    ${KEYS[reader]}
  admin     ${KEYS[admin]}
try:
  curl -H "Authorization: Bearer ${KEYS[reader]}" http://$HOST:$PORT/v1/batches/$BATCH
  curl -H "Authorization: Bearer ${KEYS[reader]}" http://$HOST:$PORT/v1/exports/cases.csv
logs (JSON lines): $CLEARDOCKET_DATA_DIR/service.log    Ctrl-C stops.
MSG
wait $SERVE
