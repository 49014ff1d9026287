#!/usr/bin/env bash
# bench/postfix-compare.sh - the shared Postyard-vs-Postfix comparison (/work/shared/bench, see its README) against a
# fresh Postyard: seeds user001..user100@bench.test on account "bench", starts `node dist/main.js serve` on 127.0.0.1,
# runs the shared run-all.sh with the "Measuring Postyard" settings, stops the server and deletes its data.
#
#   bench/postfix-compare.sh                          # the full comparison, about 12 minutes
#   REPS=3 MESSAGES=2000 bench/postfix-compare.sh     # a quicker look
#   GREETING_DELAY=100 SCENARIOS=conn DISK_MODES=none REPS=3 MESSAGES=2000 bench/postfix-compare.sh
#                                                     # Postyard with a 100 ms pre-greet test on port 25
#
# Needs root, `apt-get install -y postfix` (smtp-source and the Postfix peer) and a built dist/ (npm run build).
# The shared folder is read-only: its scripts are copied into HARNESS_DIR (results/ and scratch/ live there) and the
# results are copied into bench/results/ (git-ignored). Every knob of run-all.sh (REPS, MESSAGES, SESSIONS,
# SCENARIOS, DISK_MODES, QUIESCE, ...) passes through. Own knobs (defaults in brackets):
#   SHARED_BENCH [/work/shared/bench]  HARNESS_DIR [$TMPDIR/postyard-harness]  TARGET_PORT [2525]
#   TARGET_LABEL [postyard, or postyard-pregreet]  GREETING_DELAY [0]  BENCH_USERS [100]  KEEP_DATA [0]
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
SHARED=${SHARED_BENCH:-/work/shared/bench}
WORK=${HARNESS_DIR:-${TMPDIR:-/tmp}/postyard-harness}
PORT=${TARGET_PORT:-2525}
GREETING_DELAY=${GREETING_DELAY:-0}
LABEL=${TARGET_LABEL:-$([ "$GREETING_DELAY" != 0 ] && echo postyard-pregreet || echo postyard)}
USERS=${BENCH_USERS:-100}
KEEP_DATA=${KEEP_DATA:-0}

die() { echo "postfix-compare: $*" >&2; exit 2; }
[ -f "$ROOT/dist/main.js" ] || die "no dist/main.js: run 'npm run build' first"
[ -x "$SHARED/run-all.sh" ] || die "$SHARED/run-all.sh not found (set SHARED_BENCH)"
command -v smtp-source >/dev/null 2>&1 || [ -x /usr/sbin/smtp-source ] ||
  die "smtp-source not found: apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postfix"
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port_open "$PORT" && die "127.0.0.1:$PORT is already in use"

# a writable copy of the harness (refreshed every time; its results/ and scratch/ are kept between runs)
mkdir -p "$WORK"
cp -f "$SHARED"/*.sh "$SHARED"/*.mjs "$SHARED"/README.md "$WORK"/
chmod u+w "$WORK"/*
ln -sfn "$ROOT/node_modules" "$WORK/node_modules"   # run-all.sh checks for node_modules/smtp-server

DATA=$(mktemp -d "${TMPDIR:-/tmp}/postyard-compare-XXXXXX")
LOG=$DATA.log
SERVER_PID=
cleanup() {
  set +e
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID"
    for _ in $(seq 150); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$SERVER_PID" 2>/dev/null && kill -KILL "$SERVER_PID"
    echo "postfix-compare: stopped Postyard (pid $SERVER_PID)"
  fi
  if [ "$KEEP_DATA" = 1 ]; then echo "postfix-compare: kept $DATA (server log $LOG)"; else rm -rf "$DATA" "$LOG"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

node "$HERE/seed.mjs" --data-dir "$DATA" --users "$USERS"

# the other two listeners on ports nobody else is likely to use; loopback only
POSTYARD_DATA_DIR=$DATA POSTYARD_SMTP_HOST=127.0.0.1 POSTYARD_HTTP_HOST=127.0.0.1 \
POSTYARD_SMTP_PORT=$PORT POSTYARD_SUBMISSION_PORT=${SUBMISSION_PORT:-0} POSTYARD_HTTP_PORT=${HTTP_PORT:-0} \
POSTYARD_ADMIN_PASSWORD=bench-admin-1 POSTYARD_HOSTNAME=postyard-bench.invalid POSTYARD_LOG_LEVEL=warn \
POSTYARD_SMTP_GREETING_DELAY=$GREETING_DELAY POSTYARD_POP3_PORT=0 \
  node "$ROOT/dist/main.js" serve > "$LOG" 2>&1 &
SERVER_PID=$!
for i in $(seq 300); do   # bounded: 30 s
  port_open "$PORT" && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$LOG" >&2; die "Postyard exited during start-up"; }
  [ "$i" = 300 ] && { cat "$LOG" >&2; die "Postyard did not listen on 127.0.0.1:$PORT within 30 s"; }
  sleep 0.1
done
echo "postfix-compare: Postyard pid $SERVER_PID on 127.0.0.1:$PORT (greeting delay ${GREETING_DELAY} ms), data $DATA"

before=$(ls "$WORK/results" 2>/dev/null | sort || true)
TARGET_LABEL=$LABEL TARGET_PORT=$PORT TARGET_MAILDIR_ROOT=$DATA/homes/bench/.mailboxes TARGET_LAYOUT='{root}/{email}/new' \
BENCH_USERS=$USERS "$WORK/run-all.sh"

mkdir -p "$HERE/results"
for f in $(ls "$WORK/results" | sort); do
  grep -qxF "$f" <<<"$before" || cp "$WORK/results/$f" "$HERE/results/"
done
echo "postfix-compare: results copied to $HERE/results/"
