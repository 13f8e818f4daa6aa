package io.sluice.backend;

import io.sluice.config.SluiceConfig.BackendTlsMode;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The Connector/J properties for TLS towards a backend. A database across a network gets its identity checked by
 * default (the RDS global bundle as CA file, say); one on loopback, as in development, gets plain TCP.
 */
public final class BackendTls {
    private BackendTls() {
    }

    /** The mode in force: the configured one, else verify-identity unless the host is a loopback address. */
    public static BackendTlsMode effectiveMode(Optional<BackendTlsMode> configured, String host) {
        return configured.orElseGet(() -> isLoopback(host) ? BackendTlsMode.DISABLED : BackendTlsMode.VERIFY_IDENTITY);
    }

    /**
     * @param atLeastRequired for IAM authentication, whose token Connector/J only sends (as a clear-text
     *                        password) over TLS
     */
    public static Map<String, String> properties(BackendTlsMode mode, Optional<Path> caFile, boolean atLeastRequired) {
        BackendTlsMode effective = atLeastRequired && mode == BackendTlsMode.DISABLED ? BackendTlsMode.REQUIRED : mode;
        Map<String, String> p = new HashMap<>();
        p.put("sslMode", effective.name());
        if (effective != BackendTlsMode.DISABLED) {
            p.put("tlsVersions", "TLSv1.2,TLSv1.3");
            caFile.ifPresent(file -> {
                Path store = trustStore(file);
                p.put("trustCertificateKeyStoreUrl", store.toUri().toString());
                p.put("trustCertificateKeyStoreType", "PKCS12");
                p.put("trustCertificateKeyStorePassword", TRUST_STORE_PASSWORD);
                p.put("fallbackToSystemTrustStore", "false");
            });
        }
        return p;
    }

    /** Not a secret: the store holds public CA certificates only, and Connector/J insists on a password. */
    private static final String TRUST_STORE_PASSWORD = "sluice-ca";

    /**
     * Connector/J reads trust stores, not PEM bundles: the bundle becomes a PKCS#12 store in the temp directory
     * (the one place a read-only container may write).
     */
    static Path trustStore(Path pemBundle) {
        try {
            CertificateFactory x509 = CertificateFactory.getInstance("X.509");
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int i = 0;
            for (Certificate cert : x509.generateCertificates(new ByteArrayInputStream(Files.readAllBytes(pemBundle)))) {
                store.setCertificateEntry("ca-" + i++, cert);
            }
            if (i == 0) {
                throw new IllegalStateException("no certificate in sluice.backend.tls.ca-file " + pemBundle);
            }
            Path file = Files.createTempFile("sluice-backend-ca", ".p12");
            try (OutputStream out = Files.newOutputStream(file)) {
                store.store(out, TRUST_STORE_PASSWORD.toCharArray());
            }
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // Not a POSIX file system.
            }
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read sluice.backend.tls.ca-file " + pemBundle + ": " + e.getMessage(), e);
        }
    }

    private static boolean isLoopback(String host) {
        if (host.equals("localhost")) {
            return true;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }
}
