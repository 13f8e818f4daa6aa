package io.sluice.it;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.ExternalProcess;
import io.sluice.testing.SluiceTestResource;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A query over sluice.client.max-packet-size, sent the way PyMySQL sends it (split into 16 MiB packets): the
 * client gets ERR 1153, in the sequence it expects after its last packet, rather than a protocol error about
 * sequence numbers.
 */
@QuarkusTest
@TestProfile(OversizedPacketTest.TwentyMegabytes.class)
class OversizedPacketTest {

    public static class TwentyMegabytes implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.client.max-packet-size", "20M");
        }
    }

    @Test
    void pyMySqlIsToldThePacketIsTooLarge() throws Exception {
        String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        ExternalProcess.Result result = ExternalProcess.run(List.of(python, ExternalClientsTest.CLIENTS.resolve("pymysql_oversized.py").toString(),
                Integer.toString(SluiceTestResource.port()), "40"), ExternalClientsTest.ENV, null, 120);
        assertThat(result.stderr()).isEmpty();
        // Three packets (16, 16 and 8 MiB; sequence ids 0 to 2): the answer must carry 3.
        assertThat(result.stdout()).startsWith("OperationalError 1153").contains("max_allowed_packet");
    }
}
