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
