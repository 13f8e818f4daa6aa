package io.sluice.packaged;

import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.sluice.it.ExternalClientsTest;

/** The CLI, PyMySQL, Node and sysbench assertions against the packaged application. */
@QuarkusIntegrationTest
class PackagedExternalClientsIT extends ExternalClientsTest {
}
