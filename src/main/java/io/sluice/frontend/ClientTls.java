package io.sluice.frontend;

import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfig.TlsMode;
import io.sluice.protocol.auth.RsaPasswordExchange;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.vertx.core.Vertx;
import io.vertx.core.net.PemKeyCertOptions;
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
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final SluiceConfig.Tls config;
    private final RsaPasswordExchange rsa;
    private volatile List<FileTime> loaded = List.of();
    private volatile SslContext context;

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

    /** Loads the certificate and key; fails startup with a clear message when they cannot be read. */
    void load(Vertx vertx) {
        if (!offered()) {
            return;
        }
        List<FileTime> stamps = stamps();
        context = build(vertx);
        loaded = stamps;
    }

    /** The TLS context for the next client that asks: the certificate as last (re)loaded. */
    SslContext context() {
        return context;
    }

    /** Re-reads the certificate and key if either file changed since they were loaded; keeps the old ones if they fail. */
    void reloadIfChanged(Vertx vertx) {
        if (!offered()) {
            return;
        }
        List<FileTime> now = stamps();
        if (now.equals(loaded)) {
            return;
        }
        loaded = now;
        try {
            context = build(vertx);
            LOG.infof("TLS certificate reloaded from %s", config.certificateFile().get());
        } catch (RuntimeException e) {
            LOG.warnf("TLS certificate reload failed (the previous one stays): %s", e.getMessage());
        }
    }

    /** Vert.x reads the PEM files (PKCS#8 and PKCS#1 keys alike); Netty makes the server context from them. */
    private SslContext build(Vertx vertx) {
        try {
            PemKeyCertOptions pem = new PemKeyCertOptions()
                    .setCertPath(config.certificateFile().get().toString()).setKeyPath(config.keyFile().get().toString());
            return SslContextBuilder.forServer(pem.getKeyManagerFactory(vertx)).protocols(PROTOCOLS).build();
        } catch (Exception e) {
            throw new IllegalStateException("cannot load sluice.tls.certificate-file / key-file: " + e.getMessage(), e);
        }
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
