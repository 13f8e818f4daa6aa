"""Where a connection's first milliseconds go: one client, one connection after another, each timed phase by phase
over a raw socket (TCP connect; the server's greeting; the answer to mysql_native_password authentication; a
SELECT 1; then COM_QUIT). Prints the mean of each phase over the second half of the connections (the first half
warms up).

    python3 bench/login-phases.py --port 3306 --user u --password p --schema bench --count 2000
"""
import argparse
import hashlib
import socket
import struct
import time

CLIENT_LONG_PASSWORD, CLIENT_CONNECT_WITH_DB, CLIENT_PROTOCOL_41 = 0x1, 0x8, 0x200
CLIENT_SECURE_CONNECTION, CLIENT_PLUGIN_AUTH = 0x8000, 0x80000


def read_packet(sock):
    header = b""
    while len(header) < 4:
        header += sock.recv(4 - len(header))
    length = header[0] | header[1] << 8 | header[2] << 16
    payload = b""
    while len(payload) < length:
        payload += sock.recv(length - len(payload))
    return header[3], payload


def send_packet(sock, sequence, payload):
    sock.sendall(struct.pack("<I", len(payload))[:3] + bytes([sequence]) + payload)


def scramble_of(greeting):
    at = greeting.index(b"\0", 1) + 1 + 4  # server version, connection id
    first = greeting[at:at + 8]
    at += 8 + 1 + 2 + 1 + 2 + 2  # filler, capabilities, charset, status, capabilities
    length = greeting[at]
    at += 1 + 10
    return first + greeting[at:at + max(13, length - 8) - 1]


def native_password(password, scramble):
    h1 = hashlib.sha1(password).digest()
    h3 = hashlib.sha1(scramble + hashlib.sha1(h1).digest()).digest()
    return bytes(a ^ b for a, b in zip(h1, h3))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--schema", default="bench")
    p.add_argument("--count", type=int, default=2000)
    a = p.parse_args()
    caps = CLIENT_LONG_PASSWORD | CLIENT_CONNECT_WITH_DB | CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH
    totals = [0.0] * 4
    for i in range(a.count):
        t0 = time.perf_counter()
        sock = socket.create_connection((a.host, a.port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        t1 = time.perf_counter()
        sequence, greeting = read_packet(sock)
        t2 = time.perf_counter()
        token = native_password(a.password.encode(), scramble_of(greeting))
        response = (struct.pack("<IIB", caps, 1 << 24, 33) + b"\0" * 23 + a.user.encode() + b"\0" + bytes([len(token)]) + token
                    + a.schema.encode() + b"\0" + b"mysql_native_password\0")
        send_packet(sock, sequence + 1, response)
        _, answer = read_packet(sock)
        t3 = time.perf_counter()
        if answer[0] != 0:
            raise SystemExit(f"login refused: {answer[:80]!r}")
        send_packet(sock, 0, b"\x03SELECT 1")
        while True:
            _, packet = read_packet(sock)
            if packet[0] in (0xFE, 0xFF) and len(packet) < 9:
                break
        t4 = time.perf_counter()
        send_packet(sock, 0, b"\x01")
        sock.close()
        if i >= a.count // 2:
            for k, d in enumerate((t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
                totals[k] += d
    n = a.count - a.count // 2
    tcp, greet, auth, query = (t / n * 1e6 for t in totals)
    print(f"tcp_connect_us {tcp:.0f} greeting_us {greet:.0f} auth_us {auth:.0f} select1_us {query:.0f} total_us {tcp + greet + auth + query:.0f}")


if __name__ == "__main__":
    main()
