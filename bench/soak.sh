#!/usr/bin/env bash
# Load and soak: thousands of concurrent client connections on a pool of 20 for a long run. Prints, every
# SAMPLE seconds, Sluice's resident memory, threads and open file descriptors, and at the end sysbench's
# errors: memory should be flat after warm-up, threads and descriptors should not grow.
#
#   bench/soak.sh                          # 5000 clients for 10 minutes
#   CLIENTS=1000 SECONDS_TOTAL=60 bench/soak.sh
source "$(dirname "$0")/lib.sh"
need sysbench "apt-get install -y sysbench"

CLIENTS=${CLIENTS:-5000}
SECONDS_TOTAL=${SECONDS_TOTAL:-600}
SAMPLE=${SAMPLE:-10}
ulimit -n 65536 2>/dev/null || true

start_db --max-connections=500
start_sluice -Dsluice.pool.max-size=20 -Dsluice.pool.borrow-timeout=60s -Xmx512m

common=(--db-driver=mysql --mysql-host=127.0.0.1 --mysql-user="$BENCH_USER" --mysql-password="$BENCH_PASSWORD"
        --mysql-db=bench --tables=4 --table-size=10000 --report-interval=0)
sysbench oltp_point_select "${common[@]}" --mysql-port="$DB_PORT" prepare >/dev/null

sysbench oltp_point_select "${common[@]}" --mysql-port="$SLUICE_PORT" --threads="$CLIENTS" --time="$SECONDS_TOTAL" \
  --mysql-ignore-errors=all run >"$WORK/soak.out" 2>&1 &
load=$!

echo "soak: $CLIENTS clients, pool 20, ${SECONDS_TOTAL}s"
printf '%8s %12s %8s %6s %14s %12s\n' seconds rss_mib threads fds client_conns db_conns
t=0
while kill -0 "$load" 2>/dev/null; do
  rss=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' /proc/$SLUICE_PID/status)
  threads=$(awk '/Threads/ {print $2}' /proc/$SLUICE_PID/status)
  fds=$(ls /proc/$SLUICE_PID/fd | wc -l)
  clients=$(ss -tn state established "( sport = :$SLUICE_PORT )" 2>/dev/null | tail -n +2 | wc -l)
  dbconns=$(mariadb -h127.0.0.1 -P"$DB_PORT" -uroot -N -e "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = '$BENCH_USER'" 2>/dev/null)
  printf '%8s %12s %8s %6s %14s %12s\n' "$t" "$rss" "$threads" "$fds" "$clients" "$dbconns"
  sleep "$SAMPLE"; t=$((t + SAMPLE))
done
wait "$load" || true
grep -E "queries:|ignored errors:|reconnects:" "$WORK/soak.out"
