package io.sluice.testing.mysql8;

import io.sluice.protocol.ErrPacket;
import io.sluice.protocol.OkPacket;
import io.sluice.protocol.PayloadReader;
import io.sluice.protocol.PayloadWriter;
import io.sluice.protocol.ServerStatus;

/**
 * Rewrites MariaDB's OK packets, ERR packets and column definitions where MySQL 8.4 words them differently.
 * Packets that need no change are returned as they are (the same array), so the common case copies nothing.
 *
 * <p>What differs, measured on MariaDB 10.11's bytes:
 * <ul>
 * <li>SESSION_TRACK_SYSTEM_VARIABLES entries name {@code tx_isolation} / {@code tx_read_only}; MySQL 8.4 names
 * {@code transaction_isolation} / {@code transaction_read_only}. The other entry types (schema, state change,
 * transaction characteristics and state) have the same shape on both servers: one entry per variable, schema as a
 * length-encoded name, state change as "1", characteristics as SQL text, state as eight characters.</li>
 * <li>Column names (name and org_name) and error messages carry the variable names too.</li>
 * </ul>
 * The OK packet's info string is length-encoded on both servers, with or without CLIENT_SESSION_TRACK (MySQL's
 * net_send_ok writes it with net_store_data in both branches, whatever the protocol documentation's
 * {@code string<EOF>} says; Connector/J reads it length-encoded), so it passes unchanged.
 */
final class AnswerTranslator {
    static final int SESSION_TRACK_SYSTEM_VARIABLES = 0;

    private final boolean sessionTrack;

    AnswerTranslator(boolean sessionTrack) {
        this.sessionTrack = sessionTrack;
    }

    /** An OK packet (0x00, or 0xfe at the end of rows under CLIENT_DEPRECATE_EOF). */
    byte[] ok(byte[] payload) {
        if (!sessionTrack) {
            return payload;
        }
        OkPacket ok = OkPacket.decode(payload, payload.length, true);
        if ((ok.statusFlags() & ServerStatus.SERVER_SESSION_STATE_CHANGED) == 0 || ok.sessionStateInfo() == null) {
            return payload;
        }
        byte[] state = sessionState(ok.sessionStateInfo());
        if (state == ok.sessionStateInfo()) {
            return payload;
        }
        return new OkPacket(ok.header(), ok.affectedRows(), ok.lastInsertId(), ok.statusFlags(), ok.warnings(), ok.info(), state)
                .encode(true);
    }

    private static byte[] sessionState(byte[] entries) {
        PayloadReader r = new PayloadReader(entries);
        PayloadWriter out = new PayloadWriter(entries.length + 32);
        boolean changed = false;
        while (r.hasRemaining()) {
            int type = r.readInt1();
            byte[] data = r.readLenencBytes();
            if (type == SESSION_TRACK_SYSTEM_VARIABLES) {
                PayloadReader v = new PayloadReader(data);
                byte[] name = v.readLenencBytes();
                byte[] value = v.readRest();
                byte[] mysqlName = VariableNames.toMySql(name);
                if (mysqlName != name) {
                    changed = true;
                    data = new PayloadWriter(data.length + 16).lenencBytes(mysqlName).bytes(value).toByteArray();
                }
            }
            out.int1(type).lenencBytes(data);
        }
        return changed ? out.toByteArray() : entries;
    }

    /** MariaDB's ER_LOAD_INFILE_CAPABILITY_DISABLED: LOAD DATA LOCAL by a client that did not enable local files. */
    private static final int MARIADB_LOCAL_INFILE_DISABLED = 4166;
    /** MySQL 8's answer to the same: ER_CLIENT_LOCAL_FILES_DISABLED. */
    static final ErrPacket MYSQL_LOCAL_INFILE_DISABLED = new ErrPacket(3948, "42000",
            "Loading local data is disabled; this must be enabled on both the client and server sides");

    /** MariaDB's ER_CONNECTION_KILLED, its answer to a KILL of the session's own connection. */
    private static final int MARIADB_CONNECTION_KILLED = 1927;
    /** MySQL 8's answer to the same: ER_QUERY_INTERRUPTED (MySQL has no 1927 of that meaning). */
    static final ErrPacket MYSQL_QUERY_INTERRUPTED = new ErrPacket(1317, "70100", "Query execution was interrupted");

    byte[] err(byte[] payload) {
        ErrPacket err = ErrPacket.decode(payload, payload.length);
        if (err.code() == MARIADB_LOCAL_INFILE_DISABLED) {
            return MYSQL_LOCAL_INFILE_DISABLED.encode();
        }
        if (err.code() == MARIADB_CONNECTION_KILLED) {
            return MYSQL_QUERY_INTERRUPTED.encode();
        }
        String message = VariableNames.toMySql(err.message());
        return message.equals(err.message()) ? payload : new ErrPacket(err.code(), err.sqlState(), message).encode();
    }

    /** ColumnDefinition41: catalog, schema, table, org_table, name, org_name, then fixed fields. */
    static byte[] columnDefinition(byte[] payload) {
        PayloadReader r = new PayloadReader(payload);
        for (int i = 0; i < 4; i++) {
            r.readLenencBytes();
        }
        int namesStart = r.position();
        byte[] name = r.readLenencBytes();
        byte[] orgName = r.readLenencBytes();
        byte[] mysqlName = VariableNames.toMySql(name);
        byte[] mysqlOrgName = VariableNames.toMySql(orgName);
        if (mysqlName == name && mysqlOrgName == orgName) {
            return payload;
        }
        return new PayloadWriter(payload.length + 32).bytes(payload, 0, namesStart).lenencBytes(mysqlName)
                .lenencBytes(mysqlOrgName).bytes(r.readRest()).toByteArray();
    }
}
