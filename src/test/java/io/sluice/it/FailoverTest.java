package io.sluice.it;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.FailoverDrill;
import io.sluice.testing.OwnDatabaseProfile;
import io.sluice.testing.TestDatabase;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The database is killed hard and restarted under load. Through Sluice no client between transactions loses its
 * connection, and service resumes within a second of the database being back; directly, every client does.
 */
@QuarkusTest
@TestProfile(OwnDatabaseProfile.class)
class FailoverTest {

    @Test
    void clientsRideOutADatabaseRestart() throws Exception {
        int port = ConfigProvider.getConfig().getValue("sluice.listen.port", Integer.class);
        var db = OwnDatabaseProfile.database();
        FailoverDrill.prepare(db, 16);
        Map<String, String> urls = new LinkedHashMap<>();
        urls.put("direct", "jdbc:mysql://127.0.0.1:" + db.port() + "/app?sslMode=DISABLED&connectTimeout=2000");
        urls.put("sluice", "jdbc:mysql://127.0.0.1:" + port + "/app?sslMode=DISABLED&connectTimeout=2000");
        Map<String, FailoverDrill.Result> results = FailoverDrill.run(urls, 8, TestDatabase.APP_USER, TestDatabase.APP_PASSWORD, db, 2000, 3000, 4000);
        results.values().forEach(System.out::println);

        FailoverDrill.Result sluice = results.get("sluice");
        FailoverDrill.Result direct = results.get("direct");
        assertThat(sluice.lostBetweenTransactions()).as("Sluice clients between transactions that lost their connection").isZero();
        assertThat(sluice.resumeMillis()).as("ms from the database being back to Sluice's first success").isBetween(0L, 1000L);
        assertThat(sluice.statements()).isGreaterThan(100);
        // Directly, the restart takes every connection with it.
        assertThat(direct.connectionsLost()).isGreaterThanOrEqualTo(8);
    }
}
