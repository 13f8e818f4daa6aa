package io.sluice.packaged;

import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.sluice.it.MySqlConnectorJTest;

/** The MySQL Connector/J assertions against the packaged application (the JAR, or with -Dnative the executable). */
@QuarkusIntegrationTest
class PackagedMySqlConnectorJIT extends MySqlConnectorJTest {
}
