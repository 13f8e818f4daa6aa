#!/usr/bin/python3
"""Opens N MySQL client connections from one process, logs each in, and holds them idle.

Used by bench/dataplane.sh to measure what an idle client costs a proxy (memory per connection, CPU while
nothing happens). PyMySQL (Debian's python3-pymysql) does the handshake and authentication, so whatever
auth plugin the server proposes is handled as a real client would; a small thread pool only speeds up the
logins. After the last login nothing is sent: the sockets stay open and silent until this process gets
SIGTERM or SIGINT.

Prints one line when done: "connected <ok> failed <n> seconds <t>", then the first error if any.

    /usr/bin/python3 bench/idle-clients.py --port 6033 --user bench --password pw --count 5000
"""
import argparse
import resource
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pymysql


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--database", default=None)
    p.add_argument("--count", type=int, default=5000)
    p.add_argument("--parallel", type=int, default=32, help="logins in flight at once")
    a = p.parse_args()

    # One descriptor per connection: take whatever the hard limit allows.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    connections = []
    errors = []
    lock = threading.Lock()

    def open_one(_):
        try:
            c = pymysql.connect(host=a.host, port=a.port, user=a.user, password=a.password, database=a.database,
                                connect_timeout=60, autocommit=True)
        except Exception as e:  # noqa: BLE001 - counted and reported, the others carry on
            with lock:
                errors.append(repr(e))
            return
        with lock:
            connections.append(c)

    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=a.parallel) as pool:
        list(pool.map(open_one, range(a.count)))
    print(f"connected {len(connections)} failed {len(errors)} seconds {time.monotonic() - start:.1f}", flush=True)
    if errors:
        print(f"first error: {errors[0]}", flush=True)

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    while not done.wait(1):
        pass
    for c in connections:
        try:
            c.close()
        except Exception:  # noqa: BLE001 - closing on the way out
            pass


if __name__ == "__main__":
    main()
