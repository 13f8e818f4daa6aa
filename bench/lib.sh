#!/usr/bin/env bash
# Shared by the bench scripts: a private MariaDB and a Sluice in front of it, both torn down on exit.
# Everything runs on this machine, so numbers are only meaningful as ratios within one run.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
WORK=$(mktemp -d /tmp/sluice-bench.XXXXXX)
DB_PORT=${DB_PORT:-23306}
SLUICE_PORT=${SLUICE_PORT:-26033}
BENCH_USER=bench
BENCH_PASSWORD=bench-pw
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

need() {
  command -v "$1" >/dev/null || { echo "$1 is missing: $2" >&2; exit 1; }
}

start_db() {
  need mariadbd "apt-get install -y mariadb-server"
  mariadb-install-db --no-defaults --datadir="$WORK/data" --user="$(id -un)" \
    --auth-root-authentication-method=normal --skip-test-db >"$WORK/install.log" 2>&1
  mariadbd --no-defaults --datadir="$WORK/data" --port="$DB_PORT" --bind-address=127.0.0.1 \
    --socket="$WORK/db.sock" --user="$(id -un)" --skip-log-bin --max-connections=5000 \
    --innodb-buffer-pool-size=256M --skip-name-resolve --character-set-server=utf8mb4 "$@" >"$WORK/db.log" 2>&1 &
  PIDS+=($!)
  DB_PID=$!
  for _ in $(seq 1 100); do
    mariadb -h127.0.0.1 -P"$DB_PORT" -uroot -e 'SELECT 1' >/dev/null 2>&1 && break
    sleep 0.2
  done
  mariadb -h127.0.0.1 -P"$DB_PORT" -uroot -e "CREATE DATABASE IF NOT EXISTS bench;
    CREATE USER IF NOT EXISTS '$BENCH_USER'@'%' IDENTIFIED BY '$BENCH_PASSWORD';
    GRANT ALL ON *.* TO '$BENCH_USER'@'%';"
}

build_sluice() {
  if [ ! -f "$ROOT/target/quarkus-app/quarkus-run.jar" ] || [ -n "${REBUILD:-}" ]; then
    (cd "$ROOT" && ./mvnw -q -B package -DskipTests)
  fi
}

# start_sluice [extra -D options...]
start_sluice() {
  build_sluice
  "$JAVA_HOME/bin/java" -Dsluice.backend.host=127.0.0.1 -Dsluice.backend.port="$DB_PORT" \
    -Dsluice.listen.port="$SLUICE_PORT" -Dsluice.users.$BENCH_USER.password="$BENCH_PASSWORD" \
    -Dquarkus.http.port=0 -Dquarkus.management.port=0 ${SLUICE_OPTS:-} "$@" \
    -jar "$ROOT/target/quarkus-app/quarkus-run.jar" >"$WORK/sluice.log" 2>&1 &
  PIDS+=($!)
  SLUICE_PID=$!
  for _ in $(seq 1 150); do
    mariadb -h127.0.0.1 -P"$SLUICE_PORT" -u"$BENCH_USER" -p"$BENCH_PASSWORD" -e 'SELECT 1' >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "Sluice did not start; its log:" >&2
  cat "$WORK/sluice.log" >&2
  exit 1
}

# ratio <sluice> <direct>
ratio() {
  awk -v s="$1" -v d="$2" 'BEGIN { if (d > 0) printf "%.2f", s / d; else print "n/a" }'
}
