package io.sluice.testing.mysql8;

import io.sluice.protocol.EofPacket;
import io.sluice.protocol.ErrPacket;
import io.sluice.protocol.OkPacket;
import io.sluice.protocol.PayloadReader;
import io.sluice.protocol.ServerStatus;

import java.io.IOException;

/**
 * Follows MariaDB's answer to one command packet by packet, relaying each to the client (translated where MySQL
 * 8.4 differs), and returns when the answer is complete. Written from the protocol documentation on its own,
 * apart from Sluice's ResponseScanner, so that a misreading in one is not repeated in the other.
 */
final class ResponseRelay {
    private static final int LOCAL_INFILE = 0xfb;
    /** A lenenc integer of 8 bytes starts with 0xfe, so a row can start with it; a row that does is at least 9 bytes. */
    private static final int EOF_MAX_LENGTH = 9;

    private final PacketStream client;
    private final PacketStream server;
    private final boolean deprecateEof;
    private final AnswerTranslator translator;

    ResponseRelay(PacketStream client, PacketStream server, boolean deprecateEof, boolean sessionTrack) {
        this.client = client;
        this.server = server;
        this.deprecateEof = deprecateEof;
        this.translator = new AnswerTranslator(sessionTrack);
    }

    /** What PREPARE_OK said, or null when the prepare failed. */
    record Prepared(long statementId, int paramCount) {
    }

    /**
     * The answer to COM_QUERY or COM_STMT_EXECUTE: OK, ERR, LOCAL INFILE request, or result sets, each of which
     * may announce another (SERVER_MORE_RESULTS_EXISTS).
     */
    void results() throws IOException {
        while (true) {
            byte[] first = server.read();
            int header = header(first);
            if (header == ErrPacket.HEADER) {
                finish(translator.err(first));
                return;
            }
            if (header == OkPacket.HEADER) {
                byte[] ok = translator.ok(first);
                if (!moreResults(OkPacket.decode(first, first.length, true).statusFlags())) {
                    finish(ok);
                    return;
                }
                client.writeUnflushed(ok);
                continue;
            }
            if (header == LOCAL_INFILE) {
                client.write(first);
                pumpLocalFile();
                continue;
            }
            long columns = new PayloadReader(first).readLenenc();
            client.writeUnflushed(first);
            int status = columnsAndRows(columns);
            if (status < 0 || !moreResults(status)) {
                client.flush();
                return;
            }
        }
    }

    /** The answer to COM_STMT_PREPARE. */
    Prepared prepare() throws IOException {
        byte[] first = server.read();
        if (header(first) != OkPacket.HEADER) {
            finish(translator.err(first));
            return null;
        }
        PayloadReader r = new PayloadReader(first);
        r.skip(1);
        long statementId = r.readInt4();
        int columns = r.readInt2();
        int params = r.readInt2();
        client.writeUnflushed(first);
        definitions(params);
        definitions(columns);
        client.flush();
        return new Prepared(statementId, params);
    }

    /** The answer to COM_STMT_FETCH: rows, then EOF/OK; or ERR. */
    void rows() throws IOException {
        rowsUntilEnd();
        client.flush();
    }

    /** The answer to COM_FIELD_LIST: column definitions until EOF (or its OK form), or ERR. */
    void fieldList() throws IOException {
        while (true) {
            byte[] p = server.read();
            int header = header(p);
            if (header == ErrPacket.HEADER) {
                finish(translator.err(p));
                return;
            }
            if (header == EofPacket.HEADER && p.length < EOF_MAX_LENGTH) {
                finish(deprecateEof ? translator.ok(p) : p);
                return;
            }
            client.writeUnflushed(AnswerTranslator.columnDefinition(p));
        }
    }

    /** Commands answered by one packet (OK, ERR, EOF, or COM_STATISTICS' text). */
    void single() throws IOException {
        byte[] p = server.read();
        int header = header(p);
        if (header == OkPacket.HEADER) {
            p = translator.ok(p);
        } else if (header == ErrPacket.HEADER) {
            p = translator.err(p);
        }
        finish(p);
    }

    /** The answer to a login or COM_CHANGE_USER, already read: OK or ERR. */
    byte[] authResult(byte[] p) {
        return header(p) == OkPacket.HEADER ? translator.ok(p) : translator.err(p);
    }

    /** Column definitions, then (without CLIENT_DEPRECATE_EOF) an EOF; returns the EOF's status, or -1. */
    private int definitions(long count) throws IOException {
        for (long i = 0; i < count; i++) {
            client.writeUnflushed(AnswerTranslator.columnDefinition(server.read()));
        }
        if (count > 0 && !deprecateEof) {
            byte[] eof = server.read();
            client.writeUnflushed(eof);
            return EofPacket.decode(eof, eof.length).statusFlags();
        }
        return -1;
    }

    /** Returns the status flags of the packet that ended the result set, or -1 after an ERR. */
    private int columnsAndRows(long columns) throws IOException {
        int eofStatus = definitions(columns);
        // A cursor was opened (COM_STMT_EXECUTE with a cursor flag): no rows follow until COM_STMT_FETCH.
        if (eofStatus >= 0 && (eofStatus & ServerStatus.SERVER_STATUS_CURSOR_EXISTS) != 0) {
            return eofStatus;
        }
        return rowsUntilEnd();
    }

    private int rowsUntilEnd() throws IOException {
        while (true) {
            byte[] p = server.read();
            int header = header(p);
            if (header == ErrPacket.HEADER) {
                client.writeUnflushed(translator.err(p));
                return -1;
            }
            if (header == EofPacket.HEADER && deprecateEof && p.length < PacketStream.MAX_PHYSICAL) {
                client.writeUnflushed(translator.ok(p));
                return OkPacket.decode(p, p.length, true).statusFlags();
            }
            if (header == EofPacket.HEADER && !deprecateEof && p.length < EOF_MAX_LENGTH) {
                client.writeUnflushed(p);
                return EofPacket.decode(p, p.length).statusFlags();
            }
            client.writeUnflushed(p);
        }
    }

    /** LOAD DATA LOCAL INFILE: the client's file arrives in packets, an empty one ends it. */
    private void pumpLocalFile() throws IOException {
        while (true) {
            byte[] chunk = client.read();
            server.writeUnflushed(chunk);
            if (chunk.length == 0) {
                server.flush();
                return;
            }
        }
    }

    private void finish(byte[] last) throws IOException {
        client.write(last);
    }

    private static boolean moreResults(int status) {
        return (status & ServerStatus.SERVER_MORE_RESULTS_EXISTS) != 0;
    }

    private static int header(byte[] p) {
        return p.length == 0 ? -1 : p[0] & 0xff;
    }
}
