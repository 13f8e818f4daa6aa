package io.sluice.it;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.MySql8Backend;

import java.util.List;

/** {@link MultiplexingTest} with Sluice in front of MySQL 8.4 (the test MariaDB behind the MySQL 8 face). */
@QuarkusTest
@TestProfile(MultiplexingOnMySql8Test.TenBackendsOnMySql8.class)
class MultiplexingOnMySql8Test extends MultiplexingTest {

    public static class TenBackendsOnMySql8 extends TenBackends {
        @Override
        public List<TestResourceEntry> testResources() {
            return new MySql8Backend().testResources();
        }
    }
}
