package io.sluice.transparency;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.MySql8Backend;

import java.util.List;

/**
 * {@link TransactionPoolingTransparencyTest} with Sluice in front of MySQL 8.4 as the protocol sees it (the test MariaDB
 * behind the MySQL 8 face). The oracle's direct connections go to the same face, so each program is compared against
 * what it observes on its own connection to that server; SQL the face refuses (SET STATEMENT, for one) is refused on
 * both sides alike.
 */
@QuarkusTest
@TestProfile(TransactionPoolingTransparencyOnMySql8Test.FourBackendsOnMySql8.class)
class TransactionPoolingTransparencyOnMySql8Test extends TransactionPoolingTransparencyTest {

    public static class FourBackendsOnMySql8 extends FourBackends {
        @Override
        public List<TestResourceEntry> testResources() {
            return new MySql8Backend().testResources();
        }
    }

    @Override
    long buildSeconds() {
        // The face adds a hop to each statement; the run is shorter so that the build's time stays where it was.
        return 30;
    }
}
