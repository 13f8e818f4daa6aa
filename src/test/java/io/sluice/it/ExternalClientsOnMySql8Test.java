package io.sluice.it;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.ExternalProcess.Result;
import io.sluice.testing.MySql8Backend;
import io.sluice.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link ExternalClientsTest} with Sluice in front of MySQL 8.4 (the test MariaDB behind the MySQL 8 face). */
@QuarkusTest
@TestProfile(MySql8Backend.class)
class ExternalClientsOnMySql8Test extends ExternalClientsTest {

    /**
     * Node's mysql package knows no caching_sha2_password, so it cannot log in to a MySQL 8.4 account at all
     * (its UNSUPPORTED_AUTH_METHOD), while Sluice accepts its mysql_native_password answer and takes it to MySQL 8.4.
     * With no direct run to compare with, the reference is the same client directly on MariaDB, whose answers the
     * face passes on.
     */
    @Override
    @Test
    void nodeMysqlSeesTheSameAsDirectly() throws Exception {
        assertThat(node(direct()).stdout()).startsWith("error undefined undefined UNSUPPORTED_AUTH_METHOD");
        Result reference = node(TestDatabase.get().port());
        assertThat(reference.exitCode()).as(reference.stderr()).isZero();
        Result proxied = node(sluice());
        assertThat(proxied.stderr()).isEmpty();
        assertThat(proxied.stdout()).isEqualTo(reference.stdout()).contains("Division by 0").contains("error 1146 42S02");
    }
}
