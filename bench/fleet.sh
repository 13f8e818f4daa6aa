#!/usr/bin/env bash
# Many sidecars, one database (issue 16): INSTANCES Sluice processes, each connecting from its own loopback address
# (127.0.0.2, 127.0.0.3, ...: the database sees distinct client hosts, as it would see pods), all in front of one
# MariaDB started with max_connections=MAX_CONNECTIONS, each with sluice.pool.max-size=POOL_MAX_SIZE, and
# CLIENTS_PER_INSTANCE sysbench point-select threads on each: more than the database takes directly.
# Run with the fleet budget on (sluice.fleet.max-connections-percent=PERCENT) and off, interleaved, reporting
# queries/s, client errors and the peak of Threads_connected for each.
#
#   bench/fleet.sh                                  # 2 rounds of 10 s per mode
#   ROUNDS=1 SECONDS_PER_RUN=5 bench/fleet.sh
source "$(dirname "$0")/lib.sh"
need sysbench "apt-get install -y sysbench"

ROUNDS=${ROUNDS:-2}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
INSTANCES=${INSTANCES:-3}
MAX_CONNECTIONS=${MAX_CONNECTIONS:-60}
PERCENT=${PERCENT:-80}
POOL_MAX_SIZE=${POOL_MAX_SIZE:-40}
CLIENTS_PER_INSTANCE=${CLIENTS_PER_INSTANCE:-30}
INTERVAL=${INTERVAL:-1s}

start_db --max-connections="$MAX_CONNECTIONS"
common=(--db-driver=mysql --mysql-host=127.0.0.1 --mysql-user="$BENCH_USER" --mysql-password="$BENCH_PASSWORD"
        --mysql-db=bench --tables=4 --table-size=10000 --report-interval=0)
sysbench oltp_point_select "${common[@]}" --mysql-port="$DB_PORT" prepare >/dev/null

FLEET_PIDS=()
FLEET_PORTS=()
FLEET_MANAGEMENT=()
# start_fleet [extra -D options...]: INSTANCES Sluice processes, ready, each from 127.0.0.<n+2>.
start_fleet() {
  FLEET_PIDS=(); FLEET_PORTS=(); FLEET_MANAGEMENT=()
  local i
  for i in $(seq 0 $((INSTANCES - 1))); do
    SLUICE_PORT=$(free_port)
    SLUICE_NAME="sluice-$i" start_sluice -Dsluice.pool.max-size="$POOL_MAX_SIZE" \
      -Dsluice.pool.borrow-timeout=5s -Dsluice.backend.jdbc-properties.localSocketAddress="127.0.0.$((i + 2))" "$@"
    FLEET_PIDS+=("$SLUICE_PID"); FLEET_PORTS+=("$SLUICE_PORT"); FLEET_MANAGEMENT+=("$SLUICE_MANAGEMENT_PORT")
  done
}

stop_fleet() {
  local pid
  for pid in "${FLEET_PIDS[@]}"; do stop "$pid"; done
}

# fleet_share <instance>: the share its app pool holds now (sluice_fleet_share), or - without a budget.
fleet_share() {
  curl -fsS "http://127.0.0.1:${FLEET_MANAGEMENT[$1]}/q/metrics" | awk '/^sluice_fleet_share\{/ { print $2 + 0; found=1 } END { if (!found) print "-" }'
}

db_status() { # the value of one of the database's status variables
  mariadb -h127.0.0.1 -P"$DB_PORT" -uroot -N -e "SHOW GLOBAL STATUS LIKE '$1'" | awk '{print $2}'
}

# run_load -> "qps errors max_used_connections": CLIENTS_PER_INSTANCE threads on every instance at once.
run_load() {
  local pids=() i
  # The database's own peak (Max_used_connections) from here on: sampling with a client would miss it, since a
  # full database turns the sampler away too.
  mariadb -h127.0.0.1 -P"$DB_PORT" -uroot -e "FLUSH STATUS"
  for i in $(seq 0 $((INSTANCES - 1))); do
    sysbench oltp_point_select "${common[@]}" --mysql-port="${FLEET_PORTS[$i]}" --threads="$CLIENTS_PER_INSTANCE" \
      --time="$SECONDS_PER_RUN" --mysql-ignore-errors=all run >"$WORK/load.$i.out" 2>&1 &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || true; done
  # A database still full after the run (its connections all held, the SUPER one too) answers no one: "full".
  local peak; peak=$(db_status Max_used_connections 2>/dev/null) || peak=full
  local qps=0 errs=0 q e
  for i in $(seq 0 $((INSTANCES - 1))); do
    q=$(awk '/queries:/ { gsub(/\(/, "", $3); print $3 }' "$WORK/load.$i.out")
    e=$(awk '/ignored errors:/ { print $3 }' "$WORK/load.$i.out")
    qps=$(awk -v a="$qps" -v b="${q:-0}" 'BEGIN { printf "%.0f", a + b }')
    errs=$((errs + ${e:-0}))
  done
  echo "$qps $errs $peak"
}

budget=$((MAX_CONNECTIONS * PERCENT / 100))
echo "== $INSTANCES instances x $CLIENTS_PER_INSTANCE clients, pool.max-size $POOL_MAX_SIZE, max_connections $MAX_CONNECTIONS =="
echo "   budget on: sluice.fleet.max-connections-percent=$PERCENT ($budget connections); off: no budget"
printf '%-6s %-4s %10s %8s %14s %s\n' round mode qps errors max_used_conns shares
for r in $(seq 1 "$ROUNDS"); do
  modes=(on off)
  [ $((r % 2)) -eq 0 ] && modes=(off on)
  for mode in "${modes[@]}"; do
    if [ "$mode" = on ]; then
      start_fleet -Dsluice.fleet.max-connections-percent="$PERCENT" -Dsluice.fleet.interval="$INTERVAL"
      # Until every instance has counted the others, each holds one connection: wait for the shares to settle.
      for _ in $(seq 1 50); do
        settled=1
        for i in $(seq 0 $((INSTANCES - 1))); do [ "$(fleet_share "$i")" = "$((budget / INSTANCES))" ] || settled=0; done
        [ "$settled" = 1 ] && break
        sleep 0.2
      done
    else
      start_fleet
    fi
    read -r q e p <<<"$(run_load)"
    [ "$q" = 0 ] && { echo "no queries; sysbench said:" >&2; tail -5 "$WORK/load.0.out" >&2; }
    shares=$(for i in $(seq 0 $((INSTANCES - 1))); do printf '%s ' "$(fleet_share "$i")"; done)
    printf '%-6s %-4s %10s %8s %14s %s\n' "$r" "$mode" "$q" "$e" "$p" "$shares"
    stop_fleet
  done
done
echo
echo "max_used_conns is the database's Max_used_connections during the run: Sluice's logins and each instance's"
echo "readiness check (a handshake without login, outside the pool). shares: each instance's sluice_fleet_share at the end."
