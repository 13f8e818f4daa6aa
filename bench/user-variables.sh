#!/usr/bin/env bash
# User variables without pinning: 1000 clients each set two user variables, then loop point selects that read
# one back, through Sluice on a pool of 20 -- once with sluice.pinning.user-variables=capture (the default: the
# values follow each client from backend to backend) and once with =pin (RDS Proxy's behaviour: a client that
# sets a user variable keeps its backend until it disconnects).
# Reported per mode: selects per second, errors (a client that never got a backend), wrong values read back,
# and the most connections the database saw.
#
#   bench/user-variables.sh                     # 30 s per mode
#   SECONDS_PER_RUN=10 CLIENTS=200 bench/user-variables.sh
source "$(dirname "$0")/lib.sh"
need sysbench "apt-get install -y sysbench"

SECONDS_PER_RUN=${SECONDS_PER_RUN:-30}
CLIENTS=${CLIENTS:-1000}
POOL=${POOL:-20}
BORROW_TIMEOUT=${BORROW_TIMEOUT:-5s}

start_db --max-connections=5000
ulimit -n 65536 2>/dev/null || true
common=(--db-driver=mysql --mysql-host=127.0.0.1 --mysql-user="$BENCH_USER" --mysql-password="$BENCH_PASSWORD"
        --mysql-db=bench --tables=1 --table-size=10000 --report-interval=0)
sysbench oltp_point_select "${common[@]}" --mysql-port="$DB_PORT" prepare >/dev/null

run_mode() { # mode -> one line of results
  local mode=$1 out="$WORK/uv.$1.out"
  start_sluice -Dsluice.pool.max-size="$POOL" -Dsluice.pool.borrow-timeout="$BORROW_TIMEOUT" -Dsluice.pinning.user-variables="$mode"
  sysbench "$BENCH_DIR/user-variables.lua" "${common[@]}" --mysql-port="$SLUICE_PORT" --threads="$CLIENTS" \
    --time="$SECONDS_PER_RUN" run >"$out" 2>&1 &
  local pid=$!
  local peak; peak=$(peak_threads_connected "$pid")
  wait "$pid" || true
  kill "$SLUICE_PID" 2>/dev/null || true
  wait "$SLUICE_PID" 2>/dev/null || true
  awk -v mode="$mode" -v secs="$SECONDS_PER_RUN" -v peak="$peak" -v clients="$CLIENTS" '
    /^CLIENT / { n++; split($2, a, "="); split($3, b, "="); split($4, c, "=");
                 served += a[2]; errors += b[2]; wrong += c[2]; if (a[2] > 0) busy++ }
    END { printf "%-8s %10.0f %10d %8d %16s %12d\n", mode, served / secs, errors, wrong, busy "/" clients, peak - 1 }' "$out"
}

echo "== $CLIENTS clients: SET two user variables, then point selects reading one back; pool max-size $POOL, borrow timeout $BORROW_TIMEOUT, ${SECONDS_PER_RUN} s each =="
printf '%-8s %10s %10s %8s %16s %12s\n' mode selects/s errors wrong clients_served db_conns
run_mode capture
run_mode pin
