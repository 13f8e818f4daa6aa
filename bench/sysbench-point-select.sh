#!/usr/bin/env bash
# sysbench oltp_point_select at 1 and 32 threads, against MariaDB directly and through Sluice,
# interleaved (direct, Sluice, direct, Sluice, ...) so that machine noise hits both alike.
#
#   bench/sysbench-point-select.sh            # 3 rounds of 10 s per side and thread count
#   ROUNDS=1 SECONDS_PER_RUN=5 bench/sysbench-point-select.sh
source "$(dirname "$0")/lib.sh"
need sysbench "apt-get install -y sysbench"

ROUNDS=${ROUNDS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
THREADS=${THREADS:-"1 32"}

start_db
start_sluice -Dsluice.pool.max-size=40

common=(--db-driver=mysql --mysql-host=127.0.0.1 --mysql-user="$BENCH_USER" --mysql-password="$BENCH_PASSWORD"
        --mysql-db=bench --tables=4 --table-size=100000)
sysbench oltp_point_select "${common[@]}" --mysql-port="$DB_PORT" prepare >/dev/null

qps() { # port threads
  sysbench oltp_point_select "${common[@]}" --mysql-port="$1" --threads="$2" --time="$SECONDS_PER_RUN" \
    --report-interval=0 run | awk '/queries:/ { gsub(/\(/, "", $3); print $3 }'
}

echo "sysbench oltp_point_select, ${SECONDS_PER_RUN}s runs, ${ROUNDS} interleaved rounds"
printf '%-8s %-6s %12s %12s %7s\n' threads round direct_qps sluice_qps ratio
for t in $THREADS; do
  sum_d=0; sum_s=0
  for r in $(seq 1 "$ROUNDS"); do
    d=$(qps "$DB_PORT" "$t"); s=$(qps "$SLUICE_PORT" "$t")
    printf '%-8s %-6s %12s %12s %7s\n' "$t" "$r" "$d" "$s" "$(ratio "$s" "$d")"
    sum_d=$(awk -v a="$sum_d" -v b="$d" 'BEGIN { print a + b }'); sum_s=$(awk -v a="$sum_s" -v b="$s" 'BEGIN { print a + b }')
  done
  printf '%-8s %-6s %12.0f %12.0f %7s\n' "$t" mean "$(awk -v a="$sum_d" -v n="$ROUNDS" 'BEGIN { print a / n }')" \
    "$(awk -v a="$sum_s" -v n="$ROUNDS" 'BEGIN { print a / n }')" "$(ratio "$sum_s" "$sum_d")"
done
