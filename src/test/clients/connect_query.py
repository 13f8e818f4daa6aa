"""Logs in as DB_USER with DB_PASSWORD, runs one query, and prints what PyMySQL reports: "ok <value>" or
"error <code> <message>" (PyMySQL does not expose the SQLSTATE)."""
import os
import sys

import pymysql

try:
    conn = pymysql.connect(host="127.0.0.1", port=int(sys.argv[1]), user=os.environ["DB_USER"],
                           password=os.environ["DB_PASSWORD"], connect_timeout=30, read_timeout=60)
    with conn.cursor() as cur:
        cur.execute("SELECT 1")
        print("ok %s" % cur.fetchone()[0])
    conn.close()
except pymysql.MySQLError as e:
    print("error %s %s" % (e.args[0], e.args[1] if len(e.args) > 1 else ""))
