package io.sluice.it;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.MySql8Backend;

/** {@link MariaDbConnectorJTest} with Sluice in front of MySQL 8.4 (the test MariaDB behind the MySQL 8 face). */
@QuarkusTest
@TestProfile(MySql8Backend.class)
class MariaDbConnectorJOnMySql8Test extends MariaDbConnectorJTest {
}
