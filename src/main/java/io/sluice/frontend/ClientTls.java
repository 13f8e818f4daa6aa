package io.sluice.frontend;

import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfig.TlsMode;
import io.sluice.protocol.auth.RsaPasswordExchange;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.SSLOptions;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * TLS towards clients: the certificate and key from PEM files (re-read when they change, so that cert-manager
 * or a rotated Secret takes effect without a restart), TLS 1.2 and 1.3 only, and the RSA key pair that
 * caching_sha2_password uses with clients that do not use TLS.
 */
final class ClientTls {
    private static final Logger LOG = Logger.getLogger(ClientTls.class);
    static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

    private final SluiceConfig.Tls config;
    private final RsaPasswordExchange rsa;
    private volatile List<FileTime> loaded = List.of();

    ClientTls(SluiceConfig.Tls config) {
        this.config = config;
        if (mode() != TlsMode.DISABLED && (config.certificateFile().isEmpty() || config.keyFile().isEmpty())) {
            throw new IllegalStateException("sluice.tls.mode=" + mode().name().toLowerCase() + " needs sluice.tls.certificate-file and sluice.tls.key-file");
        }
        this.rsa = config.rsaKeyFile().map(ClientTls::readRsa).orElseGet(RsaPasswordExchange::generate);
    }

    private static RsaPasswordExchange readRsa(Path file) {
        try {
            return RsaPasswordExchange.fromPem(Files.readString(file));
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the RSA key in sluice.tls.rsa-key-file: " + e.getMessage(), e);
        }
    }

    TlsMode mode() {
        return config.effectiveMode();
    }

    boolean offered() {
        return mode() != TlsMode.DISABLED;
    }

    RsaPasswordExchange rsa() {
        return rsa;
    }

    /** Server options that allow a plaintext connection to be upgraded after the client's SSLRequest. */
    void configure(NetServerOptions options) {
        if (!offered()) {
            return;
        }
        // ssl stays false: MySQL starts in plaintext and upgrades (STARTTLS-style) when the client asks.
        options.setSsl(false).setKeyCertOptions(keyCert()).setEnabledSecureTransportProtocols(PROTOCOLS);
        loaded = stamps();
    }

    /** Re-reads the certificate and key if either file changed since they were loaded. */
    void reloadIfChanged(NetServer server) {
        if (!offered()) {
            return;
        }
        List<FileTime> now = stamps();
        if (now.equals(loaded)) {
            return;
        }
        loaded = now;
        server.updateSSLOptions(new SSLOptions().setKeyCertOptions(keyCert()).setEnabledSecureTransportProtocols(PROTOCOLS), true)
                .onSuccess(changed -> LOG.infof("TLS certificate reloaded from %s", config.certificateFile().get()))
                .onFailure(e -> LOG.warnf("TLS certificate reload failed (the previous one stays): %s", e.getMessage()));
    }

    private PemKeyCertOptions keyCert() {
        return new PemKeyCertOptions().setCertPath(config.certificateFile().get().toString()).setKeyPath(config.keyFile().get().toString());
    }

    private List<FileTime> stamps() {
        return java.util.stream.Stream.of(config.certificateFile().get(), config.keyFile().get()).map(p -> {
            try {
                return Files.getLastModifiedTime(p);
            } catch (IOException e) {
                return FileTime.fromMillis(0);
            }
        }).filter(Objects::nonNull).toList();
    }
}
