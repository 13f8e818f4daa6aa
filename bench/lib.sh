#!/usr/bin/env bash
# Shared by the bench scripts: a private MariaDB, Sluice and HAProxy in front of it, all torn down on exit.
# Everything runs on this machine, so numbers are only meaningful as ratios within one run.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
WORK=$(mktemp -d /tmp/sluice-bench.XXXXXX)
# Debian's python3 has python3-pymysql; a python3 earlier in PATH (pyenv) may not.
PYTHON=${PYTHON:-/usr/bin/python3}
BENCH_USER=bench
BENCH_PASSWORD=bench-pw
PIDS=()

# free_port: a TCP port nobody listens on now (another bench or test JVM may run on this machine).
free_port() {
  "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

DB_PORT=${DB_PORT:-$(free_port)}
SLUICE_PORT=${SLUICE_PORT:-$(free_port)}

# stop <pid>: SIGTERM, then SIGKILL after 10 s (Sluice drains for up to sluice.shutdown.grace on SIGTERM).
stop() {
  local pid=$1
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do stop "$pid"; done
  rm -rf "$WORK"
}
trap cleanup EXIT
# An interrupted run still cleans up: turn the signals into an exit, which runs the EXIT trap.
trap 'exit 130' INT
trap 'exit 143' TERM

need() {
  command -v "$1" >/dev/null || { echo "$1 is missing: $2" >&2; exit 1; }
}

# raise_fd_limit: thousands of clients need as many descriptors as the hard limit allows (inherited by children).
raise_fd_limit() {
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
}

# wait_for <what> <seconds> <command...>: retries the command every 0.2 s until it succeeds.
wait_for() {
  local what=$1 seconds=$2
  shift 2
  local tries=$((seconds * 5))
  for _ in $(seq 1 "$tries"); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "$what was not ready after ${seconds}s" >&2
  return 1
}

start_db() {
  need mariadbd "apt-get install -y mariadb-server"
  # A temp directory of its own: MariaDB names its temporary files after its pid and thread in tmpdir, and a
  # bootstrap sharing /tmp with other servers (tests running next to the bench) was seen to fail on them.
  mkdir -p "$WORK/tmp"
  mariadb-install-db --no-defaults --datadir="$WORK/data" --tmpdir="$WORK/tmp" --user="$(id -un)" \
    --auth-root-authentication-method=normal --skip-test-db >"$WORK/install.log" 2>&1
  mariadbd --no-defaults --datadir="$WORK/data" --tmpdir="$WORK/tmp" --port="$DB_PORT" --bind-address=127.0.0.1 \
    --socket="$WORK/db.sock" --user="$(id -un)" --skip-log-bin --max-connections=5000 \
    --innodb-buffer-pool-size=256M --skip-name-resolve --character-set-server=utf8mb4 "$@" >"$WORK/db.log" 2>&1 &
  PIDS+=($!)
  DB_PID=$!
  wait_for MariaDB 30 mariadb -h127.0.0.1 -P"$DB_PORT" -uroot -e 'SELECT 1' || { cat "$WORK/db.log" >&2; exit 1; }
  mariadb -h127.0.0.1 -P"$DB_PORT" -uroot -e "CREATE DATABASE IF NOT EXISTS bench;
    CREATE USER IF NOT EXISTS '$BENCH_USER'@'%' IDENTIFIED BY '$BENCH_PASSWORD';
    GRANT ALL ON *.* TO '$BENCH_USER'@'%';"
}

build_sluice() {
  if [ ! -f "$ROOT/target/quarkus-app/quarkus-run.jar" ] || [ -n "${REBUILD:-}" ]; then
    (cd "$ROOT" && ./mvnw -q -B package -DskipTests)
  fi
}

# start_sluice [extra -D options...]: Sluice on $SLUICE_PORT in front of the database, ready when its management
# interface (on a free port) says /q/health/ready. Sets SLUICE_PID and SLUICE_MANAGEMENT_PORT; its log is
# $WORK/${SLUICE_NAME:-sluice}.log, so a second instance only needs another SLUICE_PORT and SLUICE_NAME.
start_sluice() {
  build_sluice
  local name=${SLUICE_NAME:-sluice}
  SLUICE_MANAGEMENT_PORT=$(free_port)
  "$JAVA_HOME/bin/java" -Dsluice.backend.host=127.0.0.1 -Dsluice.backend.port="$DB_PORT" \
    -Dsluice.listen.port="$SLUICE_PORT" -Dsluice.users.$BENCH_USER.password="$BENCH_PASSWORD" \
    -Dquarkus.http.port=0 -Dquarkus.management.port="$SLUICE_MANAGEMENT_PORT" -Dquarkus.management.host=127.0.0.1 \
    ${SLUICE_OPTS:-} "$@" -jar "$ROOT/target/quarkus-app/quarkus-run.jar" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  SLUICE_PID=$!
  if ! wait_for "$name" 60 curl -fsS "http://127.0.0.1:$SLUICE_MANAGEMENT_PORT/q/health/ready"; then
    echo "$name's log:" >&2
    cat "$WORK/$name.log" >&2
    exit 1
  fi
}

# start_haproxy: HAProxy in TCP mode on $HAPROXY_PORT (a free port unless set) relaying to the database, with a
# config of our own in $WORK and limits sized for 5,000 clients (each costs it two descriptors). Sets HAPROXY_PID.
start_haproxy() {
  need haproxy "apt-get install -y haproxy"
  HAPROXY_PORT=${HAPROXY_PORT:-$(free_port)}
  local maxconn=$(( ($(ulimit -n) - 100) / 2 ))
  cat >"$WORK/haproxy.cfg" <<EOF
global
    maxconn $maxconn
defaults
    mode tcp
    maxconn $maxconn
    timeout connect 5s
    timeout client 1h
    timeout server 1h
frontend mysql
    bind 127.0.0.1:$HAPROXY_PORT
    default_backend db
backend db
    server db 127.0.0.1:$DB_PORT
EOF
  # -db: foreground, one process (no master-worker), so its pid is the one whose CPU and memory are read.
  haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 &
  PIDS+=($!)
  HAPROXY_PID=$!
  if ! wait_for HAProxy 20 mariadb -h127.0.0.1 -P"$HAPROXY_PORT" -u"$BENCH_USER" -p"$BENCH_PASSWORD" -e 'SELECT 1'; then
    cat "$WORK/haproxy.log" >&2
    exit 1
  fi
}

# cpu_ticks <pid>: user + system CPU time of all the process's threads so far, in clock ticks (/proc/<pid>/stat
# fields 14 and 15; the command name in field 2 may hold spaces, so fields are counted after its ')').
peak_threads_connected() { # pid: samples the database while that process runs; prints the peak of Threads_connected
  local peak=0 n
  while kill -0 "$1" 2>/dev/null; do
    n=$(mariadb -h127.0.0.1 -P"$DB_PORT" -uroot -N -e "SHOW GLOBAL STATUS LIKE 'Threads_connected'" 2>/dev/null | awk '{print $2}')
    [ -n "$n" ] && [ "$n" -gt "$peak" ] && peak=$n
    sleep 0.5
  done
  echo "$peak"
}

cpu_ticks() {
  sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}
CLOCK_TICKS=$(getconf CLK_TCK)

# jit_ticks <pid>: CPU time so far of the JVM's JIT compiler threads ("C1 CompilerThre", "C2 CompilerThre"), in clock
# ticks; 0 for a process that has none (HAProxy, MariaDB, a native image).
jit_ticks() {
  local task total=0 ticks
  for task in /proc/"$1"/task/*; do
    [[ $(cat "$task/comm" 2>/dev/null) == C[12]\ CompilerThre* ]] || continue
    ticks=$(sed 's/.*) //' "$task/stat" 2>/dev/null | awk '{ print $12 + $13 }') || continue
    total=$((total + ${ticks:-0}))
  done
  echo "$total"
}

# rss_kib <pid>: resident set size in KiB.
rss_kib() {
  awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

# ratio <sluice> <direct>
ratio() {
  awk -v s="$1" -v d="$2" 'BEGIN { if (d > 0) printf "%.2f", s / d; else print "n/a" }'
}
