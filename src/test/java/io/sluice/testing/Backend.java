package io.sluice.testing;

import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The database the Sluice under test runs against: the test MariaDB, or MariaDB behind the MySQL 8.4 face
 * ({@link MySql8Backend}). A test comparing "through Sluice" with "directly" connects directly here, so that both
 * sides talk to the same kind of server.
 */
public final class Backend {
    private Backend() {
    }

    public static int port() {
        return ConfigProvider.getConfig().getValue("sluice.backend.port", Integer.class);
    }

    /** Whether the backend introduces itself as MariaDB (rather than MySQL), read from its greeting. */
    public static boolean isMariaDb() {
        try (RawClient c = new RawClient(port())) {
            return c.readHandshake().serverVersion().contains("MariaDB");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The session's isolation level variable: MariaDB 10.11 has only tx_isolation, MySQL 8 only transaction_isolation. */
    public static String isolationVariable() {
        return isMariaDb() ? "tx_isolation" : "transaction_isolation";
    }
}
