package io.sluice.app;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sluice.config.SluiceConfig;
import io.sluice.credentials.CredentialSource;
import io.sluice.frontend.ClientListener;
import io.sluice.frontend.ClientRegistry;
import io.sluice.observe.Telemetry;
import io.sluice.pool.BackendPools;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;

/** Starts Sluice with the application and stops it with it: target, pools, then the listener. */
@ApplicationScoped
public class SluiceServer {
    private static final Logger LOG = Logger.getLogger(SluiceServer.class);

    @Inject
    SluiceConfig config;
    @Inject
    CredentialSource credentials;
    @Inject
    Vertx vertx;
    @Inject
    Telemetry telemetry;

    private final TargetResolver targets = new TargetResolver();
    private BackendPools pools;
    private ClientRegistry registry;
    private ClientListener listener;

    void onStart(@Observes StartupEvent event) throws Exception {
        if (credentials.users().isEmpty()) {
            LOG.warn("No users configured (sluice.users.\"<name>\".password): every client will be refused");
        }
        pools = new BackendPools(targets.resolve(config), credentials, config);
        registry = new ClientRegistry(config.maxClientConnections());
        credentials.users().stream().findFirst().ifPresent(user -> Thread.ofVirtual().name("sluice-probe").start(() -> pools.probe(user)));
        listener = new ClientListener(vertx, config, pools, registry, telemetry);
        listener.start(Duration.ofSeconds(30));
        credentials.users().stream().findFirst().ifPresent(user -> LOG.infof(
                "Connect with: mysql -h %s -P %d -u %s -p%s", config.listen().host(), listener.port(), user,
                io.quarkus.runtime.LaunchMode.current() == io.quarkus.runtime.LaunchMode.DEVELOPMENT
                        ? "   (dev mode: the password of '" + user + "' is in application.properties)" : ""));
    }

    void onStop(@Observes ShutdownEvent event) throws Exception {
        if (listener != null) {
            listener.stop();
        }
        if (pools != null) {
            pools.close();
        }
        targets.close();
    }

    public BackendPools pools() {
        return pools;
    }

    public ClientRegistry registry() {
        return registry;
    }

    public int port() {
        return listener.port();
    }
}
