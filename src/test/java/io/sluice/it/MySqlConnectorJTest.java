package io.sluice.it;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sluice.testing.SluiceTestResource;

/** MySQL Connector/J: CLIENT_DEPRECATE_EOF and CLIENT_FOUND_ROWS on, mysql_native_password via auth switch or directly. */
@QuarkusTest
@QuarkusTestResource(SluiceTestResource.class)
public class MySqlConnectorJTest extends ClientCompatibilityTest {

    @Override
    String url(int port, String schema, String params) {
        return "jdbc:mysql://127.0.0.1:" + port + "/" + schema + "?sslMode=DISABLED&allowPublicKeyRetrieval=true"
                + (params.isEmpty() ? "" : "&" + params);
    }

    @Override
    String binaryProtocol() {
        return "useServerPrepStmts=true&cachePrepStmts=true";
    }

    @Override
    String multiQueries(boolean on) {
        return "allowMultiQueries=" + on;
    }

    @Override
    String affectedRows(boolean on) {
        return "useAffectedRows=" + on;
    }

    @Override
    String cursorFetch() {
        return "useCursorFetch=true&useServerPrepStmts=true";
    }
}
