package io.sluice.it;

import io.quarkus.test.junit.QuarkusTest;
import io.sluice.testing.RawClient;
import io.sluice.testing.SluiceTestResource;
import io.sluice.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client reading a huge result slowly holds the backend back instead of making Sluice buffer the result:
 * the backpressure reaches the backend read.
 */
@QuarkusTest
class StreamingTest {
    static final int ROWS = 300_000;
    static final int ROW_BYTES = 1024;

    @Test
    void aSlowReaderIsServedWithBoundedMemory() throws Exception {
        try (RawClient c = new RawClient(SluiceTestResource.port())) {
            assertThat(c.login(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD, "app").isOk()).isTrue();
            long heapBefore = usedHeap();
            RawClient.Packet first = c.query("SELECT REPEAT('x', " + ROW_BYTES + ") AS streamed FROM seq_1_to_" + ROWS);
            assertThat(first.isErr()).as(String.valueOf(first)).isFalse();

            // The client stops reading. Were Sluice buffering, it would drain the whole ~300 MB from the backend
            // within a second or two and the statement would be over.
            Thread.sleep(4000);
            assertThat(statementStillRunning()).as("the backend is still sending: Sluice stopped reading it").isTrue();
            assertThat(usedHeap() - heapBefore).as("heap grown while the client was not reading").isLessThan(64L * 1024 * 1024);

            // Now read everything: every row arrives, then the end of the result.
            int rows = 0;
            RawClient.Packet p;
            while (true) {
                p = c.read();
                if (p.header() == 0xfe && p.payload().length < 0xffffff) {
                    break;
                }
                if (p.payload().length > 1000) {
                    rows++;
                }
            }
            assertThat(rows).isEqualTo(ROWS);
            assertThat(c.query("SELECT 1").payload()).containsExactly(1);
        }
    }

    /**
     * A row longer than a packet (16 MiB or more; max_allowed_packet allows up to 1 GiB) passes through in pieces
     * as the backend sends it, never held whole: with the client reading only its first packet, Sluice holds a
     * piece of it, not the row and a copy of it (75 MB before), nor a 16 MiB packet of it.
     */
    @Test
    void aRowLongerThanAPacketPassesThroughInItsPackets() throws Exception {
        int length = 60_000_000;
        try (RawClient c = new RawClient(SluiceTestResource.port())) {
            assertThat(c.login(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD, "app").isOk()).isTrue();
            long heapBefore = usedHeap();
            assertThat(c.query("SELECT REPEAT('x', " + length + ") AS long_row").payload()).containsExactly(1);
            c.read(); // the column's definition
            int firstPart = c.read().payload().length;
            assertThat(firstPart).isEqualTo(0xffffff);

            Thread.sleep(1000);
            long grown = usedHeap() - heapBefore;
            System.out.println("StreamingTest: heap grown by " + grown + " bytes while the client read one packet of a 60 MB row");
            // Pieces of 256 KiB and what waits for the client: 0.25 MB here, but the whole test JVM's heap moves by ten
            // or so under load (a CI run measured 9.6 MB). Joined, the row and its copy took 75 MB.
            assertThat(grown).as("heap grown while the client read one packet of a 60 MB row").isLessThan(40L * 1024 * 1024);

            // The row's payload: 0xfe and an 8-byte length, then the value; then the end of the result.
            long payload = firstPart;
            RawClient.Packet p;
            do {
                p = c.read();
                payload += p.payload().length;
                for (byte b : p.payload()) {
                    if (b != 'x') {
                        assertThat((char) b).as("the value's bytes").isEqualTo('x');
                    }
                }
            } while (p.payload().length == 0xffffff);
            assertThat(payload).isEqualTo(9L + length);
            assertThat(c.read().header()).as("the end of the result").isEqualTo(0xfe);
            assertThat(c.query("SELECT 1").payload()).containsExactly(1);
        }
    }

    /** Rows around one and two packets' length (one of exactly 0xffffff bytes ends with an empty packet) reach Connector/J whole. */
    @Test
    void aRowOfExactlyOnePacketsLengthEndsWithAnEmptyPacket() throws Exception {
        // The text row's payload: the value's length (4 bytes below 16 MiB, 9 above), the value, then 'after' (6 bytes).
        int onePacket = 0xffffff - 10;
        int twoPackets = 2 * 0xffffff - 15;
        try (Connection c = java.sql.DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + SluiceTestResource.port()
                + "/app?sslMode=DISABLED&allowPublicKeyRetrieval=true&maxAllowedPacket=67108864", TestDatabase.APP_USER, TestDatabase.APP_PASSWORD);
             Statement s = c.createStatement()) {
            for (int size : new int[] {onePacket - 1, onePacket, onePacket + 1, twoPackets - 1, twoPackets, twoPackets + 1}) {
                try (ResultSet rs = s.executeQuery("SELECT REPEAT('y', " + size + "), 'after'")) {
                    assertThat(rs.next()).isTrue();
                    String value = rs.getString(1);
                    assertThat(value.length()).as("row of " + size).isEqualTo(size);
                    assertThat(value.chars().allMatch(ch -> ch == 'y')).isTrue();
                    assertThat(rs.getString(2)).isEqualTo("after");
                }
            }
        }
    }

    private static boolean statementStillRunning() throws SQLException {
        try (Connection root = TestDatabase.root(); Statement s = root.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT REPEAT(%streamed%'")) {
            rs.next();
            return rs.getInt(1) > 0;
        }
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }
}
