#!/usr/bin/env bash
# The data plane benchmark of issue 14: MariaDB directly, through HAProxy in TCP mode, and through Sluice with its
# defaults (the packaged jar), measured in the same rounds in rotating order, so machine noise hits all alike.
# Prints the raw numbers of each run, then Markdown tables of means and of ratios to direct (per round, then mean).
#
#   ps1    sysbench oltp_point_select, 1 thread
#   ps32   sysbench oltp_point_select, 32 threads
#   ro32   sysbench oltp_read_only, 32 threads
#   c1000  1,000 clients looping point selects: qps and p95 latency (Sluice on its default pool of 20)
#   cqd64  connect, SELECT 1, disconnect, 64 clients at a time (bench/connect-query-disconnect.lua)
#   idle   5,000 idle logged-in clients (bench/idle-clients.py): RSS per client and CPU while idle, for Sluice and
#          HAProxy, each on a freshly started process before any load
# For every run the CPU time (utime + stime from /proc/<pid>/stat) of the proxy and of MariaDB is read before and
# after and divided by the queries sysbench served (connections, for cqd64).
#
#   bench/dataplane.sh                                  # 2 rounds of 10 s runs, all measures: about 13 minutes
#   ROUNDS=1 SECONDS_PER_RUN=5 MEASURES="ps1 ps32" bench/dataplane.sh
#   TLS=1 bench/dataplane.sh                            # also Sluice with TLS to the backend, and direct over TLS
#                                                       # (ps1, ps32, ro32 only), about 5 minutes more
#
# Knobs: ROUNDS (2), SECONDS_PER_RUN (10), MEASURES (all of the above), TLS (0), WARMUP seconds per target (30),
# IDLE_CLIENTS (5000), SETTLE seconds after the last login (10), IDLE_SECONDS (10), TABLE_SIZE rows in each of
# 4 tables (100000), SLUICE_OPTS (extra -D options for every Sluice, e.g. to try a setting), REBUILD=1 (package
# the jar first). Results stay in RESULTS (a TSV file; default: a temp file, printed path) for later reports.
source "$(dirname "$0")/lib.sh"
need sysbench "apt-get install -y sysbench"
need curl "apt-get install -y curl"
"$PYTHON" -c 'import pymysql' 2>/dev/null || { echo "pymysql is missing: apt-get install -y python3-pymysql" >&2; exit 1; }

# The command as run, with every knob given: printed with the results so that they can be reproduced.
COMMAND="bench/dataplane.sh"
for knob in SLUICE_OPTS TABLE_SIZE IDLE_SECONDS SETTLE IDLE_CLIENTS WARMUP TLS MEASURES SECONDS_PER_RUN ROUNDS; do
  [ -n "${!knob:-}" ] && COMMAND="$knob=\"${!knob}\" $COMMAND"
done
ROUNDS=${ROUNDS:-2}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
MEASURES=${MEASURES:-"ps1 ps32 ro32 c1000 cqd64 idle"}
TLS=${TLS:-0}
# 30 s: the JVM's compilers are still busy 10-15 s into load (0.5-2 s of a core per second of it, measured per
# thread from /proc), and their CPU would count as Sluice's per query. A sidecar runs warm; the native image has no JIT.
WARMUP=${WARMUP:-30}
IDLE_CLIENTS=${IDLE_CLIENTS:-5000}
SETTLE=${SETTLE:-10}
IDLE_SECONDS=${IDLE_SECONDS:-10}
TABLE_SIZE=${TABLE_SIZE:-100000}
RESULTS=${RESULTS:-$(mktemp /tmp/sluice-dataplane.XXXXXX.tsv)}

has_measure() { [[ " $MEASURES " == *" $1 "* ]]; }

raise_fd_limit
echo "# $COMMAND"
echo "# $(date -u +%FT%TZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), results in $RESULTS"

# --- servers -----------------------------------------------------------------------------------------------------
db_args=(--max-connections=$((IDLE_CLIENTS + 1000)))
if [ "$TLS" = 1 ]; then
  # A CA, a server certificate for 127.0.0.1, and the client files sysbench's --mysql-ssl=on reads from its working
  # directory (client-key.pem, client-cert.pem, cacert.pem).
  need openssl "apt-get install -y openssl"
  CERTS=$WORK/certs
  mkdir -p "$CERTS"
  (
    cd "$CERTS"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Sluice bench CA" -keyout ca-key.pem -out cacert.pem
    for who in server client; do
      openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$who-key.pem" -out "$who.csr"
      printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$who.ext"
      openssl x509 -req -in "$who.csr" -CA cacert.pem -CAkey ca-key.pem -CAcreateserial -days 2 \
        -extfile "$who.ext" -out "$who-cert.pem"
    done
  ) >"$WORK/certs.log" 2>&1
  db_args+=(--ssl-cert="$CERTS/server-cert.pem" --ssl-key="$CERTS/server-key.pem" --ssl-ca="$CERTS/cacert.pem")
fi
start_db "${db_args[@]}"

common=(--db-driver=mysql --mysql-host=127.0.0.1 --mysql-user="$BENCH_USER" --mysql-password="$BENCH_PASSWORD"
        --mysql-db=bench --tables=4 --table-size="$TABLE_SIZE" --report-interval=0)
echo "# preparing 4 tables of $TABLE_SIZE rows"
sysbench oltp_read_only "${common[@]}" --mysql-port="$DB_PORT" --threads=4 prepare >"$WORK/prepare.log"

start_haproxy
start_sluice                                    # Sluice with its defaults: pool 20, affinity 250 ms, ...
SLUICE_PORT_PLAIN=$SLUICE_PORT
declare -A PORT=([direct]=$DB_PORT [haproxy]=$HAPROXY_PORT [sluice]=$SLUICE_PORT)
declare -A PROXY_PID=([direct]=$DB_PID [haproxy]=$HAPROXY_PID [sluice]=$SLUICE_PID)
declare -A SSL=([direct]=off [haproxy]=off [sluice]=off)
TARGETS=(direct haproxy sluice)
if [ "$TLS" = 1 ]; then
  SLUICE_PORT=$(free_port); SLUICE_NAME=sluice-tls
  start_sluice -Dsluice.backend.tls.mode=required
  PORT[sluice-tls]=$SLUICE_PORT; PROXY_PID[sluice-tls]=$SLUICE_PID; SSL[sluice-tls]=off
  PORT[direct-tls]=$DB_PORT; PROXY_PID[direct-tls]=$DB_PID; SSL[direct-tls]=on
  TARGETS+=(direct-tls sluice-tls)
fi

# --- one run -------------------------------------------------------------------------------------------------------
# record <round> <measure> <target> <key> <value>
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RESULTS"; }

# sysbench_run <round> <measure> <target> <sysbench test or script> <threads> [extra sysbench options...]
sysbench_run() {
  local round=$1 measure=$2 target=$3 test=$4 threads=$5
  shift 5
  local out="$WORK/run.$round.$measure.$target.out"
  local proxy=${PROXY_PID[$target]}
  local p0 d0 j0 p1 d1 j1
  p0=$(cpu_ticks "$proxy"); d0=$(cpu_ticks "$DB_PID"); j0=$(jit_ticks "$proxy")
  # sysbench --mysql-ssl=on reads its key and certificates from the working directory.
  (cd "${CERTS:-$WORK}" && sysbench "$test" "${common[@]}" --mysql-port="${PORT[$target]}" --mysql-ssl="${SSL[$target]}" \
    --threads="$threads" --time="$SECONDS_PER_RUN" --percentile=95 "$@" run) >"$out" 2>&1 || true
  p1=$(cpu_ticks "$proxy"); d1=$(cpu_ticks "$DB_PID"); j1=$(jit_ticks "$proxy")
  local queries qps events eps p95 errors
  queries=$(awk '/^ +queries:/ { print $2 }' "$out")
  qps=$(awk '/^ +queries:/ { gsub(/\(/, "", $3); print $3 }' "$out")
  events=$(awk '/^ +transactions:/ { print $2 }' "$out")
  eps=$(awk '/^ +transactions:/ { gsub(/\(/, "", $3); print $3 }' "$out")
  p95=$(awk '/95th percentile:/ { print $3 }' "$out")
  errors=$(awk '/^ +ignored errors:/ { print $3 }' "$out")
  if [ -z "$queries" ]; then
    echo "run $round $measure $target failed; the end of sysbench's output:" >&2
    tail -5 "$out" >&2
    record "$round" "$measure" "$target" failed 1
    return 0
  fi
  # Per query for the statement benchmarks; per connection (sysbench event) for connect-query-disconnect.
  local ops=$queries rate=$qps
  if [ "$measure" = cqd64 ]; then ops=$events; rate=$eps; fi
  local proxy_us db_us jit_us
  jit_us=$(awk -v t=$((j1 - j0)) -v hz="$CLOCK_TICKS" -v n="$ops" 'BEGIN { printf "%.1f", (n > 0 ? t * 1e6 / hz / n : 0) }')
  proxy_us=$(awk -v t=$((p1 - p0)) -v hz="$CLOCK_TICKS" -v n="$ops" 'BEGIN { printf "%.1f", (n > 0 ? t * 1e6 / hz / n : 0) }')
  db_us=$(awk -v t=$((d1 - d0)) -v hz="$CLOCK_TICKS" -v n="$ops" 'BEGIN { printf "%.1f", (n > 0 ? t * 1e6 / hz / n : 0) }')
  record "$round" "$measure" "$target" rate "$rate"
  record "$round" "$measure" "$target" p95_ms "$p95"
  record "$round" "$measure" "$target" errors "${errors:-0}"
  [ "${target%-tls}" != direct ] && record "$round" "$measure" "$target" proxy_cpu_us "$proxy_us"
  [[ $target == sluice* ]] && record "$round" "$measure" "$target" jit_cpu_us "$jit_us"
  record "$round" "$measure" "$target" db_cpu_us "$db_us"
  printf '%-6s %-6s %-11s %12s/s  p95 %8s ms  errors %-5s  cpu/op: proxy %8s us (JIT %5s)  mariadb %8s us\n' \
    "$round" "$measure" "$target" "$rate" "$p95" "${errors:-0}" \
    "$([ "${target%-tls}" != direct ] && echo "$proxy_us" || echo -)" "$([[ $target == sluice* ]] && echo "$jit_us" || echo -)" "$db_us"
}

measure_run() { # <round> <measure> <target>
  case $2 in
    ps1)   sysbench_run "$1" "$2" "$3" oltp_point_select 1 ;;
    ps32)  sysbench_run "$1" "$2" "$3" oltp_point_select 32 ;;
    ro32)  sysbench_run "$1" "$2" "$3" oltp_read_only 32 ;;
    c1000) sysbench_run "$1" "$2" "$3" oltp_point_select 1000 --mysql-ignore-errors=all ;;
    cqd64) sysbench_run "$1" "$2" "$3" "$BENCH_DIR/connect-query-disconnect.lua" 64 ;;
  esac
}

# idle_run <target>: RSS before, IDLE_CLIENTS logins held idle, RSS after SETTLE s, CPU over IDLE_SECONDS s.
idle_run() {
  local target=$1 pid=${PROXY_PID[$1]}
  local rss0 rss1 t0 t1 line connected
  rss0=$(rss_kib "$pid")
  "$PYTHON" "$BENCH_DIR/idle-clients.py" --port "${PORT[$target]}" --user "$BENCH_USER" --password "$BENCH_PASSWORD" \
    --count "$IDLE_CLIENTS" >"$WORK/idle.$target.out" 2>&1 &
  local client=$!
  PIDS+=($client)
  for _ in $(seq 1 600); do
    grep -q '^connected' "$WORK/idle.$target.out" && break
    kill -0 "$client" 2>/dev/null || break
    sleep 0.5
  done
  line=$(grep '^connected' "$WORK/idle.$target.out" || echo "connected 0 failed ? seconds ?")
  connected=$(awk '{ print $2 }' <<<"$line")
  sleep "$SETTLE"
  rss1=$(rss_kib "$pid")
  t0=$(cpu_ticks "$pid"); sleep "$IDLE_SECONDS"; t1=$(cpu_ticks "$pid")
  stop "$client"
  local per_client cpu
  per_client=$(awk -v a="$rss0" -v b="$rss1" -v n="$connected" 'BEGIN { printf "%.1f", (n > 0 ? (b - a) / n : 0) }')
  cpu=$(awk -v t=$((t1 - t0)) -v hz="$CLOCK_TICKS" -v s="$IDLE_SECONDS" 'BEGIN { printf "%.1f", t / hz / s * 100 }')
  record 1 idle "$target" clients "$connected"
  record 1 idle "$target" rss_before_mib "$(awk -v k="$rss0" 'BEGIN { printf "%.0f", k / 1024 }')"
  record 1 idle "$target" rss_after_mib "$(awk -v k="$rss1" 'BEGIN { printf "%.0f", k / 1024 }')"
  record 1 idle "$target" rss_per_client_kib "$per_client"
  record 1 idle "$target" idle_cpu_pct "$cpu"
  printf 'idle   %-11s %s; RSS %s -> %s KiB: %s KiB per client; CPU while idle %s %% of a core\n' \
    "$target" "$line" "$rss0" "$rss1" "$per_client" "$cpu"
  grep '^first error' "$WORK/idle.$target.out" || true
  sleep 3 # let the proxy see the clients go before the next measure
}

# --- the run -------------------------------------------------------------------------------------------------------
: >"$RESULTS"
if [ "$TLS" = 1 ]; then
  # Make sure TLS is really on: the server tells a session its cipher (through Sluice: the backend session's).
  cipher() { mariadb -h127.0.0.1 -P"$1" -u"$BENCH_USER" -p"$BENCH_PASSWORD" -N "${@:2}" -e "SHOW SESSION STATUS LIKE 'Ssl_cipher'" | awk '{ print ($2 == "" ? "none" : $2) }'; }
  echo "# Ssl_cipher: direct-tls $(cipher "$DB_PORT" --ssl --ssl-ca="$CERTS/cacert.pem"), sluice-tls $(cipher "${PORT[sluice-tls]}"), sluice $(cipher "$SLUICE_PORT_PLAIN")"
fi
if has_measure idle; then
  echo "== $IDLE_CLIENTS idle clients, on freshly started proxies =="
  idle_run sluice
  idle_run haproxy
fi
echo "== warm-up: oltp_point_select then oltp_read_only, 32 threads, ${WARMUP}s each per target =="
for target in "${TARGETS[@]}"; do
  for test in oltp_point_select oltp_read_only; do
    (cd "${CERTS:-$WORK}" && sysbench "$test" "${common[@]}" --mysql-port="${PORT[$target]}" --mysql-ssl="${SSL[$target]}" \
      --threads=32 --time="$WARMUP" run) >/dev/null 2>&1 || echo "warm-up of $target ($test) failed" >&2
  done
done
echo "== $ROUNDS rounds of ${SECONDS_PER_RUN}s runs, targets in rotating order =="
printf '%-6s %-6s %-11s\n' round measure target
m=0
for round in $(seq 1 "$ROUNDS"); do
  for measure in ps1 ps32 ro32 c1000 cqd64; do
    has_measure "$measure" || continue
    n=${#TARGETS[@]}
    for i in $(seq 0 $((n - 1))); do
      target=${TARGETS[$(((i + round - 1 + m) % n))]}
      # Direct over TLS is a reference for the steady state only: with a TLS handshake per client connection the
      # database's CPU goes to handshakes (1,000 at once were reset by MariaDB on this machine).
      [[ $target == direct-tls && ($measure == c1000 || $measure == cqd64) ]] && continue
      measure_run "$round" "$measure" "$target"
    done
    m=$((m + 1))
  done
done

echo
"$PYTHON" "$BENCH_DIR/dataplane-report.py" "$RESULTS" "$COMMAND"
