#!/usr/bin/env bash
# Transaction pooling under a connection storm, Sluice against MariaDB directly, interleaved:
#  1. 1000 client connections running point selects in a loop, Sluice on a pool of 20:
#     throughput, errors, and how many connections the database saw (Threads_connected).
#  2. The serverless pattern, connect -> one query -> disconnect, 256 at a time: connections per second.
#
#   bench/multiplexing.sh                        # 2 rounds of 10 s each
#   ROUNDS=1 SECONDS_PER_RUN=5 bench/multiplexing.sh
source "$(dirname "$0")/lib.sh"
need sysbench "apt-get install -y sysbench"

ROUNDS=${ROUNDS:-2}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
CLIENTS=${CLIENTS:-1000}
SERVERLESS=${SERVERLESS:-256}

start_db --max-connections=5000
start_sluice -Dsluice.pool.max-size=20 -Dsluice.pool.borrow-timeout=30s
ulimit -n 65536 2>/dev/null || true

common=(--db-driver=mysql --mysql-host=127.0.0.1 --mysql-user="$BENCH_USER" --mysql-password="$BENCH_PASSWORD"
        --mysql-db=bench --tables=4 --table-size=10000 --report-interval=0)
sysbench oltp_point_select "${common[@]}" --mysql-port="$DB_PORT" prepare >/dev/null

storm() { # port -> "qps errors peak_threads_connected"
  local out="$WORK/storm.$1.out"
  sysbench oltp_point_select "${common[@]}" --mysql-port="$1" --threads="$CLIENTS" --time="$SECONDS_PER_RUN" \
    --mysql-ignore-errors=all run >"$out" 2>&1 &
  local pid=$!
  local peak; peak=$(peak_threads_connected "$pid")
  wait "$pid" || true
  local qps errs
  qps=$(awk '/queries:/ { gsub(/\(/, "", $3); print $3 }' "$out")
  errs=$(awk '/ignored errors:/ { print $3 }' "$out")
  echo "${qps:-0} ${errs:-?} $peak"
}

serverless() { # port -> connections per second
  sysbench "$BENCH_DIR/connect-query-disconnect.lua" "${common[@]}" --mysql-port="$1" --threads="$SERVERLESS" \
    --time="$SECONDS_PER_RUN" run 2>&1 | awk '/transactions:/ { gsub(/\(/, "", $3); print $3 }'

}

echo "== $CLIENTS clients, point selects in a loop; Sluice pool max-size 20 =="
printf '%-6s %12s %8s %10s | %12s %8s %10s | %6s\n' round direct_qps errors db_conns sluice_qps errors db_conns ratio
for r in $(seq 1 "$ROUNDS"); do
  read -r dq de dc <<<"$(storm "$DB_PORT")"
  read -r sq se sc <<<"$(storm "$SLUICE_PORT")"
  printf '%-6s %12s %8s %10s | %12s %8s %10s | %6s\n' "$r" "$dq" "$de" "$dc" "$sq" "$se" "$sc" "$(ratio "$sq" "$dq")"
done

echo
echo "== serverless: connect, one query, disconnect; $SERVERLESS at a time =="
printf '%-6s %14s %14s %7s\n' round direct_conn/s sluice_conn/s ratio
for r in $(seq 1 "$ROUNDS"); do
  d=$(serverless "$DB_PORT"); s=$(serverless "$SLUICE_PORT")
  printf '%-6s %14s %14s %7s\n' "$r" "$d" "$s" "$(ratio "$s" "$d")"
done
