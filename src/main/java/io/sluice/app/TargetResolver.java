package io.sluice.app;

import io.quarkus.runtime.LaunchMode;
import io.sluice.config.SluiceConfig;
import io.sluice.credentials.CredentialSource;
import io.sluice.credentials.HostAndPort;
import io.sluice.pool.Target;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Optional;

/**
 * Decides which database Sluice serves: the configured backend, or in dev mode, when none is configured,
 * an embedded MariaDB started here with a ready-made user for each configured one.
 */
final class TargetResolver {
    private static final Logger LOG = Logger.getLogger(TargetResolver.class);

    private EmbeddedDatabase devDatabase;

    Target resolve(SluiceConfig config, CredentialSource credentials) throws Exception {
        if (config.backend().host().isPresent()) {
            String host = config.backend().host().get();
            return new Target(host + ":" + config.backend().port(), host, config.backend().port());
        }
        // An RDS secret names its database: with no host configured, the secrets' host and port are the target.
        Optional<HostAndPort> hint = credentials.targetHint();
        if (hint.isPresent()) {
            return new Target(hint.get().toString(), hint.get().host(), hint.get().port());
        }
        if (LaunchMode.current() != LaunchMode.DEVELOPMENT) {
            throw new IllegalStateException("No backend configured: set sluice.backend.host (env SLUICE_BACKEND_HOST), or give "
                    + "users a secret-id whose secret names a host. Only dev mode (./mvnw quarkus:dev) starts an embedded database.");
        }
        devDatabase = EmbeddedDatabase.start(List.of());
        for (var user : config.users().entrySet()) {
            if (user.getValue().password().isPresent()) {
                devDatabase.createUser(user.getKey(), user.getValue().password().get());
            }
        }
        LOG.infof("Dev mode: embedded MariaDB on 127.0.0.1:%d serves as the backend", devDatabase.port());
        return new Target("embedded:" + devDatabase.port(), devDatabase.host(), devDatabase.port());
    }

    void close() throws Exception {
        if (devDatabase != null) {
            devDatabase.close();
            devDatabase = null;
        }
    }
}
