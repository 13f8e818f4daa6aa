package io.sluice.fuzz;

import io.sluice.app.EmbeddedDatabase;
import io.sluice.config.SluiceConfig;
import io.sluice.credentials.CredentialSource;
import io.sluice.credentials.TestConfig;
import io.sluice.frontend.SessionBench;
import io.sluice.observe.Telemetry;
import io.sluice.pool.BackendPools;
import io.sluice.pool.Target;
import io.sluice.testing.TestDatabase;

import java.util.Map;

/**
 * What {@link ClientSessionFuzzTest} runs sessions against, set up once per JVM: the test run's MariaDB, a user of
 * its own that can do little harm whatever SQL the fuzzer writes (its own schema, no global privilege, statements
 * stopped after half a second), backend pools for it, and a {@link SessionBench}.
 */
final class FuzzBackend {
    static final String USER = "fuzz";
    static final String PASSWORD = "fuzz-pw";
    static final String SCHEMA = "fuzz";
    /** sluice.client.max-packet-size of the sessions. */
    static final int MAX_PACKET = 1 << 20;

    private static FuzzBackend instance;

    final int port;
    final BackendPools pools;
    /** Sessions proposing mysql_native_password (the default). */
    final SessionBench bench;
    /** Sessions proposing caching_sha2_password, whose full authentication (RSA) a MariaDB-fronted Sluice then offers. */
    final SessionBench cachingSha2Bench;

    private FuzzBackend() throws Exception {
        EmbeddedDatabase db = TestDatabase.get();
        port = db.port();
        db.execute("CREATE DATABASE IF NOT EXISTS " + SCHEMA,
                "CREATE TABLE IF NOT EXISTS " + SCHEMA + ".t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(200))",
                "CREATE USER IF NOT EXISTS '" + USER + "'@'%' IDENTIFIED BY '" + PASSWORD + "' WITH MAX_STATEMENT_TIME 0.5 MAX_USER_CONNECTIONS 40",
                "GRANT SELECT, INSERT, UPDATE, DELETE, CREATE TEMPORARY TABLES, LOCK TABLES, EXECUTE ON " + SCHEMA + ".* TO '" + USER + "'@'%'");
        Map<String, String> properties = Map.of(
                "sluice.backend.host", db.host(),
                "sluice.backend.port", Integer.toString(port),
                "sluice.users." + USER + ".password", PASSWORD,
                "sluice.pool.max-size", "4",
                "sluice.pool.borrow-timeout", "2s",
                "sluice.client.max-packet-size", Integer.toString(MAX_PACKET),
                "sluice.client.handshake-timeout", "5s");
        SluiceConfig config = TestConfig.of(properties);
        CredentialSource credentials = TestConfig.credentials(config);
        pools = new BackendPools(new Target("fuzz-db", db.host(), port), credentials, config, Telemetry.NONE);
        // Learn the server's identity now, so that no session waits for it.
        pools.probe(USER);
        bench = new SessionBench(config, pools);
        Map<String, String> cachingSha2 = new java.util.HashMap<>(properties);
        cachingSha2.put("sluice.client.auth-plugin", "caching_sha2_password");
        cachingSha2Bench = new SessionBench(TestConfig.of(cachingSha2), pools);
    }

    static synchronized FuzzBackend get() {
        if (instance == null) {
            try {
                instance = new FuzzBackend();
            } catch (Exception e) {
                throw new IllegalStateException("could not set up the fuzzing backend", e);
            }
        }
        return instance;
    }
}
