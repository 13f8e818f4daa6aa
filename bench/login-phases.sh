#!/usr/bin/env bash
# A connection's first milliseconds, phase by phase (bench/login-phases.py: TCP connect, greeting, authentication,
# first SELECT 1), against MariaDB directly, through HAProxy in TCP mode and through Sluice, interleaved.
#
#   bench/login-phases.sh                  # 3 rounds of 2,000 connections per target
#   ROUNDS=1 COUNT=500 bench/login-phases.sh
source "$(dirname "$0")/lib.sh"

ROUNDS=${ROUNDS:-3}
COUNT=${COUNT:-2000}

start_db
start_sluice
start_haproxy

echo "login phases, ${COUNT} connections per run (means over the second half, in µs), ${ROUNDS} interleaved rounds"
for r in $(seq 1 "$ROUNDS"); do
  for target in direct haproxy sluice; do
    case $target in direct) port=$DB_PORT ;; haproxy) port=$HAPROXY_PORT ;; sluice) port=$SLUICE_PORT ;; esac
    printf '%-8s round %s  %s\n' "$target" "$r" \
      "$("$PYTHON" "$BENCH_DIR/login-phases.py" --port "$port" --user "$BENCH_USER" --password "$BENCH_PASSWORD" --count "$COUNT")"
  done
done
