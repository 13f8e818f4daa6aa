package io.sluice.it;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.observe.Telemetry;
import io.sluice.protocol.CommandType;
import io.sluice.session.PinReason;
import io.sluice.testing.Management;
import io.sluice.testing.TestDatabase;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Sluice that has served no one already exports every counter whose labels are known, at zero: each pin reason,
 * each reason a login fails for, each client command, and the pool meters of every configured user. An alert on
 * {@code rate(sluice_pins_total[5m])} or on borrow timeouts then reads 0 from the first scrape instead of nothing.
 */
@QuarkusTest
@TestProfile(MetricsFromStartTest.Fresh.class)
class MetricsFromStartTest {
    /** A profile of its own, so that this Sluice starts for this test and has served no client before it scrapes. */
    public static class Fresh implements QuarkusTestProfile {
    }

    @Test
    void everyCounterWithKnownLabelsIsExportedAtZeroBeforeAnyClient() throws Exception {
        Management.Response scrape = Management.get("/q/metrics");
        assertThat(scrape.status()).isEqualTo(200);
        String metrics = scrape.body();

        for (PinReason reason : PinReason.values()) {
            assertThat(metrics).contains("sluice_pins_total{reason=\"" + reason.label() + "\"} 0.0");
        }
        for (String reason : Telemetry.AUTH_FAILURE_REASONS) {
            assertThat(metrics).contains("sluice_auth_failures_total{reason=\"" + reason + "\"} 0.0");
        }
        for (String command : CommandType.names()) {
            assertThat(metrics).contains("sluice_queries_total{command=\"" + command + "\"} 0.0")
                    .contains("sluice_query_errors_total{command=\"" + command + "\"} 0.0");
        }
        String target = "127.0.0.1:" + TestDatabase.get().port();
        for (String user : List.of(TestDatabase.APP_USER, TestDatabase.OTHER_USER)) {
            String labels = "{target=\"" + target + "\",user=\"" + user + "\"}";
            assertThat(metrics).as("user %s", user)
                    .contains("sluice_database_connection_borrow_timeouts_total" + labels + " 0.0")
                    .contains("sluice_database_connection_setup_failures_total" + labels + " 0.0")
                    .contains("sluice_clients_waiting" + labels + " 0.0")
                    .contains("sluice_database_connections_max" + labels + " " + ConfigProvider.getConfig().getValue("sluice.pool.max-size", Integer.class) + ".0")
                    .containsPattern("sluice_database_connections\\{state=\"borrowed\",target=\"" + Pattern.quote(target) + "\",user=\"" + user + "\"} 0\\.0");
        }
    }

    /** The reasons counted from start are the ones the code gives: a reason added at a call site must be added there too. */
    @Test
    void everyAuthFailureReasonTheCodeGivesIsCountedFromStart() throws Exception {
        Pattern call = Pattern.compile("authFailed\\(([^)]*)\\)");
        Pattern literal = Pattern.compile("\"([a-z-]+)\"");
        List<Path> sources;
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            sources = files.filter(f -> f.toString().endsWith(".java")).toList();
        }
        int found = 0;
        for (Path source : sources) {
            Matcher calls = call.matcher(Files.readString(source));
            while (calls.find()) {
                Matcher reasons = literal.matcher(calls.group(1));
                while (reasons.find()) {
                    found++;
                    assertThat(Telemetry.AUTH_FAILURE_REASONS).as("%s gives %s", source.getFileName(), reasons.group(1)).contains(reasons.group(1));
                }
            }
        }
        assertThat(found).as("authFailed(\"...\") calls found").isGreaterThanOrEqualTo(Telemetry.AUTH_FAILURE_REASONS.size());
    }
}
