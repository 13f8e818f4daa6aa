#!/usr/bin/env bash
# Where Sluice's CPU per query goes: sysbench oltp_point_select through Sluice (its defaults) with a JFR recording
# (CPU-time sampling, JDK 25) during the measured run, after a warm-up. Prints the CPU per query, the split
# between user and kernel time, CPU by thread group (from /proc/<pid>/task/*/stat, so native and GC threads count
# too), then JFR's hottest methods by CPU time, allocation by class, and GC pauses. The recording is kept.
#
#   bench/profile-sluice.sh                       # 32 threads, 20 s recorded
#   THREADS=1 SECONDS_PER_RUN=10 bench/profile-sluice.sh
#   WORKLOAD=cqd THREADS=64 bench/profile-sluice.sh   # connect, SELECT 1, disconnect: CPU per connection
#   WORKLOAD=ro bench/profile-sluice.sh               # oltp_read_only: transactions, range scans
source "$(dirname "$0")/lib.sh"
need sysbench "apt-get install -y sysbench"

THREADS=${THREADS:-32}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-20}
WARMUP=${WARMUP:-10}
JFR_OUT=${JFR_OUT:-/tmp/sluice-profile.$$.jfr}
WORKLOAD=${WORKLOAD:-point}
case "$WORKLOAD" in
  point) test_name=oltp_point_select; unit=query ;;
  ro) test_name=oltp_read_only; unit=query ;;
  cqd) test_name="$BENCH_DIR/connect-query-disconnect.lua"; unit=connection ;;
  *) echo "WORKLOAD is point, ro or cqd" >&2; exit 2 ;;
esac

start_db
start_sluice
common=(--db-driver=mysql --mysql-host=127.0.0.1 --mysql-user="$BENCH_USER" --mysql-password="$BENCH_PASSWORD"
        --mysql-db=bench --tables=4 --table-size=10000 --report-interval=0)
sysbench oltp_point_select "${common[@]}" --mysql-port="$DB_PORT" prepare >/dev/null
sysbench "$test_name" "${common[@]}" --mysql-port="$SLUICE_PORT" --threads="$THREADS" --time="$WARMUP" run >/dev/null

# thread_ticks <pid>: "<thread group> <ticks>" per thread; digits and trailing '-' are cut from names so that
# e.g. all "vert.x-eventloop-thread-N" or "ForkJoinPool-1-worker-N" threads fall into one group.
thread_ticks() {
  for t in /proc/"$1"/task/*; do
    local name; name=$(cat "$t/comm" 2>/dev/null) || continue
    sed 's/.*) //' "$t/stat" 2>/dev/null | awk -v n="$name" '{ gsub(/[0-9]+/, "#", n); print n "\t" $12 + $13 }'
  done
}
stat_fields() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12, $13 }'; }

"$JAVA_HOME/bin/jcmd" "$SLUICE_PID" JFR.start name=profile settings=profile \
  "jdk.CPUTimeSample#enabled=true" "jdk.CPUTimeSample#throttle=2ms" >/dev/null
thread_ticks "$SLUICE_PID" >"$WORK/threads.before"
read -r u0 s0 <<<"$(stat_fields "$SLUICE_PID")"
sysbench "$test_name" "${common[@]}" --mysql-port="$SLUICE_PORT" --threads="$THREADS" --time="$SECONDS_PER_RUN" run >"$WORK/run.out"
read -r u1 s1 <<<"$(stat_fields "$SLUICE_PID")"
thread_ticks "$SLUICE_PID" >"$WORK/threads.after"
"$JAVA_HOME/bin/jcmd" "$SLUICE_PID" JFR.stop name=profile filename="$JFR_OUT" >/dev/null

if [ "$unit" = query ]; then
  queries=$(awk '/^ +queries:/ { print $2 }' "$WORK/run.out")
  qps=$(awk '/^ +queries:/ { gsub(/\(/, "", $3); print $3 }' "$WORK/run.out")
else
  queries=$(awk '/^ +transactions:/ { print $2 }' "$WORK/run.out")
  qps=$(awk '/^ +transactions:/ { gsub(/\(/, "", $3); print $3 }' "$WORK/run.out")
fi
echo "$WORKLOAD through Sluice, $THREADS threads, ${SECONDS_PER_RUN}s: $qps ${unit}s/s"
awk -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v hz="$CLOCK_TICKS" -v n="$queries" -v secs="$SECONDS_PER_RUN" -v unit="$unit" 'BEGIN {
  printf "Sluice CPU: %.1f us per %s (user %.1f, kernel %.1f), %.0f %% of a core on average\n",
    (u + s) * 1e6 / hz / n, unit, u * 1e6 / hz / n, s * 1e6 / hz / n, (u + s) / hz / secs * 100 }'
echo
echo "CPU by thread group (us per $unit):"
awk -F'\t' -v hz="$CLOCK_TICKS" -v n="$queries" '
  NR == FNR { before[$1] += $2; next }
  { after[$1] += $2 }
  END { for (g in after) { d = after[g] - before[g]; if (d > 0) printf "  %8.1f  %s\n", d * 1e6 / hz / n, g } }' \
  "$WORK/threads.before" "$WORK/threads.after" | sort -rn | head -15
for view in cpu-time-hot-methods hot-methods allocation-by-class gc-pauses; do
  echo
  "$JAVA_HOME/bin/jfr" view --width 160 "$view" "$JFR_OUT" 2>&1 | head -32
done
echo
echo "recording: $JFR_OUT"
