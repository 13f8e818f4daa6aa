package io.sluice.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Sluice's configuration: everything under {@code sluice.}, from application.properties, env vars or -D. */
@ConfigMapping(prefix = "sluice")
public interface SluiceConfig {

    Listen listen();

    Backend backend();

    /**
     * Users a client may log in as. Each logs in to the backend as the user of the same name, or, when its
     * password comes from a secret, as the secret's {@code username}.
     */
    Map<String, User> users();

    Aws aws();

    Secrets secrets();

    Iam iam();

    Pool pool();

    Fleet fleet();

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

        /**
         * {@code capture}: a statement that sets user variables does not pin; Sluice reads their values and types
         * back from that backend and sets them again wherever the client's next statement runs. {@code pin}: any
         * use of a user variable pins the client to its backend for the rest of its session (as RDS Proxy does).
         */
        @WithDefault("capture")
        UserVariables userVariables();
    }

    enum UserVariables {
        CAPTURE, PIN
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

    /** TLS towards clients. */
    Tls tls();

    enum TlsMode {
        /** No TLS; clients are not offered it. */
        DISABLED,
        /** Clients may use TLS (it is offered) or not. */
        PREFERRED,
        /** Clients must use TLS; a plaintext client gets ERR 3159. */
        REQUIRED
    }

    interface Tls {
        /** disabled, preferred or required; unset: preferred when a certificate is configured, else disabled. */
        Optional<TlsMode> mode();

        /** PEM certificate (with its chain) clients are shown; reloaded when the file changes. */
        Optional<java.nio.file.Path> certificateFile();

        /** PEM private key of the certificate (PKCS#8 or PKCS#1); reloaded when the file changes. */
        Optional<java.nio.file.Path> keyFile();

        /** How often the certificate and key files are checked for changes. */
        @WithDefault("10s")
        Duration reloadInterval();

        /**
         * PEM private key (PKCS#8) for caching_sha2_password's RSA password exchange with clients that use no TLS;
         * unset: a 2048-bit key pair is generated at start.
         */
        Optional<java.nio.file.Path> rsaKeyFile();

        /** The mode in force: the configured one, else preferred when a certificate is given, else disabled. */
        default TlsMode effectiveMode() {
            return mode().orElse(certificateFile().isPresent() ? TlsMode.PREFERRED : TlsMode.DISABLED);
        }
    }

    enum BackendTlsMode {
        DISABLED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY
    }

    interface BackendTls {
        /**
         * disabled, required (encrypted, any certificate), verify-ca (signed by a trusted CA) or verify-identity
         * (also issued for the host). Unset: verify-identity, or disabled when the backend is on loopback.
         */
        Optional<BackendTlsMode> mode();

        /** PEM bundle of CAs to trust (e.g. the RDS global bundle); unset: the JVM's default trust store. */
        Optional<java.nio.file.Path> caFile();
    }

    interface Backend {
        /** TLS towards the backend. */
        BackendTls tls();

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

        /**
         * A version to announce instead of the backend's own (for instance a MySQL 8 version in front of MariaDB,
         * for clients that pick features by it). Unset: clients are told the backend's version.
         */
        Optional<String> serverVersion();

        /** Extra Connector/J properties for backend connections (e.g. {@code sluice.backend.jdbc-properties.connectTimeout=3000}). */
        Map<String, String> jdbcProperties();

        /**
         * How long a resolved backend address is trusted. Aurora and RDS Multi-AZ fail over by changing what the
         * endpoint's name resolves to, so this must stay short (the JVM would otherwise keep it 30 s).
         */
        @WithDefault("5s")
        Duration dnsTtl();

        /**
         * A backend that sends nothing for this long while a command runs is given up (the client gets ERR 1430);
         * 0 = wait as long as the statement runs.
         */
        @WithDefault("0s")
        Duration socketTimeout();

        /** How long readiness waits for the backend's handshake when checking it is reachable. */
        @WithDefault("2s")
        Duration healthTimeout();
    }

    interface User {
        /**
         * The password, used both to authenticate the client and to log in to the backend. A user has either
         * this or {@code secret-id}, not both.
         */
        Optional<String> password();

        /**
         * Name or ARN of an AWS Secrets Manager secret holding the user's credentials, instead of
         * {@code password}: the JSON of an RDS database secret ({@code username}, {@code password}, optionally
         * {@code host} and {@code port}), as rotated by AWS's rotation functions. Clients authenticate with its
         * password (during a rotation's grace window also with the previous one); Sluice logs in to the
         * backend as its {@code username}. Its {@code host} and {@code port} name the backend when
         * {@code sluice.backend.host} is not set.
         */
        Optional<String> secretId();

        /**
         * Log in to the backend with an RDS IAM authentication token instead of the password (the database user
         * must be created {@code IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS'}). Clients still authenticate
         * to Sluice with the password or secret. Needs {@code sluice.aws.region} and the database host
         * ({@code sluice.backend.host} or the secret's {@code host}); AWS credentials come from the default
         * chain (environment, web identity / IRSA, ECS task role, instance profile). Backend connections of such
         * a user must use TLS and the {@code mysql_clear_password} plugin, which RDS requires for tokens.
         */
        @WithDefault("false")
        boolean iamAuth();
    }

    interface Aws {
        /**
         * AWS region of Secrets Manager and of the database, e.g. {@code eu-west-1}. Required for
         * {@code iam-auth} users, since the region is part of the token's signature; for secrets, when unset,
         * the SDK's default applies ({@code AWS_REGION}, profile, instance metadata).
         */
        Optional<String> region();

        /** Secrets Manager endpoint to use instead of the public one: a VPC interface endpoint, or a test server. */
        Optional<URI> endpointOverride();
    }

    interface Secrets {
        /** How often each secret is read again from Secrets Manager, so that a rotation is picked up. */
        @WithDefault("5m")
        Duration refreshInterval();

        /**
         * How long after Sluice sees a rotated password clients may still log in with the previous one, giving
         * applications that cache the secret time to read it again.
         */
        @WithDefault("15m")
        Duration previousPasswordGrace();
    }

    interface Iam {
        /**
         * Age at which an IAM authentication token is replaced by a new one. RDS accepts a token for 15 minutes
         * after it is signed; renewing well before that keeps a connection attempt, and any clock skew, inside
         * the token's lifetime. Must be shorter than 15 minutes.
         */
        @WithDefault("10m")
        Duration renewAfter();
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

        /**
         * Memory the statements kept per backend connection may take (their SQL and the prepare responses Sluice
         * replays to clients); least recently used are closed beyond it.
         */
        @WithDefault("2M")
        MemorySize statementCacheBytes();

        /**
         * In transaction pooling, how long a client keeps the backend it just used, in case its next statement
         * follows soon: that statement then needs no borrowing and no state replay. Any client that needs a
         * connection meanwhile takes it over at once; 0 = give backends back after every statement.
         */
        @WithDefault("250ms")
        Duration affinity();

        /** Clients queued for a backend at most; beyond it a client gets the borrow-timeout error at once. */
        @WithDefault("10000")
        int maxWaiting();

        /**
         * Transaction pooling: how long a client keeps its backend, idle, after a statement whose warnings, error or
         * changed-row count its next statement may read (SHOW WARNINGS, @@warning_count, GET DIAGNOSTICS,
         * ROW_COUNT()); they live only on that backend. Past it the backend goes back to the pool and those
         * diagnostics are forgotten, as if a statement had cleared them.
         */
        @WithDefault("1s")
        Duration diagnosticsHold();

        /**
         * How long a schema that a login named, once found on a backend, lets later logins of the same user name it
         * without asking a backend again. Within it, a schema dropped meanwhile is noticed at the client's first
         * statement that needs it rather than at login; 0 = ask at every login, as a direct connection does.
         */
        @WithDefault("10s")
        Duration schemaRecheck();
    }

    /**
     * A connection budget shared by every Sluice in front of the same database and user, with no coordinator: each
     * instance counts the others from what the database shows and sizes its pool to its fair share. Off unless one
     * of the two limits is set; with both, the lower applies.
     */
    interface Fleet {
        /**
         * The fleet's budget as a percentage (1-100) of the database's {@code max_connections}, like RDS Proxy's
         * {@code MaxConnectionsPercent}.
         */
        java.util.OptionalInt maxConnectionsPercent();

        /** The fleet's budget as a number of database connections. */
        java.util.OptionalInt maxConnections();

        /**
         * How often each pool counts the instances and re-computes its share: one query on one of its own pooled
         * connections per interval, never per client statement.
         */
        @WithDefault("5s")
        Duration interval();

        /** Whether a budget is set at all. */
        default boolean enabled() {
            return maxConnectionsPercent().isPresent() || maxConnections().isPresent();
        }
    }

    interface Client {
        /** A client must complete the handshake and authentication within this time. */
        @WithDefault("10s")
        Duration handshakeTimeout();

        /**
         * Largest packet a client may send once authenticated; larger ones get ERR 1153 before Sluice buffers them.
         * A packet's buffer grows with the bytes that arrive, so a header declaring a large packet costs nothing.
         */
        @WithDefault("64M")
        MemorySize maxPacketSize();

        /**
         * Largest packet a client may send before it has authenticated: its handshake response (with connection
         * attributes), an auth-switch response, its password for full authentication. Anyone who can reach the
         * port may send these, so the limit is small: real ones stay under 2 KiB, and an IAM token sent as a
         * password under 4 KiB. Larger ones get ERR 1153 and the connection is closed.
         */
        @WithDefault("16K")
        MemorySize maxLoginPacketSize();

        /**
         * Bytes of complete packets from one client that may wait for its session (a client pipelining commands)
         * before Sluice stops reading from its socket until the session has caught up.
         */
        @WithDefault("1M")
        MemorySize maxQueuedBytes();

        /**
         * Prepared statements one client may hold; the next prepare gets ERR 1461, as a server's
         * max_prepared_stmt_count gives.
         */
        @WithDefault("1024")
        int maxPreparedStatements();

        /**
         * Memory the prepared statements of one client may hold, each counted as twice its COM_STMT_PREPARE packet
         * (Sluice keeps the packet and its SQL as text); a prepare past it gets ERR 1461.
         */
        @WithDefault("4M")
        MemorySize maxPreparedStatementBytes();

        /**
         * Memory the prepared statements of all clients may hold together, counted as for
         * {@code max-prepared-statement-bytes}; a prepare past it gets ERR 1461. Unset: an eighth of the JVM's
         * maximum heap.
         */
        Optional<MemorySize> maxPreparedStatementBytesTotal();

        /**
         * Memory the packets clients have sent and Sluice has not yet served may hold, all clients together: a
         * statement is read whole before it is relayed, so without this bound many clients sending large statements
         * would hold many times {@code max-packet-size}. Past it, a client holding more than 64 KiB waits until
         * others' packets are served (it is not refused); the client that has held longest is always read, so one
         * packet may take Sluice past the bound. Unset: a quarter of the JVM's maximum heap.
         */
        Optional<MemorySize> maxPacketBytesTotal();

        /**
         * A packet a client has started must arrive whole within this time (a client trickling bytes, slowloris
         * style, is disconnected).
         */
        @WithDefault("30s")
        Duration packetTimeout();

        /**
         * A client that reads nothing of an answer for this long is disconnected, and the backend it was reading
         * from is closed rather than left waiting for it.
         */
        @WithDefault("60s")
        Duration writeTimeout();

        /** A client idle this long between commands is disconnected (with ERR 4031, as MySQL does); 0 = never. */
        @WithDefault("8h")
        Duration idleTimeout();

        /**
         * Authentication plugin proposed in the handshake: mysql_native_password or caching_sha2_password. Unset:
         * the one the backend proposes (caching_sha2_password for MySQL 8, mysql_native_password for MariaDB), so
         * that clients see what the database would show them. Clients may answer with either.
         */
        @WithName("auth-plugin")
        Optional<String> authPlugin();
    }
}
