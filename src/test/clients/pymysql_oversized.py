"""Sends one query larger than the server accepts and prints how PyMySQL reports the refusal.

Usage: pymysql_oversized.py <port> <megabytes>. PyMySQL splits the query into 16 MiB packets and checks the
sequence id of the answer against the last one it sent.
"""
import os
import sys

import pymysql

port = int(sys.argv[1])
size = int(sys.argv[2]) * 1024 * 1024
conn = pymysql.connect(host="127.0.0.1", port=port, user=os.environ["DB_USER"], password=os.environ["DB_PASSWORD"])
try:
    with conn.cursor() as cur:
        cur.execute("SELECT '" + "x" * size + "'")
    print("accepted")
except Exception as e:  # noqa: BLE001 - what the client sees is the point
    print(type(e).__name__, e.args[0] if e.args else "", e.args[1] if len(e.args) > 1 else "")
