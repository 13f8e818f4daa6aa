package io.sluice.it;

import io.quarkus.test.junit.QuarkusTest;

/** MariaDB Connector/J 3: its own capability choices, text protocol unless told otherwise. */
@QuarkusTest
class MariaDbConnectorJTest extends ClientCompatibilityTest {

    @Override
    String url(int port, String schema, String params) {
        return "jdbc:mariadb://127.0.0.1:" + port + "/" + schema + "?sslMode=disable"
                + (params.isEmpty() ? "" : "&" + params);
    }

    @Override
    String binaryProtocol() {
        return "useServerPrepStmts=true";
    }

    @Override
    String multiQueries(boolean on) {
        return "allowMultiQueries=" + on;
    }

    @Override
    String affectedRows(boolean on) {
        return "useAffectedRows=" + on;
    }

    /**
     * Directly, MariaDB tells its own clients a column's extended type (JSON) through the MariaDB-only
     * extended-metadata capability. Sluice speaks the MySQL protocol to clients (its backend connections do not
     * negotiate that extension), so a JSON column is described as the LONGTEXT it is stored as. The values are equal.
     */
    @Override
    String normalizeDirectMetadata(String header) {
        return header.replace(":JSON:", ":LONGTEXT:");
    }

    @Override
    String cursorFetch() {
        return "useServerPrepStmts=true";
    }
}
