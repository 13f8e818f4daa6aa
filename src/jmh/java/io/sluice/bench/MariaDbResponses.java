package io.sluice.bench;

import io.sluice.protocol.CommandType;
import io.sluice.protocol.PayloadWriter;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * What a backend connection of Sluice receives from MariaDB 10.11 (CLIENT_DEPRECATE_EOF and CLIENT_SESSION_TRACK
 * negotiated, as Sluice's backends are) for sysbench's tables. The column definitions, OK packets and the shape of
 * the rows were captured from a real server (bench/dataplane.sh's schema, PyMySQL reading raw packets); the 1,000
 * rows are generated in sysbench's format with a fixed seed, so every run scans the same bytes.
 */
final class MariaDbResponses {
    private static final HexFormat HEX = HexFormat.of();

    /** Column definition of sbtest1.c, CHAR(120) NOT NULL, utf8mb4_general_ci. */
    static final byte[] DEF_C = hex("03646566 0562656e6368 0773627465737431 0773627465737431 0163 0163"
            + "0c 2d00 e0010000 fe 0100 00 0000");
    /** sbtest1.id, INT NOT NULL AUTO_INCREMENT PRIMARY KEY. */
    static final byte[] DEF_ID = hex("03646566 0562656e6368 0773627465737431 0773627465737431 026964 026964"
            + "0c 3f00 0b000000 03 0342 00 0000");
    /** sbtest1.k, INT NOT NULL with a secondary index. */
    static final byte[] DEF_K = hex("03646566 0562656e6368 0773627465737431 0773627465737431 016b 016b"
            + "0c 3f00 0b000000 03 0940 00 0000");
    /** sbtest1.pad, CHAR(60) NOT NULL. */
    static final byte[] DEF_PAD = hex("03646566 0562656e6368 0773627465737431 0773627465737431 03706164 03706164"
            + "0c 2d00 f0000000 fe 0100 00 0000");
    /** The 0xfe-headed OK that ends a result set: no rows affected, AUTOCOMMIT. */
    static final byte[] RESULT_END = hex("fe 00 00 0200 0000");

    /** OK of an autocommit INSERT: 1 row, insert id 1, AUTOCOMMIT, nothing tracked. */
    static final byte[] OK_INSERT = hex("00 01 01 0200 0000");
    /** OK of SET NAMES utf8mb4: three system variables and the state-change flag. */
    static final byte[] OK_SET_NAMES = hex("00 00 00 0040 0000 00 65"
            + "00 1d 14 6368617261637465725f7365745f636c69656e74 07 757466386d6234"
            + "00 21 18 6368617261637465725f7365745f636f6e6e656374696f6e 07 757466386d6234"
            + "00 1e 15 6368617261637465725f7365745f726573756c7473 07 757466386d6234"
            + "02 01 31");
    /** OK of USE bench: the schema and the state-change flag. */
    static final byte[] OK_USE_SCHEMA = hex("00 00 00 0040 0000 00 0b 01 06 0562656e6368 02 01 31");
    /** OK of SET autocommit = 0: one system variable and the state-change flag. */
    static final byte[] OK_AUTOCOMMIT_OFF = hex("00 00 00 0040 0000 00 14 00 0f 0a 6175746f636f6d6d6974 03 4f4646 02 01 31");

    private MariaDbResponses() {
    }

    /** A response: the command it answers and its packets' payloads. */
    record Response(int command, List<byte[]> payloads) {
        /** The payloads as they come over the wire: each behind its 4-byte header, sequence ids from 1. */
        byte[] wire() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int sequenceId = 1;
            for (byte[] p : payloads) {
                out.write(p.length);
                out.write(p.length >>> 8);
                out.write(p.length >>> 16);
                out.write(sequenceId++);
                out.writeBytes(p);
            }
            return out.toByteArray();
        }
    }

    /** sysbench's point select over the text protocol: SELECT c FROM sbtest1 WHERE id=?. */
    static Response pointSelectText() {
        return new Response(CommandType.COM_QUERY, List.of(hex("01"), DEF_C, textRow(c(new Random(1))), RESULT_END));
    }

    /** The same as a prepared statement (sysbench's default): a binary row, header 0x00 and a null bitmap. */
    static Response pointSelectBinary() {
        byte[] c = c(new Random(1));
        byte[] row = new PayloadWriter(c.length + 4).int1(0x00).int1(0x00).lenencBytes(c).toByteArray();
        return new Response(CommandType.COM_STMT_EXECUTE, List.of(hex("01"), DEF_C, row, RESULT_END));
    }

    /** SELECT id, k, c, pad FROM sbtest1 LIMIT 1000: 1,006 packets, about 190 bytes a row. */
    static Response thousandRows() {
        List<byte[]> p = new ArrayList<>(List.of(hex("04"), DEF_ID, DEF_K, DEF_C, DEF_PAD));
        Random random = new Random(1);
        for (int id = 1; id <= 1000; id++) {
            p.add(new PayloadWriter(200).lenencString(Integer.toString(id)).lenencString(Integer.toString(random.nextInt(100_000)))
                    .lenencBytes(c(random)).lenencBytes(groups(random, 5)).toByteArray());
        }
        p.add(RESULT_END);
        return new Response(CommandType.COM_QUERY, p);
    }

    /** A client's COM_QUERY packet, header included. */
    static byte[] clientQuery(String sql) {
        byte[] payload = new PayloadWriter(sql.length() + 1).int1(CommandType.COM_QUERY).string(sql).toByteArray();
        return new Response(CommandType.COM_QUERY, List.of(payload)).wire();
    }

    private static byte[] textRow(byte[] c) {
        return new PayloadWriter(c.length + 2).lenencBytes(c).toByteArray();
    }

    /** sysbench's c column: 10 groups of 11 digits joined by '-' (119 characters); pad has 5 (59). */
    private static byte[] c(Random random) {
        return groups(random, 10);
    }

    private static byte[] groups(Random random, int n) {
        StringBuilder s = new StringBuilder();
        for (int g = 0; g < n; g++) {
            if (g > 0) {
                s.append('-');
            }
            for (int d = 0; d < 11; d++) {
                s.append((char) ('0' + random.nextInt(10)));
            }
        }
        return s.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static byte[] hex(String s) {
        return HEX.parseHex(s.replace(" ", ""));
    }
}
