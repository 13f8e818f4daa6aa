package io.sluice.it;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.MySql8Backend;

import java.util.List;

/**
 * {@link TransactionStartedByAFailureTest} with Sluice in front of MySQL 8.4 (the test MariaDB behind the MySQL 8 face),
 * which has no {@code @@in_transaction} to ask.
 */
@QuarkusTest
@TestProfile(TransactionStartedByAFailureOnMySql8Test.OneBackendOnMySql8.class)
class TransactionStartedByAFailureOnMySql8Test extends TransactionStartedByAFailureTest {

    public static class OneBackendOnMySql8 extends OneBackend {
        @Override
        public List<TestResourceEntry> testResources() {
            return new MySql8Backend().testResources();
        }
    }
}
