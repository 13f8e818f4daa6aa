#!/usr/bin/env bash
# Two builds of Sluice side by side in one run, with the direct database and HAProxy interleaved: for a change whose
# effect is smaller than the spread between runs on this shared machine. OLD_ROOT is a checkout (or a copy) of the
# base, packaged (target/quarkus-app); the new build is this checkout's.
#
#   git worktree add /tmp/base <commit> && (cd /tmp/base && ./mvnw -o -q package -DskipTests)
#   OLD_ROOT=/tmp/base bench/compare-builds.sh
#   OLD_ROOT=/tmp/base MEASURES="idle" IDLE_CLIENTS=5000 bench/compare-builds.sh
#
# Measures (MEASURES): ps1, ps32 (sysbench point selects, 1 and 32 threads: queries/s and the proxy's CPU per query),
# cqd64 (connect, SELECT 1, disconnect: connections/s and CPU per connection), idle (IDLE_CLIENTS PyMySQL clients
# logged in and silent, on each build in turn: live heap per client from a class histogram after a full GC, and RSS
# per client IDLE_AFTER seconds after they began connecting).
source "$(dirname "$0")/lib.sh"
need sysbench "apt-get install -y sysbench"
: "${OLD_ROOT:?OLD_ROOT must name the checkout of the base build}"
NEW_ROOT=$ROOT
ROUNDS=${ROUNDS:-2}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-8}
MEASURES=${MEASURES:-ps1 ps32 cqd64}
IDLE_CLIENTS=${IDLE_CLIENTS:-5000}
IDLE_AFTER=${IDLE_AFTER:-18}

start_db
declare -A PORT PID
PORT[direct]=$DB_PORT; PID[direct]=$DB_PID
common=(--db-driver=mysql --mysql-host=127.0.0.1 --mysql-user="$BENCH_USER" --mysql-password="$BENCH_PASSWORD"
        --mysql-db=bench --tables=4 --table-size=10000 --report-interval=0)
sysbench oltp_point_select "${common[@]}" --mysql-port="$DB_PORT" prepare >/dev/null

# start_build <name> <root>: that build's Sluice on a port of its own.
start_build() {
  ROOT=$2 SLUICE_NAME=$1
  SLUICE_PORT=$(free_port)
  start_sluice
  PORT[$1]=$SLUICE_PORT; PID[$1]=$SLUICE_PID
  ROOT=$NEW_ROOT
}

# idle <name>: live heap and RSS per idle client of that build's Sluice.
idle() {
  local pid=${PID[$1]} h0 h1 r0 r1 clients
  h0=$("$JAVA_HOME/bin/jcmd" "$pid" GC.class_histogram | awk 'END { print $3 }')
  r0=$(rss_kib "$pid")
  "$PYTHON" "$BENCH_DIR/idle-clients.py" --port "${PORT[$1]}" --user "$BENCH_USER" --password "$BENCH_PASSWORD" \
    --count "$IDLE_CLIENTS" >"$WORK/idle-$1.out" 2>&1 &
  clients=$!
  sleep "$IDLE_AFTER"
  r1=$(rss_kib "$pid")
  h1=$("$JAVA_HOME/bin/jcmd" "$pid" GC.class_histogram | awk 'END { print $3 }')
  kill "$clients"; wait "$clients" 2>/dev/null || true
  echo "idle $1: live heap $(( (h1 - h0) / IDLE_CLIENTS )) B per client, RSS $(awk -v a="$r0" -v b="$r1" -v n="$IDLE_CLIENTS" 'BEGIN { printf "%.1f", (b - a) / n }') KiB per client; $(head -1 "$WORK/idle-$1.out")"
}

if [[ " $MEASURES " == *" idle "* ]]; then
  # One build at a time, each freshly started: the other's clients would share the machine's memory and cores.
  for build in old new; do
    start_build "$build" "$([ "$build" = old ] && echo "$OLD_ROOT" || echo "$NEW_ROOT")"
    idle "$build"
    stop "${PID[$build]}"
  done
  MEASURES=${MEASURES//idle/}
fi
[ -z "${MEASURES// /}" ] && exit 0

start_haproxy
PORT[haproxy]=$HAPROXY_PORT; PID[haproxy]=$HAPROXY_PID
start_build old "$OLD_ROOT"
start_build new "$NEW_ROOT"
for t in old new; do
  sysbench oltp_point_select "${common[@]}" --mysql-port="${PORT[$t]}" --threads=32 --time=5 run >/dev/null
done
for round in $(seq 1 "$ROUNDS"); do
  for m in $MEASURES; do
    case $m in
      ps1) test=oltp_point_select; threads=1; unit=queries ;;
      ps32) test=oltp_point_select; threads=32; unit=queries ;;
      cqd64) test="$BENCH_DIR/connect-query-disconnect.lua"; threads=64; unit=transactions ;;
      *) echo "unknown measure $m" >&2; exit 2 ;;
    esac
    for t in direct haproxy old new; do
      c0=$(cpu_ticks "${PID[$t]}")
      out=$(sysbench "$test" "${common[@]}" --mysql-port="${PORT[$t]}" --threads="$threads" --time="$SECONDS_PER_RUN" run)
      c1=$(cpu_ticks "${PID[$t]}")
      n=$(awk -v k="$unit:" '$1 == k { print $2 }' <<<"$out")
      rate=$(awk -v k="$unit:" '$1 == k { gsub(/\(/, "", $3); print $3 }' <<<"$out")
      printf 'round %s %-6s %-8s %10s/s  CPU %6.1f us each\n' "$round" "$m" "$t" "$rate" \
        "$(awk -v t=$((c1 - c0)) -v hz="$CLOCK_TICKS" -v n="$n" 'BEGIN { print t * 1e6 / hz / n }')"
    done
  done
done
