"""Run by PyMySQL (no CLIENT_DEPRECATE_EOF) through Sluice and directly; the outputs must be identical."""
import os
import sys

import pymysql

conn = pymysql.connect(host="127.0.0.1", port=int(sys.argv[1]), user=os.environ["DB_USER"],
                       password=os.environ["DB_PASSWORD"], database="app", charset="utf8mb4", autocommit=True)
out = []
with conn.cursor() as cur:
    cur.execute("SELECT * FROM types ORDER BY id")
    out.append(repr([d[:2] for d in cur.description]))
    for row in cur.fetchall():
        out.append(repr(row))
    cur.execute("SELECT 1/0")
    out.append("warnings %d %r" % (conn.warning_count if hasattr(conn, "warning_count") else cur._result.warning_count, cur.fetchall()))
    cur.execute("SHOW WARNINGS")
    out.append(repr(cur.fetchall()))
    cur.execute("CREATE TEMPORARY TABLE py (id INT PRIMARY KEY AUTO_INCREMENT, v VARCHAR(10))")
    out.append("rows %d" % cur.execute("INSERT INTO py (v) VALUES (%s), (%s)", ("x", "y")))
    out.append("lastrowid %d" % cur.lastrowid)
    out.append("updated %d" % cur.execute("UPDATE py SET v = 'x'"))
    cur.callproc("two_results", (3,))
    while True:
        out.append(repr(cur.fetchall()))
        if not cur.nextset():
            break
    try:
        cur.execute("SELECT * FROM no_such_table")
    except pymysql.MySQLError as e:
        out.append("error %r" % (e.args,))
    conn.begin()
    cur.execute("INSERT INTO py (v) VALUES ('z')")
    conn.rollback()
    cur.execute("SELECT COUNT(*) FROM py")
    out.append(repr(cur.fetchall()))
    cur.execute("SELECT %s, %s, %s", ("🐟 héllo", 12.5, None))
    out.append(repr(cur.fetchall()))
conn.close()
print("\n".join(out))
