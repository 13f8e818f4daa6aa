package io.sluice.packaged;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.testing.PackagedSluice;
import io.sluice.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.sluice.testing.Sql.one;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * JSON console logs for log shippers (Fluent Bit, CloudWatch via awslogs): switched on with one setting, every line
 * the packaged Sluice prints is then one JSON object, connection events included, and still no secret.
 */
class JsonLogsIT {
    static final String WRONG_PASSWORD = "json-logs-wrong-pw";

    @Test
    void everyLineIsAJsonRecordAndAuthFailuresAreAmongThem() throws Exception {
        List<JsonNode> records = new ArrayList<>();
        String printed;
        try (PackagedSluice sluice = PackagedSluice.start("quarkus.log.console.json.enabled=true")) {
            assertThatThrownBy(() -> sluice.connect(WRONG_PASSWORD).close()).isInstanceOf(SQLException.class);
            try (Connection c = sluice.connect()) {
                assertThat(one(c, "SELECT 1")).isEqualTo("1");
            }
            sluice.process.destroy();
            assertThat(sluice.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            printed = Files.readString(sluice.output);
        }
        ObjectMapper json = new ObjectMapper();
        for (String line : printed.lines().filter(l -> !l.isBlank()).toList()) {
            JsonNode record = json.readTree(line);
            assertThat(record.isObject()).as("a JSON object: %s", line).isTrue();
            records.add(record);
        }
        assertThat(records).anySatisfy(r -> {
            assertThat(r.path("loggerName").asText()).isEqualTo("io.sluice.frontend.ClientSession");
            assertThat(r.path("level").asText()).isEqualTo("INFO");
            assertThat(r.path("message").asText()).contains("access denied for user 'app'");
        });
        assertThat(records).anySatisfy(r -> assertThat(r.path("message").asText()).contains("listening for MySQL clients"));
        assertThat(printed).doesNotContain(WRONG_PASSWORD).doesNotContain(TestDatabase.APP_PASSWORD);
    }
}
