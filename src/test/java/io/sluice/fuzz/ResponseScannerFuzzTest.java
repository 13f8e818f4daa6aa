package io.sluice.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.protocol.CommandType;
import io.sluice.protocol.Hex;
import io.sluice.protocol.MalformedPacketException;
import io.sluice.protocol.PacketFramer;
import io.sluice.protocol.PacketTooLargeException;
import io.sluice.protocol.ResponseScanner;
import io.sluice.protocol.ResponseScanner.Role;

import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link ResponseScanner} following any sequence of packets as the response to any command byte. Each packet is
 * classified or refused with {@link MalformedPacketException}: the scanner completes, asks for more, or refuses;
 * nothing else escapes, and since every call consumes one packet a bounded response can never keep it busy for ever.
 * A second scanner is given each packet inside a larger buffer (as {@code BackendConnection} reuses its read buffer)
 * and must agree with the first at every step: the scanner reads only the {@code length} bytes it is given.
 *
 * <p>Packets can be as long as 16 MiB and beyond (a row starting with 0xfe is told from a result set's end by its
 * length); their first bytes come from the input, the rest are zeros in a buffer shared by all runs.
 */
class ResponseScannerFuzzTest {
    static final int MAX_PACKETS = 64;
    static final int MAX_LENGTH = 1024;
    /** Sizes above {@link #MAX_LENGTH} stand for long packets, of lengths around 0xffffff. */
    static final int SIZE_SELECTOR = MAX_LENGTH + 76;
    static final int LONG_BASE = PacketFramer.MAX_PHYSICAL_PAYLOAD - 38;
    static final int LONG_PREFIX = 64;
    private static final byte[] LONG = new byte[LONG_BASE + (SIZE_SELECTOR - MAX_LENGTH) + 16];

    private static final EnumSet<Role> LAST = EnumSet.of(Role.OK, Role.ERR, Role.RESULT_END, Role.INFO, Role.PREPARE_OK,
            Role.COLUMN_DEFINITION, Role.PARAMETER_DEFINITION);

    /** @param size the packet's length, or above {@link #MAX_LENGTH} a long packet starting with {@code bytes} */
    record Packet(int size, byte[] bytes) {
        int length() {
            return size <= MAX_LENGTH ? size : LONG_BASE + size - MAX_LENGTH - 1;
        }
    }

    record Case(int command, boolean sessionTrack, List<Packet> packets) {
        static Case from(FuzzedDataProvider data) {
            int command = data.consumeInt(0, 255);
            boolean sessionTrack = data.consumeBoolean();
            List<Packet> packets = new ArrayList<>();
            while (data.remainingBytes() > 0 && packets.size() < MAX_PACKETS) {
                int size = data.consumeInt(0, SIZE_SELECTOR);
                int n = size <= MAX_LENGTH ? size : data.consumeInt(0, LONG_PREFIX);
                packets.add(new Packet(size, data.consumeBytes(n)));
            }
            return new Case(command, sessionTrack, packets);
        }

        byte[] toInput() {
            FdpWriter w = new FdpWriter().integer(command, 0, 255).bool(sessionTrack);
            for (Packet p : packets) {
                w.integer(p.size(), 0, SIZE_SELECTOR);
                if (p.size() > MAX_LENGTH) {
                    w.integer(p.bytes().length, 0, LONG_PREFIX);
                }
                w.bytes(p.bytes());
            }
            return w.toByteArray();
        }

        @Override
        public String toString() {
            StringBuilder out = new StringBuilder("command 0x" + Integer.toHexString(command) + (sessionTrack ? " with" : " without")
                    + " session tracking, packets:");
            for (Packet p : packets) {
                out.append(" [").append(p.length()).append(": ").append(Hex.dump(p.bytes())).append(']');
            }
            return out.toString();
        }
    }

    /** Each input (each seed in the test phase) within 10 s: while fuzzing, libFuzzer's -timeout. */
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    @FuzzTest(maxDuration = "30s")
    void followsAnyResponse(FuzzedDataProvider data) {
        Case c = Case.from(data);
        SeedCorpus.assertReadAsWritten(ResponseScannerFuzzTest.class, data, c::toInput);
        check(c);
    }

    static void check(Case c) {
        ResponseScanner exact = new ResponseScanner(c.command(), c.sessionTrack());
        ResponseScanner buffered = new ResponseScanner(c.command(), c.sessionTrack());
        for (int i = 0; i < c.packets().size(); i++) {
            Packet p = c.packets().get(i);
            int length = p.length();
            String a;
            String b;
            if (p.size() <= MAX_LENGTH) {
                byte[] inBuffer = Arrays.copyOf(p.bytes(), length + 16);
                Arrays.fill(inBuffer, p.bytes().length, inBuffer.length, (byte) 0xff);
                Arrays.fill(inBuffer, p.bytes().length, length, (byte) 0);
                a = step(exact, Arrays.copyOf(p.bytes(), length), length);
                b = step(buffered, inBuffer, length);
            } else {
                System.arraycopy(p.bytes(), 0, LONG, 0, p.bytes().length);
                try {
                    a = step(exact, LONG, length);
                    b = step(buffered, LONG, length);
                } finally {
                    Arrays.fill(LONG, 0, p.bytes().length, (byte) 0);
                }
            }
            if (!a.equals(b)) {
                throw new AssertionError("packet " + i + " read differently inside a larger buffer: " + a + " vs " + b + "; " + c);
            }
            if (a.startsWith("refused") || exact.isComplete()) {
                if (exact.isComplete()) {
                    try {
                        exact.next(new byte[1], 1);
                        throw new AssertionError("a complete response took another packet; " + c);
                    } catch (IllegalStateException expected) {
                        // As documented: the caller must stop at completion.
                    }
                }
                return;
            }
        }
    }

    /** One packet: what the scanner made of it and where it stands, as text to compare. */
    private static String step(ResponseScanner scanner, byte[] payload, int length) {
        Role role;
        try {
            role = scanner.next(payload, length);
        } catch (MalformedPacketException | PacketTooLargeException e) {
            return "refused";
        }
        if (role == null) {
            throw new AssertionError("no role");
        }
        if (role == Role.ERR && !scanner.isComplete()) {
            throw new AssertionError("an ERR did not end the response");
        }
        if (scanner.isComplete() && !LAST.contains(role)) {
            throw new AssertionError("a response ended on " + role);
        }
        if (scanner.command() == CommandType.COM_STMT_PREPARE && role == Role.COLUMN_COUNT) {
            throw new AssertionError("a prepare response has no column count");
        }
        return role + " complete=" + scanner.isComplete() + " status=" + scanner.statusFlags() + " warnings=" + scanner.warnings()
                + " metadataEnded=" + scanner.metadataJustEnded() + " rowsSeen=" + scanner.rowsSeen()
                + " prepareColumns=" + scanner.inPrepareColumns() + " lastOk=" + Described.of(scanner.lastOk());
    }

    // ---- seed inputs ----

    static Packet packet(String hex) {
        byte[] b = Hex.bytes(hex);
        return new Packet(b.length, b);
    }

    /** A packet of {@code length} (around 0xffffff) starting with {@code hex}. */
    static Packet longPacket(int length, String hex) {
        return new Packet(length - LONG_BASE + MAX_LENGTH + 1, Hex.bytes(hex));
    }

    static final String OK = "00 00 00 02 00 00 00";
    static final String OK_MORE_RESULTS = "00 00 00 0a 00 00 00";
    static final String ERR = "ff 48 04 23 48 59 30 30 30 6e 6f";
    static final String COLUMN = "03 64 65 66 00 00 00 01 31 00 0c 3f 00 01 00 00 00 08 81 00 00 00 00";
    static final String END = "fe 00 00 02 00 00 00";

    static byte[] input(int command, boolean sessionTrack, Packet... packets) {
        return new Case(command, sessionTrack, List.of(packets)).toInput();
    }

    static byte[] input(int command, String... packets) {
        return input(command, false, Arrays.stream(packets).map(ResponseScannerFuzzTest::packet).toArray(Packet[]::new));
    }

    static Map<String, byte[]> seeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        List<Integer> commands = new ArrayList<>();
        for (int c = 0; c <= 0x1f; c++) {
            commands.add(c);
        }
        commands.addAll(List.of(0x20, 0x7f, 0xfe, 0xff));
        for (int c : commands) {
            String name = String.format("cmd-%02x-", c);
            seeds.put(name + "ok", input(c, OK));
            seeds.put(name + "err", input(c, ERR));
            seeds.put(name + "result-set", input(c, "01", COLUMN, "01 31", END));
            seeds.put(name + "empty-packet", input(c, ""));
        }
        int prepare = CommandType.COM_STMT_PREPARE;
        seeds.put("prepare-params-and-columns", input(prepare, "00 01 00 00 00 02 00 01 00 00 00 00", COLUMN, COLUMN, COLUMN));
        seeds.put("prepare-no-params-no-columns", input(prepare, "00 01 00 00 00 00 00 00 00 00 00 00"));
        seeds.put("prepare-65535-params-and-columns", input(prepare, "00 01 00 00 00 ff ff ff ff 00 00 00", COLUMN, COLUMN));
        seeds.put("prepare-ok-cut", input(prepare, "00 01 00 00 00"));
        seeds.put("prepare-ok-without-warnings", input(prepare, "00 01 00 00 00 00 00 01 00 00", COLUMN));
        seeds.put("prepare-not-ok", input(prepare, "01", COLUMN));
        seeds.put("multi-results", input(CommandType.COM_QUERY, OK_MORE_RESULTS, "01", COLUMN, "01 31", "fe 00 00 0a 00 00 00", OK));
        seeds.put("result-set-eof-5-bytes", input(CommandType.COM_QUERY, "01", COLUMN, "01 31", "fe 00 00 02 00"));
        seeds.put("result-set-no-rows", input(CommandType.COM_QUERY, "02", COLUMN, COLUMN, END));
        seeds.put("result-set-err-in-rows", input(CommandType.COM_QUERY, "01", COLUMN, "01 31", ERR));
        for (String lie : new String[] {"fc ff ff", "fd ff ff ff", "fe ff ff ff ff ff ff ff ff", "fe 00 00 00 00 01 00 00 00",
            "fe 00 00 00 80 00 00 00 00", "fc", "fd ff", "fe 01", "00 00"}) {
            seeds.put("column-count-" + lie.replace(' ', '-'), input(CommandType.COM_QUERY, lie, COLUMN, "01 31", END));
        }
        seeds.put("column-count-null-marker-is-local-infile", input(CommandType.COM_QUERY, "fb 2f 74 6d 70 2f 78", OK));
        seeds.put("column-count-ff-err", input(CommandType.COM_QUERY, "ff"));
        seeds.put("ok-affected-rows-8-bytes", input(CommandType.COM_QUERY, "00 fe ff ff ff ff ff ff ff ff 00 02 00 00 00"));
        seeds.put("ok-cut", input(CommandType.COM_QUERY, "00 00"));
        seeds.put("ok-info-longer-than-packet", input(CommandType.COM_QUERY, true, packet("00 00 00 02 00 00 00 fc ff 00 61")));
        seeds.put("ok-state-longer-than-packet", input(CommandType.COM_QUERY, true, packet("00 00 00 02 40 00 00 00 fd ff ff ff 00")));
        seeds.put("end-info-longer-than-packet", input(CommandType.COM_QUERY, true, packet("01"), packet(COLUMN), packet("fe 00 00 02 00 00 00 fc")));
        seeds.put("field-list", input(CommandType.COM_FIELD_LIST, COLUMN, COLUMN, "fe 00 00 02 00"));
        seeds.put("field-list-ok-end", input(CommandType.COM_FIELD_LIST, COLUMN, END));
        seeds.put("field-list-end-cut", input(CommandType.COM_FIELD_LIST, COLUMN, "fe"));
        seeds.put("statistics", input(CommandType.COM_STATISTICS, "55 70 74 69 6d 65 3a 20 35"));
        seeds.put("fetch-rows-then-last-row", input(CommandType.COM_STMT_FETCH, "00 00 01 31", "00 00 01 32", "fe 00 00 82 00 00 00"));
        seeds.put("set-option-eof", input(CommandType.COM_SET_OPTION, "fe 00 00 02 00"));
        seeds.put("row-starting-fe-of-16MiB", input(CommandType.COM_QUERY, false, packet("01"), packet(COLUMN),
                longPacket(PacketFramer.MAX_PHYSICAL_PAYLOAD, "fe ff ff ff 00 00 00 00 00"), packet(END)));
        seeds.put("end-fe-just-under-16MiB", input(CommandType.COM_QUERY, false, packet("01"), packet(COLUMN),
                longPacket(PacketFramer.MAX_PHYSICAL_PAYLOAD - 1, END)));
        seeds.put("first-packet-fe-of-16MiB", input(CommandType.COM_QUERY, false, longPacket(PacketFramer.MAX_PHYSICAL_PAYLOAD + 5, END)));
        seeds.put("column-definitions-of-16MiB", input(CommandType.COM_QUERY, false, packet("02"),
                longPacket(PacketFramer.MAX_PHYSICAL_PAYLOAD + 1, COLUMN), packet(COLUMN), packet(END)));
        seeds.put("local-infile-then-ok", input(CommandType.COM_QUERY, "fb 2f 74 6d 70 2f 78", "00 01 00 02 00 00 00"));
        seeds.put("everything-after-err", input(CommandType.COM_QUERY, ERR, OK, "01", COLUMN));
        return seeds;
    }
}
