package io.sluice.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Sluice's configuration: everything under {@code sluice.}, from application.properties, env vars or -D. */
@ConfigMapping(prefix = "sluice")
public interface SluiceConfig {

    Listen listen();

    Backend backend();

    /** Users a client may log in as; each maps to the backend user of the same name and credentials. */
    Map<String, User> users();

    Pool pool();

    Client client();

    /**
     * {@code transaction}: a client holds a backend for one statement in autocommit mode or for a whole
     * transaction, and its session state follows it to whichever backend serves it next.
     * {@code session}: a client keeps one backend until it disconnects.
     */
    @WithDefault("transaction")
    PoolMode poolMode();

    Pinning pinning();

    Shutdown shutdown();

    interface Shutdown {
        /**
         * On SIGTERM, how long clients inside a transaction may take to finish it before they get
         * ERR 1053 and Sluice exits. Idle clients are closed at once.
         */
        @WithDefault("30s")
        Duration grace();
    }

    enum PoolMode {
        TRANSACTION, SESSION
    }

    interface Pinning {
        /**
         * Pin reasons to ignore, as with RDS Proxy's session pinning filters, e.g. {@code user-variable} for
         * applications that never rely on a user variable surviving from one transaction to the next.
         */
        Optional<java.util.Set<String>> exemptions();

        /** Pin a client that calls CONNECTION_ID(), so that the id stays the same for its whole session. */
        @WithDefault("false")
        boolean onConnectionId();
    }

    /** Client connections accepted at most; the next one gets ERR 1040 "Too many connections". */
    @WithDefault("10000")
    int maxClientConnections();

    interface Listen {
        /** Address the MySQL listener binds; loopback unless set otherwise, since Sluice is a sidecar. */
        @WithDefault("127.0.0.1")
        String host();

        @WithDefault("6033")
        int port();
    }

    interface Backend {
        /** Database host: an RDS/Aurora endpoint or any MySQL-compatible server. Unset in dev mode: an embedded MariaDB starts. */
        Optional<String> host();

        @WithDefault("3306")
        int port();

        /**
         * Version string Sluice announces before it has reached the backend once; afterwards it announces
         * the backend's own, since clients choose SQL dialect and features by it.
         */
        @WithDefault("8.0.36-sluice")
        String fallbackServerVersion();

        /** Extra Connector/J properties for backend connections (e.g. {@code sluice.backend.jdbc-properties.connectTimeout=3000}). */
        Map<String, String> jdbcProperties();

        /**
         * How long a resolved backend address is trusted. Aurora and RDS Multi-AZ fail over by changing what the
         * endpoint's name resolves to, so this must stay short (the JVM would otherwise keep it 30 s).
         */
        @WithDefault("5s")
        Duration dnsTtl();

        /** How long readiness waits for the backend's handshake when checking it is reachable. */
        @WithDefault("2s")
        Duration healthTimeout();
    }

    interface User {
        /** The password, used both to authenticate the client and to log in to the backend. */
        Optional<String> password();
    }

    interface Pool {
        /** Backend connections per (target, user) at most. */
        @WithDefault("20")
        int maxSize();

        /** Warm backend connections kept open per (target, user). */
        @WithDefault("0")
        int minIdle();

        /** How long a client waits for a backend connection before getting an error. */
        @WithDefault("5s")
        Duration borrowTimeout();

        /** Idle backend connections beyond min-idle are closed after this long. */
        @WithDefault("5m")
        Duration idleTimeout();

        /** Backend connections are closed and replaced after this long (0 = never). */
        @WithDefault("30m")
        Duration maxLifetime();

        /** A backend connection idle longer than this is validated (pinged) before it is handed out. */
        @WithDefault("30s")
        Duration validationInterval();

        /** Prepared statements kept per backend connection (least recently used are closed beyond this). */
        @WithDefault("256")
        int statementCacheSize();

        /** Clients queued for a backend at most; beyond it a client gets the borrow-timeout error at once. */
        @WithDefault("10000")
        int maxWaiting();
    }

    interface Client {
        /** A client must complete the handshake and authentication within this time. */
        @WithDefault("10s")
        Duration handshakeTimeout();

        /** Largest packet a client may send; larger ones get ERR 1153 before Sluice buffers them. */
        @WithDefault("64M")
        MemorySize maxPacketSize();

        /** A client idle this long between commands is disconnected (with ERR 4031, as MySQL does); 0 = never. */
        @WithDefault("8h")
        Duration idleTimeout();

        /** Authentication plugin proposed in the handshake: mysql_native_password or caching_sha2_password. */
        @WithDefault("mysql_native_password")
        @WithName("auth-plugin")
        String authPlugin();
    }
}
