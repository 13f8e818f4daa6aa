package io.sluice.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Encodings from page_protocol_basic_data_types, written out by hand. */
class PayloadWriterTest {

    private static String lenenc(long v) {
        return Hex.dump(new PayloadWriter().lenenc(v).toByteArray());
    }

    @Test
    void lengthEncodedIntegerBoundaries() {
        // < 251: the value itself in one byte
        assertThat(lenenc(0)).isEqualTo("00");
        assertThat(lenenc(250)).isEqualTo("fa");
        // 251 <= v < 2^16: 0xfc + int<2>
        assertThat(lenenc(251)).isEqualTo("fc fb 00");
        assertThat(lenenc(65535)).isEqualTo("fc ff ff");
        // 2^16 <= v < 2^24: 0xfd + int<3>
        assertThat(lenenc(65536)).isEqualTo("fd 00 00 01");
        assertThat(lenenc(16777215)).isEqualTo("fd ff ff ff");
        // 2^24 <= v < 2^64: 0xfe + int<8>
        assertThat(lenenc(16777216)).isEqualTo("fe 00 00 00 01 00 00 00 00");
        assertThat(lenenc(Long.MAX_VALUE)).isEqualTo("fe ff ff ff ff ff ff ff 7f");
    }

    @Test
    void negativeLongIsWrittenAsItsUnsigned64BitValue() {
        // The reader returns 2^64 - 1 as -1; writing -1 must give the same nine bytes back.
        assertThat(lenenc(-1)).isEqualTo("fe ff ff ff ff ff ff ff ff");
    }

    @Test
    void lengthEncodedIntegersRoundTripThroughTheReader() {
        long[] values = {0, 1, 250, 251, 252, 65535, 65536, 16777215, 16777216, 1L << 32, Long.MAX_VALUE};
        PayloadWriter w = new PayloadWriter(4);
        for (long v : values) {
            w.lenenc(v);
        }
        PayloadReader r = new PayloadReader(w.toByteArray());
        for (long v : values) {
            assertThat(r.readLenenc()).isEqualTo(v);
        }
        assertThat(r.hasRemaining()).isFalse();
    }

    @Test
    void fixedLengthIntegersAreLittleEndian() {
        byte[] out = new PayloadWriter()
                .int1(0x1ff) // only the low byte
                .int2(0x1234)
                .int3(0x123456)
                .int4(0xfffffffeL)
                .int8(0x0102030405060708L)
                .toByteArray();
        assertThat(Hex.dump(out)).isEqualTo("ff 34 12 56 34 12 fe ff ff ff 08 07 06 05 04 03 02 01");
    }

    @Test
    void strings() {
        byte[] out = new PayloadWriter()
                .nulTerminated("root")       // string<NUL>
                .lenencString("def")         // string<lenenc>
                .lenencString("é")           // UTF-8, two bytes
                .lenencBytes(new byte[0])    // empty string<lenenc>
                .string("ok")                // string<EOF> / fixed: no length, no terminator
                .toByteArray();
        assertThat(Hex.dump(out)).isEqualTo("72 6f 6f 74 00 03 64 65 66 02 c3 a9 00 6f 6b");
    }

    @Test
    void lengthEncodedStringOf251BytesUsesTheTwoBytePrefix() {
        byte[] value = new byte[251];
        byte[] out = new PayloadWriter().lenencBytes(value).toByteArray();
        assertThat(out).hasSize(3 + 251);
        assertThat(Hex.dump(java.util.Arrays.copyOf(out, 3))).isEqualTo("fc fb 00");
    }

    @Test
    void zerosAndSlices() {
        byte[] out = new PayloadWriter()
                .zeros(3)
                .bytes(Hex.bytes("aa bb cc dd"), 1, 2)
                .toByteArray();
        assertThat(Hex.dump(out)).isEqualTo("00 00 00 bb cc");
    }

    @Test
    void growsPastItsInitialCapacityAndReportsItsLength() {
        PayloadWriter w = new PayloadWriter(1);
        for (int i = 0; i < 1000; i++) {
            w.int1(i);
        }
        assertThat(w.length()).isEqualTo(1000);
        byte[] out = w.toByteArray();
        assertThat(out).hasSize(1000);
        for (int i = 0; i < 1000; i++) {
            assertThat(out[i]).isEqualTo((byte) i);
        }
        // one large write far beyond double the capacity
        w.bytes(new byte[100_000]);
        assertThat(w.length()).isEqualTo(101_000);
    }

    @Test
    void toByteArrayIsACopy() {
        PayloadWriter w = new PayloadWriter().int1(1);
        byte[] first = w.toByteArray();
        first[0] = 9;
        assertThat(w.toByteArray()).containsExactly(1);
    }
}
