package io.sluice.protocol;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Column definitions and text rows as MariaDB 10.11 sent them for {@code SELECT @u, @d, @s, HEX(@s)}. */
class ColumnDefinitionTest {

    @Test
    void anUnsignedIntegerVariable() {
        ColumnDefinition c = ColumnDefinition.decode(java.util.HexFormat.of().parseHex("03646566000000024075000c3f001400000008a000000000"));
        assertThat(c).isEqualTo(new ColumnDefinition("@u", 63, 20, ColumnDefinition.MYSQL_TYPE_LONGLONG, 0xa0, 0));
        assertThat(c.flags() & ColumnDefinition.UNSIGNED_FLAG).isNotZero();
    }

    @Test
    void aDecimalVariableDeclaresNoScaleOfItsOwn() {
        ColumnDefinition c = ColumnDefinition.decode(java.util.HexFormat.of().parseHex("03646566000000024064000c3f0053000000f68000260000"));
        assertThat(c).isEqualTo(new ColumnDefinition("@d", 63, 83, ColumnDefinition.MYSQL_TYPE_NEWDECIMAL, 0x80, 38));
    }

    @Test
    void aStringVariableIsSentInTheResultsCharacterSet() {
        ColumnDefinition c = ColumnDefinition.decode(java.util.HexFormat.of().parseHex("03646566000000024073000c2d00fcffff03fb0000270000"));
        assertThat(c.collationId()).isEqualTo(45);
        assertThat(c.type()).isEqualTo(ColumnDefinition.MYSQL_TYPE_LONG_BLOB);
        assertThat(c.length()).isEqualTo(67108860);
    }

    @Test
    void textRowValuesAndNull() {
        byte[][] row = ColumnDefinition.textRow(java.util.HexFormat.of().parseHex("14313834343637343430373337303935353136313504312e353002c3a9024539"), 4);
        assertThat(new String(row[0])).isEqualTo("18446744073709551615");
        assertThat(new String(row[1])).isEqualTo("1.50");
        assertThat(row[2]).containsExactly(0xc3, 0xa9);
        assertThat(new String(row[3])).isEqualTo("E9");
        byte[][] withNull = ColumnDefinition.textRow(new byte[] {(byte) 0xfb, 0x01, 0x78}, 2);
        assertThat(withNull[0]).isNull();
        assertThat(withNull[1]).containsExactly('x');
    }

    @Test
    void digitsSentInAWideCharacterSetReadAsAscii() {
        assertThat(ColumnDefinition.ascii(new byte[] {0, '4', 0, '2'})).isEqualTo("42");
        assertThat(ColumnDefinition.ascii("-1.5e3".getBytes())).isEqualTo("-1.5e3");
    }

    @Test
    void aTruncatedDefinitionIsRefused() {
        assertThatThrownBy(() -> ColumnDefinition.decode(java.util.HexFormat.of().parseHex("0364656600")))
                .isInstanceOf(MalformedPacketException.class);
    }
}
