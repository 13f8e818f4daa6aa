package io.sluice.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.protocol.EofPacket;
import io.sluice.protocol.ErrPacket;
import io.sluice.protocol.HandshakeV10;
import io.sluice.protocol.Hex;
import io.sluice.protocol.MalformedPacketException;
import io.sluice.protocol.OkPacket;
import io.sluice.protocol.PacketTooLargeException;
import io.sluice.protocol.PayloadWriter;
import io.sluice.protocol.ServerStatus;
import io.sluice.session.SessionTrack;

import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import static io.sluice.fuzz.Packets.lenenc;

/**
 * The packets Sluice decodes from a server (whose bytes a compromised or broken backend, or a client's own data
 * echoed back, controls): OK (with session-state data, decoded by {@link SessionTrack}), ERR, EOF and the initial
 * handshake. Each decode gives a record or throws {@link MalformedPacketException}, and reads only the {@code length}
 * bytes it is given: the same bytes followed by garbage, as in a reused read buffer, decode the same.
 *
 * <p>Input: a flag byte (bit 0: the connection tracks session state), then the payload.
 */
class ServerPacketsFuzzTest {

    /** Each input (each seed in the test phase) within 10 s: while fuzzing, libFuzzer's -timeout. */
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    @FuzzTest(maxDuration = "30s")
    void decodesAnyServerPacket(byte[] input) {
        boolean sessionTrack = input.length > 0 && (input[0] & 1) != 0;
        byte[] payload = input.length == 0 ? new byte[0] : Arrays.copyOfRange(input, 1, input.length);
        int length = payload.length;
        byte[] inBuffer = Arrays.copyOf(payload, length + 16);
        Arrays.fill(inBuffer, length, inBuffer.length, (byte) 0xff);

        OkPacket ok = sameEitherWay("OK", () -> OkPacket.decode(payload, length, sessionTrack), () -> OkPacket.decode(inBuffer, length, sessionTrack));
        if (ok != null && ok.sessionStateInfo() != null) {
            decode(() -> SessionTrack.parse(ok.sessionStateInfo()));
        }
        ErrPacket err = sameEitherWay("ERR", () -> ErrPacket.decode(payload, length), () -> ErrPacket.decode(inBuffer, length));
        if (err != null && (err.code() < 0 || err.code() > 0xffff || err.sqlState().length() != 5)) {
            throw new AssertionError("impossible " + err);
        }
        if (EofPacket.is(payload, length) != EofPacket.is(inBuffer, length)) {
            throw new AssertionError("EofPacket.is reads past the length");
        }
        sameEitherWay("EOF", () -> EofPacket.decode(payload, length), () -> EofPacket.decode(inBuffer, length));
        HandshakeV10 handshake = decode(() -> HandshakeV10.decode(payload));
        if (handshake != null && (handshake.scramble().length != 20 || handshake.serverVersion() == null || handshake.authPluginName() == null)) {
            throw new AssertionError("incomplete " + Described.of(handshake));
        }
        SessionTrack track = decode(() -> SessionTrack.parse(payload));
        if (track != null && (track.variables() == null || track.variables().values().stream().anyMatch(java.util.Objects::isNull))) {
            throw new AssertionError("impossible " + track);
        }
    }

    /** The decode's result, or null if it refused the bytes as it may. */
    static <T> T decode(Supplier<T> decode) {
        try {
            return decode.get();
        } catch (MalformedPacketException | PacketTooLargeException e) {
            return null;
        }
    }

    private static <T> T sameEitherWay(String what, Supplier<T> exact, Supplier<T> inBuffer) {
        T a = decode(exact);
        T b = decode(inBuffer);
        if (!Described.of(a).equals(Described.of(b))) {
            throw new AssertionError(what + " decodes differently when followed by other bytes: " + Described.of(a) + " vs " + Described.of(b));
        }
        return a;
    }

    // ---- seed inputs ----

    static byte[] flagged(boolean sessionTrack, byte[] payload) {
        return Packets.concat(new byte[] {(byte) (sessionTrack ? 1 : 0)}, payload);
    }

    /** An OK whose session-state data is {@code state}, as a server tracking sessions sends it. */
    static byte[] okWithState(byte[] state) {
        return new PayloadWriter().int1(0).lenenc(0).lenenc(0)
                .int2(ServerStatus.SERVER_STATUS_AUTOCOMMIT | ServerStatus.SERVER_SESSION_STATE_CHANGED).int2(0)
                .lenencBytes(new byte[0]).lenencBytes(state).toByteArray();
    }

    static Map<String, byte[]> seeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("ok-minimal", flagged(false, Hex.bytes("00 00 00 02 00 00 00")));
        seeds.put("ok-info-to-end", flagged(false, Hex.bytes("00 01 05 02 00 01 00 52 6f 77 73 3a 20 31")));
        seeds.put("ok-eof-header", flagged(true, Hex.bytes("fe 00 00 02 00 00 00")));
        seeds.put("ok-cut-after-header", flagged(true, Hex.bytes("00")));
        seeds.put("ok-cut-in-status", flagged(true, Hex.bytes("00 00 00 02")));
        seeds.put("ok-affected-rows-8-bytes", flagged(true, Hex.bytes("00 fe ff ff ff ff ff ff ff ff 00 02 00 00 00")));
        seeds.put("ok-affected-rows-cut", flagged(true, Hex.bytes("00 fe ff ff")));
        seeds.put("ok-insert-id-fc", flagged(true, Hex.bytes("00 01 fc 01 00 02 00 00 00")));
        seeds.put("ok-null-marker", flagged(true, Hex.bytes("00 fb 00 02 00 00 00")));
        seeds.put("ok-info-longer-than-packet", flagged(true, Hex.bytes("00 00 00 02 00 00 00 fc ff 00 61")));
        seeds.put("ok-info-fe-lenenc", flagged(true, Hex.bytes("00 00 00 02 00 00 00 fe ff ff ff ff ff ff ff ff")));
        seeds.put("ok-state-longer-than-packet", flagged(true, Hex.bytes("00 00 00 02 40 00 00 00 fd ff ff ff 00")));
        byte[] autocommit = Hex.bytes("00 0f 0a 61 75 74 6f 63 6f 6d 6d 69 74 03 4f 46 46");
        byte[] schema = Hex.bytes("01 05 04 74 65 73 74");
        byte[] mysqlChange = Hex.bytes("02 02 01 31");
        byte[] mariaChange = Hex.bytes("02 01 31");
        byte[] characteristics = Packets.concat(new byte[] {4}, lenenc(lenenc("SET TRANSACTION READ ONLY;".getBytes())));
        byte[] gtid = Hex.bytes("03 03 00 01 78");
        byte[] transactionState = Hex.bytes("05 09 08 54 5f 5f 5f 5f 5f 5f 5f");
        seeds.put("ok-state-autocommit", flagged(true, okWithState(autocommit)));
        seeds.put("ok-state-everything", flagged(true, okWithState(Packets.concat(autocommit, schema, mysqlChange, mariaChange,
                characteristics, gtid, transactionState))));
        seeds.put("ok-state-variable-name-lies", flagged(true, okWithState(Hex.bytes("00 05 fc ff 00 01 61"))));
        seeds.put("ok-state-variable-value-missing", flagged(true, okWithState(Hex.bytes("00 02 01 61"))));
        seeds.put("ok-state-entry-longer-than-state", flagged(true, okWithState(Hex.bytes("00 fd ff ff 7f 01 61"))));
        seeds.put("ok-state-schema-empty", flagged(true, okWithState(Hex.bytes("01 00"))));
        seeds.put("ok-state-characteristics-empty", flagged(true, okWithState(Hex.bytes("04 00"))));
        seeds.put("ok-state-unknown-type", flagged(true, okWithState(Hex.bytes("7f 01 00"))));
        seeds.put("ok-state-type-only", flagged(true, okWithState(Hex.bytes("00"))));
        seeds.put("session-track-raw", flagged(true, Packets.concat(autocommit, schema, mysqlChange)));
        seeds.put("err-with-state", flagged(false, Hex.bytes("ff 48 04 23 48 59 30 30 30 4e 6f 20 74 61 62 6c 65 73 20 75 73 65 64")));
        seeds.put("err-without-state", flagged(false, Hex.bytes("ff 10 04 54 6f 6f 20 6d 61 6e 79")));
        seeds.put("err-state-cut", flagged(false, Hex.bytes("ff 48 04 23 48 59")));
        seeds.put("err-header-only", flagged(false, Hex.bytes("ff")));
        seeds.put("err-code-cut", flagged(false, Hex.bytes("ff 48")));
        seeds.put("eof", flagged(false, Hex.bytes("fe 00 00 02 00")));
        seeds.put("eof-header-only", flagged(false, Hex.bytes("fe")));
        seeds.put("eof-8-bytes", flagged(false, Hex.bytes("fe 00 00 02 00 00 00 00")));
        seeds.put("empty", new byte[0]);
        byte[] mysql8 = Hex.bytes("""
                0a 38 2e 30 2e 33 36 00 0b 00 00 00 3b 45 10 57 6a 1a 49 2c 00 ff ff ff 02 00 ff df 15 00 00 00 00 00 00 00
                00 00 00 01 28 39 6c 55 61 7d 33 66 24 5b 2f 00 63 61 63 68 69 6e 67 5f 73 68 61 32 5f 70 61 73 73 77 6f 72
                64 00""");
        seeds.put("handshake-mysql8", flagged(false, mysql8));
        for (int cut : new int[] {1, 7, 8, 12, 20, 21, 23, 24, 26, 28, 29, 39, 45, 52, 60}) {
            seeds.put("handshake-mysql8-cut-" + cut, flagged(false, Arrays.copyOf(mysql8, cut)));
        }
        byte[] noPart2 = Arrays.copyOf(mysql8, 39);
        noPart2[27] = 0;
        seeds.put("handshake-auth-length-0", flagged(false, noPart2));
        byte[] longAuth = mysql8.clone();
        longAuth[27] = (byte) 0xff;
        seeds.put("handshake-auth-length-255", flagged(false, longAuth));
        byte[] v9 = mysql8.clone();
        v9[0] = 9;
        seeds.put("handshake-protocol-9", flagged(false, v9));
        seeds.put("handshake-version-unterminated", flagged(false, Hex.bytes("0a 35 2e 35 2e 35")));
        return seeds;
    }
}
