package io.sluice.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Sluice with a TLS certificate from a test CA (preferred mode unless a subclass says otherwise). */
public class TlsProfile implements QuarkusTestProfile {

    /**
     * TLS, with caching_sha2_password proposed so that its full authentication (over TLS or RSA) can be exercised,
     * and a MySQL 8 version announced: a MariaDB server has no caching_sha2_password, and Sluice in front of one
     * switches such clients to mysql_native_password as MariaDB does.
     */
    public static class CachingSha2 extends TlsProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> m = new java.util.HashMap<>(super.getConfigOverrides());
            m.put("sluice.client.auth-plugin", "caching_sha2_password");
            m.put("sluice.backend.server-version", "8.0.36-sluice-test");
            return m;
        }
    }
    private static volatile TestCertificates certificates;
    private static volatile Path[] current;

    public static TestCertificates certificates() {
        return certificates;
    }

    /** Replaces the served certificate (and key) files in place, as a rotated Kubernetes Secret would. */
    public static void rotate(long serial) throws Exception {
        Path[] next = certificates.server("server", serial);
        if (!next[0].equals(current[0])) {
            throw new IllegalStateException("rotation must rewrite the same files");
        }
    }

    protected String mode() {
        return "preferred";
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("sluice.tls.mode", mode(), "sluice.tls.reload-interval", "1s");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(Resource.class));
    }

    public static class Resource implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            try {
                certificates = new TestCertificates();
                current = certificates.server("server", 100);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return Map.of("sluice.tls.certificate-file", current[0].toString(), "sluice.tls.key-file", current[1].toString());
        }

        @Override
        public void stop() {
        }
    }
}
