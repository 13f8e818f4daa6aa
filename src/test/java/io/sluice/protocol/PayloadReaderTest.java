package io.sluice.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The basic data types of the client/server protocol (MySQL Source Code Documentation,
 * page_protocol_basic_data_types): fixed-length little-endian integers, length-encoded integers
 * (0xfc + int<2>, 0xfd + int<3>, 0xfe + int<8>; 0xfb and 0xff are not integers), NUL-terminated,
 * length-encoded and rest-of-packet strings.
 */
class PayloadReaderTest {

    @Test
    void fixedLengthIntegersAreLittleEndianAndUnsigned() {
        PayloadReader r = new PayloadReader(Hex.bytes("""
                ff
                34 12
                56 34 12
                ff ff ff ff
                08 07 06 05 04 03 02 81
                """));
        assertThat(r.readInt1()).isEqualTo(0xff);
        assertThat(r.readInt2()).isEqualTo(0x1234);
        assertThat(r.readInt3()).isEqualTo(0x123456);
        // int<4> does not fit a Java int unsigned: 0xffffffff must come back as 4294967295.
        assertThat(r.readInt4()).isEqualTo(0xffffffffL);
        // int<8> with the top bit set: all 64 bits are kept (the value is negative as a Java long).
        assertThat(r.readInt8()).isEqualTo(0x8102030405060708L);
        assertThat(r.hasRemaining()).isFalse();
        assertThat(r.remaining()).isZero();
    }

    @Test
    void int2AndInt3AtTheirMaximum() {
        PayloadReader r = new PayloadReader(Hex.bytes("ff ff  ff ff ff"));
        assertThat(r.readInt2()).isEqualTo(65535);
        assertThat(r.readInt3()).isEqualTo(16777215);
    }

    @Test
    void lengthEncodedIntegersAtEveryPrefixBoundary() {
        PayloadReader r = new PayloadReader(Hex.bytes("""
                00
                fa
                fc fb 00
                fc ff ff
                fd 00 00 01
                fd ff ff ff
                fe 00 00 00 01 00 00 00 00
                fe ff ff ff ff ff ff ff 7f
                """));
        // 1 byte: values 0..250
        assertThat(r.readLenenc()).isZero();
        assertThat(r.readLenenc()).isEqualTo(250);
        // 0xfc + int<2>: 251..65535
        assertThat(r.readLenenc()).isEqualTo(251);
        assertThat(r.readLenenc()).isEqualTo(65535);
        // 0xfd + int<3>: 65536..16777215
        assertThat(r.readLenenc()).isEqualTo(65536);
        assertThat(r.readLenenc()).isEqualTo(16777215);
        // 0xfe + int<8>: 16777216 and up
        assertThat(r.readLenenc()).isEqualTo(16777216);
        assertThat(r.readLenenc()).isEqualTo(Long.MAX_VALUE);
        assertThat(r.hasRemaining()).isFalse();
    }

    @Test
    void lengthEncodedIntegerBeyondLongMaxComesBackNegative() {
        // 2^64 - 1 is a legal int<lenenc>; the reader documents it returns it as a negative long.
        PayloadReader r = new PayloadReader(Hex.bytes("fe ff ff ff ff ff ff ff ff"));
        assertThat(r.readLenenc()).isEqualTo(-1L);
    }

    @Test
    void nullAndErrPrefixesAreNotLengthEncodedIntegers() {
        // 0xfb is NULL in a text row, 0xff starts an ERR packet: neither is an integer.
        assertThatThrownBy(() -> new PayloadReader(Hex.bytes("fb")).readLenenc())
                .isInstanceOf(MalformedPacketException.class);
        assertThatThrownBy(() -> new PayloadReader(Hex.bytes("ff 00 00")).readLenenc())
                .isInstanceOf(MalformedPacketException.class);
    }

    @Test
    void truncatedLengthEncodedIntegersThrow() {
        assertThatThrownBy(() -> new PayloadReader(Hex.bytes("fc 01")).readLenenc())
                .isInstanceOf(MalformedPacketException.class);
        assertThatThrownBy(() -> new PayloadReader(Hex.bytes("fd 01 02")).readLenenc())
                .isInstanceOf(MalformedPacketException.class);
        assertThatThrownBy(() -> new PayloadReader(Hex.bytes("fe 01 02 03 04 05 06 07")).readLenenc())
                .isInstanceOf(MalformedPacketException.class);
        assertThatThrownBy(() -> new PayloadReader(new byte[0]).readLenenc())
                .isInstanceOf(MalformedPacketException.class);
    }

    @Test
    void everyFixedReadPastTheEndThrowsMalformed() {
        assertThatThrownBy(() -> new PayloadReader(new byte[0]).readInt1()).isInstanceOf(MalformedPacketException.class);
        assertThatThrownBy(() -> new PayloadReader(new byte[1]).readInt2()).isInstanceOf(MalformedPacketException.class);
        assertThatThrownBy(() -> new PayloadReader(new byte[2]).readInt3()).isInstanceOf(MalformedPacketException.class);
        assertThatThrownBy(() -> new PayloadReader(new byte[3]).readInt4()).isInstanceOf(MalformedPacketException.class);
        assertThatThrownBy(() -> new PayloadReader(new byte[7]).readInt8()).isInstanceOf(MalformedPacketException.class);
        assertThatThrownBy(() -> new PayloadReader(new byte[4]).readBytes(5)).isInstanceOf(MalformedPacketException.class);
        assertThatThrownBy(() -> new PayloadReader(new byte[4]).skip(5)).isInstanceOf(MalformedPacketException.class);
        assertThatThrownBy(() -> new PayloadReader(new byte[0]).peek()).isInstanceOf(MalformedPacketException.class);
    }

    @Test
    void negativeCountsAreRefused() {
        // A length taken from a peer and converted to int can be negative; it must not move the position back.
        assertThatThrownBy(() -> new PayloadReader(new byte[4]).readBytes(-1)).isInstanceOf(MalformedPacketException.class);
        assertThatThrownBy(() -> new PayloadReader(new byte[4]).skip(-1)).isInstanceOf(MalformedPacketException.class);
    }

    @Test
    void lengthEncodedStrings() {
        PayloadReader r = new PayloadReader(Hex.bytes("""
                03 64 65 66
                00
                02 c3 a9
                """));
        // "def", the catalog of every column definition
        assertThat(r.readLenencString()).isEqualTo("def");
        // the empty string
        assertThat(r.readLenencBytes()).isEmpty();
        // "é" in UTF-8 is two bytes
        assertThat(r.readLenencString()).isEqualTo("é");
        assertThat(r.hasRemaining()).isFalse();
    }

    @Test
    void lengthEncodedStringLongerThanThePacketThrows() {
        // declares 5 bytes, 3 follow
        assertThatThrownBy(() -> new PayloadReader(Hex.bytes("05 61 62 63")).readLenencBytes())
                .isInstanceOf(MalformedPacketException.class);
        // declares 0x1000000 (16 MiB) through 0xfe + int<8>, 2 follow: must not try to allocate
        assertThatThrownBy(() -> new PayloadReader(Hex.bytes("fe 00 00 00 01 00 00 00 00 61 62")).readLenencBytes())
                .isInstanceOf(MalformedPacketException.class);
        // declares 2^64 - 1 bytes (negative as a long)
        assertThatThrownBy(() -> new PayloadReader(Hex.bytes("fe ff ff ff ff ff ff ff ff 61")).readLenencString())
                .isInstanceOf(MalformedPacketException.class);
        // declares 0x7fffffff + 1 bytes, which would overflow an int cast
        assertThatThrownBy(() -> new PayloadReader(Hex.bytes("fe 00 00 00 80 00 00 00 00 61")).readLenencBytes())
                .isInstanceOf(MalformedPacketException.class);
    }

    @Test
    void lengthEncodedStringMayFillThePacketExactly() {
        PayloadReader r = new PayloadReader(Hex.bytes("03 61 62 63"));
        assertThat(r.readLenencString()).isEqualTo("abc");
        assertThat(r.hasRemaining()).isFalse();
    }

    @Test
    void nulTerminatedStrings() {
        // "root\0" then "\0" (empty string) then "t\0"
        PayloadReader r = new PayloadReader(Hex.bytes("72 6f 6f 74 00 00 74 00"));
        assertThat(r.readNulTerminatedString()).isEqualTo("root");
        assertThat(r.readNulTerminatedBytes()).isEmpty();
        assertThat(r.readNulTerminatedString()).isEqualTo("t");
        assertThat(r.hasRemaining()).isFalse();
    }

    @Test
    void nulTerminatedStringWithoutTheNulThrows() {
        assertThatThrownBy(() -> new PayloadReader(Hex.bytes("72 6f 6f 74")).readNulTerminatedString())
                .isInstanceOf(MalformedPacketException.class);
        assertThatThrownBy(() -> new PayloadReader(new byte[0]).readNulTerminatedBytes())
                .isInstanceOf(MalformedPacketException.class);
    }

    @Test
    void restOfPacketString() {
        PayloadReader r = new PayloadReader(Hex.bytes("ff 48 04 4e 6f"));
        r.skip(3);
        assertThat(r.readRest()).containsExactly(0x4e, 0x6f);
        assertThat(r.readRest()).isEmpty();
    }

    @Test
    void peekDoesNotConsume() {
        PayloadReader r = new PayloadReader(Hex.bytes("23 48"));
        assertThat(r.peek()).isEqualTo('#');
        assertThat(r.position()).isZero();
        assertThat(r.readInt1()).isEqualTo('#');
        assertThat(r.position()).isEqualTo(1);
    }

    @Test
    void aWindowOnALargerBufferNeverReadsOutsideIt() {
        // A connection reuses one buffer; only [offset, offset + length) is this packet.
        byte[] buffer = Hex.bytes("aa bb 61 62 63 00 cc dd");
        PayloadReader r = new PayloadReader(buffer, 2, 3);
        assertThat(r.position()).isEqualTo(2);
        assertThat(r.remaining()).isEqualTo(3);
        // "abc" is followed by a NUL in the buffer but not in the window: no terminator in this packet.
        assertThatThrownBy(r::readNulTerminatedString).isInstanceOf(MalformedPacketException.class);
        assertThat(r.readBytes(3)).containsExactly(0x61, 0x62, 0x63);
        assertThatThrownBy(r::readInt1).isInstanceOf(MalformedPacketException.class);
        assertThat(r.readRest()).isEmpty();
    }

    @Test
    void lengthEncodedStringIsCheckedAgainstTheWindowNotTheArray() {
        byte[] buffer = Hex.bytes("04 61 62 63 64");
        PayloadReader r = new PayloadReader(buffer, 0, 4);
        assertThatThrownBy(r::readLenencBytes).isInstanceOf(MalformedPacketException.class);
    }
}
