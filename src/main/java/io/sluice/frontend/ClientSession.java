package io.sluice.frontend;

import io.sluice.relay.BackendLink;
import io.sluice.relay.LoopRelay;
import io.sluice.relay.LeaseHolder;
import io.sluice.relay.ClientTransport;
import io.sluice.relay.ClientGoneException;
import io.sluice.relay.Errors;
import io.sluice.credentials.Credential;
import io.sluice.observe.LogText;
import io.sluice.pool.PooledBackend;
import io.sluice.pool.ServerIdentity;
import io.sluice.protocol.AuthMoreData;
import io.sluice.protocol.AuthSwitchRequest;
import io.sluice.protocol.CapabilityFlags;
import io.sluice.protocol.ChangeUserRequest;
import io.sluice.protocol.ErrPacket;
import io.sluice.protocol.HandshakeResponse;
import io.sluice.protocol.HandshakeV10;
import io.sluice.protocol.InboundPacket;
import io.sluice.protocol.MalformedPacketException;
import io.sluice.protocol.PacketTooLargeException;
import io.sluice.protocol.PayloadReader;
import io.sluice.protocol.ServerStatus;
import io.sluice.protocol.auth.AuthPlugin;
import io.sluice.protocol.auth.CachingSha2Password;
import io.sluice.protocol.auth.NativePassword;
import io.sluice.protocol.auth.Scramble;
import io.sluice.session.SessionState;
import io.sluice.session.StatementTraits;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Optional;

import static io.sluice.protocol.CommandType.*;

/**
 * One client connection's life: handshake, authentication, then commands one at a time. Commands that need the
 * database go through the session's {@link BackendLink}, which borrows a backend for them (for a statement, a
 * transaction, or the whole session, as the pool mode says), replays the client's session state there, and gives it
 * back.
 *
 * <p>Between commands the session rests: it holds no thread, its state in its fields, until the connection wakes it
 * for the next packet (or a deadline, or the end). Woken on the event loop, it serves there what needs no thread: the
 * common login, a ping, a goodbye, and a statement whose backend is ready for it without a round trip of Sluice's own
 * ({@link LoopRelay}: the one the client holds or parked, in the client's state). Anything else runs on a virtual
 * thread of its own, where blocking is fine, and which rests again as soon as no command is waiting.
 */
final class ClientSession implements Runnable {
    private static final Logger LOG = Logger.getLogger(ClientSession.class);
    /** What an unknown user's proof is checked against: a password no one can know, made at start. */
    private static final Credential NOBODY = new Credential("", Scramble.generate());
    /** What {@link #nextCommand} returns when the session gave its thread up: nothing more happens on this one. */
    private static final InboundPacket RESTED = new InboundPacket(new byte[0], -1, -1);

    private final ClientTransport client;
    private final SessionServices services;
    private final long connectionId;
    private final byte[] scramble = Scramble.generate();
    /** The plugin the greeting proposes: chosen when the greeting is written, from the backend's identity. */
    private AuthPlugin proposedPlugin = NativePassword.INSTANCE;
    private final BackendLink backend;
    private final PreparedStatements statements;

    private Phase phase = Phase.HANDSHAKE;
    private int capabilities;
    private int handshakeCollation;
    private String user;
    private volatile boolean killed;
    private volatile boolean draining;
    private volatile boolean terminating;
    private volatile Thread thread;
    /** When (System.nanoTime()) the client's last command ended: its idle time counts from there. */
    private long idleSince;
    /** Whether the greeting is out (written on the event loop by {@link #greetWithoutThread}, or by the session). */
    private boolean greeted;
    /** When (System.nanoTime()) the client must have logged in, counted from the greeting. */
    private long handshakeDeadline;
    /** Relays commands on the event loop; made at the first one served there. */
    private LoopRelay loopRelay;
    /** What the session's thread runs first when it starts: the end of a command the event loop could not finish. */
    private Runnable onThread;
    /** The client's answer to the greeting, taken by the event loop and left for the thread (see {@link #loginWithoutThread}). */
    private InboundPacket unread;

    ClientSession(ClientTransport client, SessionServices services, long connectionId) {
        this.client = client;
        this.services = services;
        this.connectionId = connectionId;
        this.backend = new BackendLink(client, services.config(), services.pools(), services.telemetry(), services.pinningExemptions(), connectionId);
        this.statements = new PreparedStatements(backend, services.telemetry(), services.statementBudget().share());
    }

    long connectionId() {
        return connectionId;
    }

    String user() {
        return user;
    }

    /** The backend thread running this session's current command, or -1. */
    long activeBackendThread() {
        return backend.kills().thread();
    }

    Phase phase() {
        return phase;
    }

    boolean holdsBackendOf(io.sluice.pool.BackendPool pool) {
        return backend.pool() == pool && backend.holdsBackend();
    }

    boolean pinned() {
        return backend.pinned();
    }

    boolean inTransaction() {
        return (backend.statusFlags() & ServerStatus.SERVER_STATUS_IN_TRANS) != 0;
    }

    /**
     * Called from the shutdown thread: a client with nothing open on a backend is closed now (it is waiting
     * for its next command, and a closed connection is what any server restart gives it); one inside a
     * transaction is closed once the transaction ends.
     */
    void drain() {
        draining = true;
        if (!backend.holdsBackend() && phase == Phase.COMMAND) {
            client.abort();
        }
    }

    /** Called from the shutdown thread when the grace period is over. */
    void terminate() {
        terminating = true;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        } else {
            // Resting (greeted and not answered yet, or in a transaction between statements), or relaying on the event
            // loop: closing the connection wakes the session, or breaks the relay off, and the session ends.
            client.abort();
        }
    }

    private void phase(Phase next) {
        LOG.tracef("client %d: %s -> %s", connectionId, phase, next);
        phase = next;
    }

    /** The session from its start on a thread of its own: when the greeting could not go out without one. */
    @Override
    public void run() {
        services.telemetry().clientConnected();
        live();
    }

    /**
     * On the event loop, as the client connects: when the backend's identity is known, the greeting goes out at once
     * and the session takes no thread until the client answers it (or leaves, or the handshake times out), so that
     * a connection costs no thread hand-over before its greeting, and a client that never answers holds no thread.
     *
     * @return false when the identity is not known yet: the caller runs the session on a thread of its own, which
     *         waits for it
     */
    boolean greetWithoutThread() {
        Optional<ServerIdentity> identity = services.pools().learnedIdentity();
        if (identity.isEmpty()) {
            return false;
        }
        services.telemetry().clientConnected();
        greet(identity.get());
        if (!client.rest(this::wake, handshakeDeadline)) {
            // The client spoke before the greeting was out: it gets its thread now.
            wake();
        }
        return true;
    }

    /**
     * After resting, the next packet (or the end, or a deadline) has come: the session carries on on a new thread,
     * unless it is the answer to the greeting and the login completes without one.
     */
    private void wake() {
        if (io.vertx.core.Context.isOnEventLoopThread()
                && (phase == Phase.HANDSHAKE && greeted && loginWithoutThread() || leftWithoutThread() || pingedWithoutThread()
                || relayedWithoutThread())) {
            return;
        }
        startThread();
    }

    /**
     * On the event loop: a COM_PING (a connection pool checking its idle connections, say) while the session rests and
     * uses no backend is answered here, as its thread would answer it: by Sluice, with no backend and no thread.
     */
    private boolean pingedWithoutThread() {
        if (phase != Phase.COMMAND || killed || draining || backend.holdsBackend()) {
            return false;
        }
        InboundPacket ping = client.takeCommand(COM_PING);
        if (ping == null) {
            return false;
        }
        client.sequence(ping.nextSequenceId());
        backend.commandStarted();
        backend.writeOk();
        services.telemetry().query(io.sluice.protocol.CommandType.name(COM_PING), backend.databaseNanos(), backend.errored());
        client.flush();
        idleSince = System.nanoTime();
        restAgain();
        return true;
    }

    /** On the event loop, after serving the client there: the session rests again, or serves what has come meanwhile. */
    private void restAgain() {
        if (!client.rest(this::wake, wakeDeadline(idleDeadline()))) {
            wake();
        }
    }

    /** When the idle client is to be disconnected ({@link System#nanoTime()}); 0: never. */
    private long idleDeadline() {
        long idleTimeout = services.config().client().idleTimeout().toNanos();
        return idleTimeout > 0 ? idleSince + idleTimeout : 0;
    }

    /** The next deadline of a resting session: the end of its diagnostics hold, or its idle deadline; 0: none. */
    private long wakeDeadline(long idleDeadline) {
        long hold = backend.lease().holdDeadline();
        return hold != 0 && (idleDeadline == 0 || hold - idleDeadline < 0) ? hold : idleDeadline;
    }

    /**
     * On the event loop: the client's next command is a statement (COM_QUERY, COM_STMT_EXECUTE) or a ping whose backend
     * is ready for it without a round trip of Sluice's own (see {@link BackendLink#readyWithoutRoundTrip}), and the
     * backend's socket can be lent here: the command is relayed on the loop, and the session takes no thread for it.
     */
    private boolean relayedWithoutThread() {
        if (phase != Phase.COMMAND || killed || draining || terminating) {
            return false;
        }
        InboundPacket next = client.peekCommand();
        io.netty.channel.EventLoop loop = client.eventLoop();
        if (next == null || loop == null || next.length() > LoopRelay.MAX_COMMAND) {
            return false;
        }
        int command = next.command();
        StatementTraits traits = command == COM_QUERY ? StatementTraits.of(next.payload(), 1, next.length() - 1, backend.dialect())
                : command == COM_STMT_EXECUTE ? statements.traitsOf(next) : null;
        if (traits != null && BackendLink.mayRunWithoutRoundTrip(traits)) {
            if (backend.lease().onLoop(loop, this::leaseCameOnLoop) == LeaseHolder.LoopLease.WAITING) {
                // The command waits in the inbox, and the session neither rests nor has a thread, until the pool says.
                return true;
            }
        }
        if (command == COM_QUERY) {
            LoopRelay.Borrowing borrowing = borrowedOnLoop(loop, backend.readyWithoutRoundTrip(traits));
            if (borrowing != LoopRelay.Borrowing.BORROWED) {
                return borrowing == LoopRelay.Borrowing.MOVING;
            }
            InboundPacket packet = startOnLoop(command);
            backend.statementStarting(traits);
            loopRelay.relay(packet.payload(), packet.length(), (outcome, then) -> relayedOnLoop(command, then));
            return true;
        }
        if (command == COM_PING && backend.holdsBackend()) {
            LoopRelay.Borrowing borrowing = borrowedOnLoop(loop, backend.readyWithoutRoundTrip(null));
            if (borrowing != LoopRelay.Borrowing.BORROWED) {
                return borrowing == LoopRelay.Borrowing.MOVING;
            }
            InboundPacket packet = startOnLoop(command);
            loopRelay.relay(packet.payload(), packet.length(), (outcome, then) -> relayedOnLoop(command, then));
            return true;
        }
        if (command == COM_STMT_EXECUTE) {
            PreparedStatements.Execution execution = statements.readyWithoutRoundTrip(next);
            LoopRelay.Borrowing borrowing = borrowedOnLoop(loop, execution == null ? null : execution.backend());
            if (borrowing != LoopRelay.Borrowing.BORROWED) {
                return borrowing == LoopRelay.Borrowing.MOVING;
            }
            InboundPacket packet = startOnLoop(command);
            backend.statementStarting(execution.traits());
            byte[] payload = statements.payload(execution, packet);
            loopRelay.relay(payload, payload.length, (outcome, then) -> {
                statements.executed(execution, outcome);
                relayedOnLoop(command, then);
            });
            return true;
        }
        return false;
    }

    /** On the event loop: the wait for a backend is over, with one ({@code leased}), or to go on on the session's thread. */
    private void leaseCameOnLoop(boolean leased) {
        if (leased && !client.isClosed()) {
            wake();
        } else {
            startThread();
        }
    }

    /**
     * The backend's socket taken over on the loop for the next command; MOVING when it comes from another loop first
     * (the command then waits in the inbox, and the session neither rests nor has a thread, until it is here).
     */
    private LoopRelay.Borrowing borrowedOnLoop(io.netty.channel.EventLoop loop, io.sluice.pool.PooledBackend ready) {
        if (ready == null) {
            return LoopRelay.Borrowing.REFUSED;
        }
        if (loopRelay == null) {
            loopRelay = new LoopRelay(backend, client, loop, services.config().backend().socketTimeout().toNanos());
        }
        return loopRelay.borrow(ready, () -> leaseCameOnLoop(true));
    }

    /** Takes the command {@link #relayedWithoutThread} looked at, and starts its accounting, as the thread does. */
    private InboundPacket startOnLoop(int command) {
        services.telemetry().relayedOnLoop();
        InboundPacket packet = client.takeCommand(command);
        client.sequence(packet.nextSequenceId());
        backend.commandStarted();
        return packet;
    }

    /**
     * On the event loop, a relayed command's answer complete (or broken off): the command ends here when that needs no
     * round trip, and the session rests again; otherwise its thread ends it, first running {@code then} if there is one.
     */
    private void relayedOnLoop(int command, Runnable then) {
        if (then != null || !backend.doneWithoutRoundTrip()) {
            onThread = () -> {
                if (then != null) {
                    then.run();
                }
                backend.followUpAnswer();
                commandEnded(command);
            };
            startThread();
            return;
        }
        commandEnded(command);
        if (backend.sessionLost() || draining && !backend.holdsBackend() || killed) {
            // Ending the session gives the backend back, which may take a round trip: its thread does it.
            startThread();
            return;
        }
        restAgain();
    }

    /** What follows every command, on the thread or the loop: it is counted, the backend kept or given back, the answer sent. */
    private void commandEnded(int command) {
        services.telemetry().query(io.sluice.protocol.CommandType.name(command), backend.databaseNanos(), backend.errored());
        backend.commandDone();
        client.flush();
        idleSince = System.nanoTime();
    }

    /**
     * On the event loop: the client leaves (its connection ended, or it said COM_QUIT) while the session rests with no
     * backend of its own, or one it can give back with no round trip (see {@link BackendLink#releasesWithoutRoundTrip}).
     * Closing it then needs no thread: it is closed here.
     */
    private boolean leftWithoutThread() {
        if (phase != Phase.COMMAND && !(phase == Phase.HANDSHAKE && greeted) || !backend.releasesWithoutRoundTrip()) {
            return false;
        }
        if (phase == Phase.COMMAND && client.takeCommand(COM_QUIT) != null) {
            // Counted as the thread counts every command.
            services.telemetry().query(io.sluice.protocol.CommandType.name(COM_QUIT), -1, false);
        } else if (!client.endQueued()) {
            return false;
        }
        close();
        return true;
    }

    private void startThread() {
        Thread.ofVirtual().name("sluice-client-", connectionId).start(this::live);
    }

    /** The session's life on one thread: from login or from rest, until it ends or rests again. */
    private void live() {
        thread = Thread.currentThread();
        // Once rested, another thread may run the session at any moment: this one touches nothing more.
        boolean rested = false;
        try {
            if (phase != Phase.HANDSHAKE) {
                backend.lease().reclaimFromLoop();
                Runnable first = onThread;
                onThread = null;
                if (first != null) {
                    first.run();
                }
                rested = serveCommands();
            } else if (handshake()) {
                phase(Phase.COMMAND);
                idleSince = System.nanoTime();
                rested = serveCommands();
            }
        } catch (InterruptedException e) {
            if (terminating) {
                failAndClose(Errors.serverShutdown());
            }
        } catch (ClientGoneException e) {
            // The client left; nothing to answer.
        } catch (PacketTooLargeException e) {
            client.sequence(e.answerSequenceId());
            if (phase != Phase.COMMAND) {
                services.telemetry().authFailed("bad-handshake");
            }
            failAndClose(Errors.packetTooLarge(e.limit(), phase == Phase.COMMAND ? "sluice.client.max-packet-size" : "sluice.client.max-login-packet-size"));
        } catch (MalformedPacketException e) {
            if (phase != Phase.COMMAND) {
                services.telemetry().authFailed("bad-handshake");
            }
            failAndClose(phase == Phase.COMMAND ? Errors.malformed(e.getMessage()) : Errors.badHandshake(e.getMessage()));
        } catch (RuntimeException e) {
            LOG.errorf(e, "client %d: unexpected failure", connectionId);
            failAndClose(new ErrPacket(1105, "HY000", "Sluice internal error: " + e.getClass().getSimpleName()));
        } finally {
            if (!rested) {
                close();
            }
        }
    }

    // ---- handshake and authentication ----

    /** Writes the server's greeting, proposing the plugin the backend's identity (or the configuration) names. */
    private void greet(ServerIdentity identity) {
        proposedPlugin = AuthPlugin.byName(services.config().client().authPlugin().orElse(identity.authPlugin())).orElse(NativePassword.INSTANCE);
        client.sequence(0);
        client.write(new HandshakeV10(identity.version(), connectionId, scramble, services.offeredCapabilities(),
                identity.collationId(), ServerStatus.SERVER_STATUS_AUTOCOMMIT, proposedPlugin.name()).encode());
        client.flush();
        handshakeDeadline = System.nanoTime() + services.config().client().handshakeTimeout().toNanos();
        greeted = true;
    }

    private boolean handshake() throws InterruptedException {
        if (!greeted) {
            greet(services.pools().identity(services.config().pool().borrowTimeout()));
        }
        long deadline = handshakeDeadline;

        InboundPacket packet = receiveBefore(deadline);
        if (packet == null) {
            return false;
        }
        if (HandshakeResponse.isSslRequest(packet.payload())) {
            if (!client.isTls()) {
                failAndClose(Errors.notSupported("TLS: this Sluice has no certificate configured"));
                return false;
            }
            // The connection is TLS now; the real handshake response follows over it.
            services.telemetry().clientTls();
            packet = receiveBefore(deadline);
            if (packet == null) {
                return false;
            }
        }
        HandshakeResponse response = HandshakeResponse.decode(packet.payload());
        if (draining) {
            // Sluice began to stop before this client logged in (ClientListener.stopAccepting).
            failAndClose(Errors.serverShutdown());
            return false;
        }
        phase(Phase.AUTHENTICATING);
        if (services.tls().mode() == io.sluice.config.SluiceConfig.TlsMode.REQUIRED && !client.isTls()) {
            services.telemetry().authFailed("insecure-transport");
            failAndClose(Errors.insecureTransport());
            return false;
        }
        capabilities = ServerCapabilities.negotiate(response.capabilities(), services.offeredCapabilities());
        handshakeCollation = response.collationId();
        if (!authenticate(response.username(), response.authPluginName(), response.authResponse(), deadline)) {
            return false;
        }
        loggedIn(services.pools().forUser(user).orElseThrow(), response);
        if (response.database() != null && !enterSchema(response.database())) {
            client.flush();
            return false;
        }
        backend.writeOk();
        client.flush();
        return true;
    }

    /**
     * On the event loop, the client's answer to the greeting has come while the session rests. The common login (no
     * TLS to start, a plugin Sluice knows, the password proved by that answer alone, no schema or one this user has
     * entered before) completes right here, and the session rests again: with {@link #leftWithoutThread}, a connection
     * that logs in and goes takes no thread at all. Anything else (TLS, a plugin switch, full authentication, a refusal, a schema to check on a
     * backend, a malformed packet) is left to the session's thread, which starts over from the same packet.
     *
     * @return true when the client logged in here (the session rests, or already has a thread for its first command)
     */
    private boolean loginWithoutThread() {
        InboundPacket packet = client.receiveNow();
        if (packet == null) {
            // The end of the connection or the handshake deadline: the thread's to answer.
            return false;
        }
        unread = packet;
        if (draining || packet.sequenceId() != client.sequence() || packet.isHead() || HandshakeResponse.isSslRequest(packet.payload())
                || services.tls().mode() == io.sluice.config.SluiceConfig.TlsMode.REQUIRED && !client.isTls()) {
            return false;
        }
        HandshakeResponse response;
        try {
            response = HandshakeResponse.decode(packet.payload());
        } catch (RuntimeException e) {
            return false;
        }
        int negotiated = ServerCapabilities.negotiate(response.capabilities(), services.offeredCapabilities());
        Optional<AuthPlugin> plugin = knownPlugin(negotiated, response.authPluginName());
        if (plugin.isEmpty()) {
            return false;
        }
        List<Credential> known = services.pools().clientCredentials(response.username());
        Optional<Credential> credential = proven(known, plugin.get(), response.authResponse());
        Optional<io.sluice.pool.BackendPool> pool = services.pools().forUser(response.username());
        if (credential.isEmpty() || pool.isEmpty() || response.database() != null && !pool.get().schemas().known(response.database())) {
            return false;
        }
        unread = null;
        client.sequence(packet.nextSequenceId());
        capabilities = negotiated;
        handshakeCollation = response.collationId();
        user = response.username();
        fastAuthSucceeded(plugin.get(), credential.get());
        loggedIn(pool.get(), response);
        backend.writeOk();
        client.flush();
        phase(Phase.COMMAND);
        idleSince = System.nanoTime();
        restAgain();
        return true;
    }

    /** The login succeeded: the client may send full-size packets, and its session is set up as it asked. */
    private void loggedIn(io.sluice.pool.BackendPool pool, HandshakeResponse response) {
        client.authenticated();
        backend.serve(pool, capabilities, has(CapabilityFlags.CLIENT_FOUND_ROWS),
                new SessionState(handshakeCollation, response.database(), has(CapabilityFlags.CLIENT_MULTI_STATEMENTS)));
    }

    /**
     * The plugin whose proof the client sent, if Sluice knows it: empty when the client must be switched to the one
     * Sluice proposes.
     */
    private Optional<AuthPlugin> knownPlugin(int negotiated, String requested) {
        String pluginName = (negotiated & CapabilityFlags.CLIENT_PLUGIN_AUTH) != 0 && requested != null ? requested : NativePassword.NAME;
        Optional<AuthPlugin> plugin = AuthPlugin.byName(pluginName);
        if (plugin.isPresent() && plugin.get() == CachingSha2Password.INSTANCE && proposedPlugin != CachingSha2Password.INSTANCE
                && services.pools().identity().version().contains("MariaDB")) {
            // A MariaDB server has no caching_sha2_password and switches such clients to mysql_native_password; the
            // MySQL drivers rely on that (Connector/J reads a "5.5.5-" server's AuthMoreData one byte off).
            return Optional.empty();
        }
        return plugin;
    }

    /**
     * Which of the user's passwords ({@code known}: the current one, and during a rotation's grace window the
     * previous one) the proof matches. An unknown user is checked against a password nobody has, so that it costs the
     * same work and takes the same exchange as a wrong password: the client cannot tell which names exist.
     */
    private Optional<Credential> proven(List<Credential> known, AuthPlugin method, byte[] response) {
        List<Credential> candidates = known.isEmpty() ? List.of(NOBODY) : known;
        return candidates.stream()
                .filter(c -> method.verify(scramble, response, c.password()))
                .findFirst()
                .filter(known::contains);
    }

    /** caching_sha2_password: the scramble proved the password, as a server's cache hit would, and the client is told. */
    private void fastAuthSucceeded(AuthPlugin plugin, Credential credential) {
        if (plugin == CachingSha2Password.INSTANCE && credential.password().length > 0) {
            client.write(AuthMoreData.encode(new byte[] {AuthMoreData.FAST_AUTH_SUCCESS}));
        }
    }

    /**
     * Verifies the client's proof of its password, switching it to the plugin Sluice proposes when it used one
     * Sluice does not know. Answers and closes on failure.
     */
    private boolean authenticate(String username, String requestedPlugin, byte[] authResponse, long deadline) throws InterruptedException {
        Optional<AuthPlugin> plugin = knownPlugin(capabilities, requestedPlugin);
        String pluginName = has(CapabilityFlags.CLIENT_PLUGIN_AUTH) && requestedPlugin != null ? requestedPlugin : NativePassword.NAME;
        if (plugin.isEmpty()) {
            if (!has(CapabilityFlags.CLIENT_PLUGIN_AUTH)) {
                services.telemetry().authFailed("unsupported-plugin");
                failAndClose(Errors.authPluginUnsupported(pluginName));
                return false;
            }
            client.write(new AuthSwitchRequest(proposedPlugin.name(), scramble).encode());
            client.flush();
            InboundPacket switched = receiveBefore(deadline);
            if (switched == null) {
                return false;
            }
            plugin = Optional.of(proposedPlugin);
            authResponse = switched.payload();
        }
        AuthPlugin method = plugin.get();
        List<Credential> known = services.pools().clientCredentials(username);
        List<Credential> candidates = known.isEmpty() ? List.of(NOBODY) : known;
        Optional<Credential> credential = proven(known, method, authResponse);
        if (credential.isEmpty() && method == CachingSha2Password.INSTANCE) {
            // As MySQL does when the fast path fails: ask for the password itself, over TLS or RSA-encrypted.
            Optional<byte[]> password = fullAuthentication(deadline);
            if (password == null) {
                return false;
            }
            credential = password.flatMap(p -> candidates.stream()
                    .filter(c -> java.security.MessageDigest.isEqual(c.password(), p)).findFirst())
                    .filter(known::contains);
            if (credential.isPresent()) {
                user = username;
                return true;
            }
        }
        if (credential.isEmpty()) {
            services.telemetry().authFailed(known.isEmpty() ? "unknown-user" : "bad-password");
            // The name is the client's own text: escaped, so that it cannot forge or hide log lines.
            LOG.infof("client %d: access denied for user '%s' from %s (%s)", connectionId, LogText.of(username), client.remoteHost(),
                    known.isEmpty() ? "unknown user" : "wrong password");
            failAndClose(Errors.accessDenied(username, client.remoteHost(), authResponse.length > 0));
            return false;
        }
        fastAuthSucceeded(method, credential.get());
        user = username;
        return true;
    }

    /**
     * caching_sha2_password's full authentication: the client sends its password in clear over TLS, or, without
     * TLS, fetches Sluice's RSA public key and sends the password encrypted with it. Empty when what the client
     * sent does not give a password; null (after closing) when the client did not answer in time.
     */
    private Optional<byte[]> fullAuthentication(long deadline) throws InterruptedException {
        client.write(AuthMoreData.encode(new byte[] {AuthMoreData.PERFORM_FULL_AUTHENTICATION}));
        client.flush();
        InboundPacket answer = receiveBefore(deadline);
        if (answer == null) {
            return null;
        }
        if (client.isTls()) {
            return Optional.of(io.sluice.protocol.auth.RsaPasswordExchange.withoutTrailingNul(answer.payload()));
        }
        byte[] data = answer.payload();
        if (data.length == 1 && data[0] == io.sluice.protocol.auth.RsaPasswordExchange.REQUEST_PUBLIC_KEY) {
            client.write(AuthMoreData.encode(services.tls().rsa().publicKeyPem()));
            client.flush();
            answer = receiveBefore(deadline);
            if (answer == null) {
                return null;
            }
            data = answer.payload();
        }
        return Optional.ofNullable(services.tls().rsa().decryptPassword(data, scramble));
    }

    /**
     * Checks the schema named at login on a backend (ERR 1049 if it does not exist), unless this user has entered it
     * before (see {@link io.sluice.pool.KnownSchemas}): then the login needs no backend.
     */
    private boolean enterSchema(String schema) {
        if (backend.pool().schemas().known(schema)) {
            return true;
        }
        PooledBackend b = backend.acquire();
        if (b == null) {
            backend.release("schema rejected at login");
            return false;
        }
        // Entered, or already there (the backend's schema since a client before entered it).
        backend.pool().schemas().entered(schema);
        backend.commandDone();
        return true;
    }

    /** Reads a packet that must continue the current exchange; null (after answering) when the deadline passes. */
    /**
     * Gives the thread up until the next packet, the end of the connection, or {@code idleDeadline} (0: none); false
     * when something came meanwhile (the thread carries on).
     */
    private boolean rest(long idleDeadline) {
        thread = null;
        if (client.rest(this::wake, idleDeadline)) {
            return true;
        }
        thread = Thread.currentThread();
        return false;
    }

    private InboundPacket receiveBefore(long deadline) throws InterruptedException {
        int expected = client.sequence();
        long left = deadline - System.nanoTime();
        InboundPacket packet = unread != null ? unread : left > 0 ? client.receive(left) : null;
        unread = null;
        if (packet == null) {
            client.sequence(expected + 1);
            services.telemetry().authFailed("timeout");
            failAndClose(Errors.handshakeTimeout(services.config().client().handshakeTimeout().toMillis()));
            return null;
        }
        if (packet.sequenceId() != expected) {
            client.sequence(packet.nextSequenceId());
            services.telemetry().authFailed("bad-handshake");
            failAndClose(Errors.outOfOrder(packet.sequenceId(), expected));
            return null;
        }
        client.sequence(packet.nextSequenceId());
        if (packet.isHead()) {
            // Only long data and files pass in pieces: nothing this long belongs in an authentication exchange.
            client.skipRest(packet);
            failAndClose(Errors.malformed("authentication data too long"));
            return null;
        }
        return packet;
    }

    // ---- commands ----

    /** Serves commands until the session ends (false) or rests (true: another thread carries on). */
    private boolean serveCommands() throws InterruptedException {
        long idleTimeout = services.config().client().idleTimeout().toNanos();
        while (!killed) {
            if (backend.sessionLost() || draining && !backend.holdsBackend()) {
                return false;
            }
            client.sequence(1);
            InboundPacket packet = nextCommand(idleTimeout);
            if (packet == RESTED) {
                return true;
            }
            if (packet == null) {
                if (backend.sessionLost() || draining && !backend.holdsBackend()) {
                    return false;
                }
                LOG.debugf("client %d idle for %s: disconnected", connectionId, services.config().client().idleTimeout());
                failAndClose(Errors.idleTimeout());
                return false;
            }
            if (packet.sequenceId() != 0) {
                failAndClose(Errors.outOfOrder(packet.sequenceId(), 0));
                return false;
            }
            client.sequence(packet.nextSequenceId());
            backend.commandStarted();
            if (!serve(packet)) {
                services.telemetry().query(io.sluice.protocol.CommandType.name(packet.command()), backend.databaseNanos(), backend.errored());
                return false;
            }
            commandEnded(packet.command());
        }
        return false;
    }

    /**
     * The client's next command, or null after {@code idleTimeout} (0: never) without one, or when the session
     * must end while it is idle. A backend the client keeps for its next statement goes back once the
     * diagnostics hold passes, without waking the client. Unless draining, the thread rests as soon as no command
     * is waiting ({@link #RESTED}): the next is served on the event loop if it can be, or on a new thread, and
     * the deadlines wake the session as a packet would.
     */
    private InboundPacket nextCommand(long idleTimeout) throws InterruptedException {
        long idleDeadline = idleTimeout > 0 ? idleSince + idleTimeout : 0;
        while (true) {
            long hold = backend.lease().holdDeadline();
            if (hold != 0 && System.nanoTime() - hold >= 0) {
                backend.holdExpired();
                if (backend.sessionLost() || draining && !backend.holdsBackend()) {
                    return null;
                }
                continue;
            }
            if (idleDeadline != 0 && System.nanoTime() - idleDeadline >= 0) {
                return null;
            }
            long deadline = wakeDeadline(idleDeadline);
            // A draining session keeps its thread: it ends as soon as it holds no backend.
            if (!draining && rest(deadline)) {
                return RESTED;
            }
            InboundPacket packet = client.receive(deadline == 0 ? 0 : Math.max(1, deadline - System.nanoTime()));
            if (packet != null) {
                return packet;
            }
        }
    }

    /** Serves one command; false when the session ends. */
    private boolean serve(InboundPacket packet) throws InterruptedException {
        int command = packet.command();
        if (packet.isHead() && command != COM_STMT_SEND_LONG_DATA) {
            // Passed in pieces as a LOAD DATA LOCAL file's packet, sent before the load was answered: it is not run
            // from its first bytes alone.
            client.skipRest(packet);
            backend.writeError(Errors.malformed("a command sent before a LOAD DATA LOCAL was answered"));
            return true;
        }
        switch (command) {
            case COM_QUIT:
                return false;
            case COM_PING:
                if (backend.holdsBackend()) {
                    relay(packet);
                } else {
                    backend.writeOk();
                }
                return true;
            case COM_QUERY:
                return query(packet);
            case COM_SET_OPTION:
                setOption(packet);
                return true;
            case COM_CHANGE_USER:
                return changeUser(packet);
            case COM_PROCESS_KILL:
                if (packet.length() < 5) {
                    backend.writeError(Errors.malformed("COM_PROCESS_KILL needs a 4-byte id"));
                    return true;
                }
                kill(new PayloadReader(packet.payload(), 1, 4).readInt4(), true);
                return !killed;
            case COM_RESET_CONNECTION:
                resetConnection();
                return true;
            case COM_STMT_PREPARE:
                if (StatementTraits.of(packet.payload(), 1, packet.length() - 1, backend.dialect()).kills()) {
                    // A prepared KILL would run on whichever pooled backend executes it.
                    backend.writeError(Errors.unsupportedKill());
                } else {
                    statements.prepare(packet);
                }
                return true;
            case COM_STMT_EXECUTE:
                statements.execute(packet);
                return true;
            case COM_STMT_SEND_LONG_DATA:
                statements.sendLongData(packet);
                return true;
            case COM_STMT_CLOSE:
                statements.close(packet);
                return true;
            case COM_STMT_RESET:
                statements.reset(packet);
                return true;
            case COM_STMT_FETCH:
                statements.fetch(packet);
                return true;
            case COM_INIT_DB, COM_FIELD_LIST, COM_STATISTICS, COM_PROCESS_INFO, COM_REFRESH, COM_DEBUG:
                relay(packet);
                return true;
            case -1:
                backend.writeError(Errors.malformed("empty command packet"));
                return true;
            default:
                // Replication, shutdown and long-retired commands are not for a pooled proxy.
                backend.writeError(Errors.unknownCommand(command));
                return true;
        }
    }

    private boolean query(InboundPacket packet) {
        StatementTraits traits = StatementTraits.of(packet.payload(), 1, packet.length() - 1, backend.dialect());
        if (traits.kills()) {
            // Sluice answers a KILL that is the whole statement; one anywhere else (after another statement, in a
            // compound statement, in a PREPARE) would reach a pooled backend, so the text is refused.
            Optional<KillStatement> kill = KillStatement.parse(packet.payload(), 1, packet.length() - 1);
            if (kill.isPresent() && kill.get().id().isPresent()) {
                long id = kill.get().id().getAsLong();
                kill(id == KillStatement.OWN_ID ? connectionId : id, kill.get().connection());
            } else {
                backend.writeError(Errors.unsupportedKill());
            }
            return !killed;
        }
        return runStatement(packet.payload(), packet.length(), traits);
    }

    /** A COM_QUERY on the client's backend, as the client's own statement. */
    private boolean runStatement(byte[] payload, int length, StatementTraits traits) {
        backend.statementStarting(traits);
        PooledBackend b = backend.acquire();
        if (b == null || traits.needsLastInsertId() && !backend.syncLastInsertId(b) || !backend.restoreLastStatement(b, traits)) {
            return true;
        }
        backend.relay(b, payload, length, -1, null);
        return true;
    }

    private void relay(InboundPacket packet) {
        PooledBackend b = backend.acquire();
        if (b != null) {
            backend.relay(b, packet.payload(), packet.length(), -1, null);
        }
    }

    private void setOption(InboundPacket packet) {
        if (packet.length() < 3) {
            backend.writeError(Errors.malformed("COM_SET_OPTION needs a 2-byte option"));
            return;
        }
        int option = new PayloadReader(packet.payload(), 1, 2).readInt2();
        if (option != MYSQL_OPTION_MULTI_STATEMENTS_ON && option != MYSQL_OPTION_MULTI_STATEMENTS_OFF) {
            backend.writeError(new ErrPacket(1047, "08S01", "Unknown COM_SET_OPTION option " + option));
            return;
        }
        // Applied to whichever backend runs the client's next statement.
        backend.desired().multiStatements(option == MYSQL_OPTION_MULTI_STATEMENTS_ON);
        backend.writeEndOfCommand();
    }

    /**
     * COM_RESET_CONNECTION: the session is as after the handshake (the schema stays), and nothing ties it to a backend
     * (the one it holds may stay for its next statement, with what the server's reset left in the diagnostics area).
     */
    private void resetConnection() {
        backend.resetSession(handshakeCollation);
        statements.clear();
        backend.writeOk();
    }

    private boolean changeUser(InboundPacket packet) throws InterruptedException {
        ChangeUserRequest request = ChangeUserRequest.decode(packet.payload(), capabilities);
        // As COM_RESET_CONNECTION, COM_CHANGE_USER leaves FOUND_ROWS() as it was.
        backend.keepFoundRowsThroughReset();
        long foundRows = backend.desired().lastStatement().foundRows();
        backend.release("client changes user");
        statements.clear();
        phase(Phase.AUTHENTICATING);
        String pluginName = request.authPluginName() != null ? request.authPluginName() : NativePassword.NAME;
        long deadline = System.nanoTime() + services.config().client().handshakeTimeout().toNanos();
        if (!authenticate(request.username(), pluginName, request.authResponse(), deadline)) {
            return false;
        }
        if (request.collationId() != 0) {
            handshakeCollation = request.collationId();
        }
        backend.serve(services.pools().forUser(user).orElseThrow(), capabilities, has(CapabilityFlags.CLIENT_FOUND_ROWS),
                new SessionState(handshakeCollation, request.database(), backend.desired().multiStatements()));
        backend.desired().lastStatement().foundRows(foundRows);
        phase(Phase.COMMAND);
        if (request.database() != null && !enterSchema(request.database())) {
            return false;
        }
        backend.writeOk();
        return true;
    }

    private void kill(long id, boolean connection) {
        Optional<ClientSession> target = services.registry().find(id);
        if (target.isEmpty()) {
            target = services.registry().findByBackendThread(id);
        }
        if (target.isEmpty()) {
            backend.writeError(Errors.noSuchThread(id));
            return;
        }
        ClientSession victim = target.get();
        if (!user.equals(victim.user())) {
            backend.writeError(Errors.notOwner(id));
            return;
        }
        if (victim == this) {
            // As on the server: the KILL statement is itself the query it interrupts, and a session that kills
            // its own connection is told so before it is closed.
            if (connection) {
                killed = true;
                backend.writeError(Errors.ownConnectionKilled(services.pools().identity().version()));
            } else {
                // Raised by the backend, so that the error lands in the client's diagnostics area as the server's would.
                byte[] signal = BackendLink.query(Errors.QUERY_INTERRUPTED_SIGNAL);
                runStatement(signal, signal.length, StatementTraits.of(Errors.QUERY_INTERRUPTED_SIGNAL));
            }
            return;
        }
        victim.interrupt(connection);
        backend.writeOk();
    }

    /**
     * Called from another session's thread: stops this session's running query, and the session itself if asked.
     * The query's backend stays this session's until the KILL is answered (see {@link KillGuard}).
     */
    private void interrupt(boolean connection) {
        long backendThread = backend.kills().hold();
        if (backendThread >= 0) {
            boolean answered = false;
            try {
                answered = backend.pool().killQuery(backendThread);
            } finally {
                backend.kills().killed(answered);
            }
        }
        if (connection) {
            killed = true;
            client.abort();
        }
    }

    // ---- answers ----

    private boolean has(int flag) {
        return (capabilities & flag) != 0;
    }

    private void failAndClose(ErrPacket error) {
        if (!client.isClosed()) {
            client.write(error.encode());
            client.flush();
        }
        killed = true;
    }

    private void close() {
        phase(Phase.CLOSED);
        try {
            backend.release("client disconnected");
        } catch (RuntimeException e) {
            // The client is closed all the same: left open, it would wait for ever for what this session will never send.
            LOG.errorf(e, "client %d: its backend could not be given back", connectionId);
        } finally {
            // Gives the statements' share of the budget back to the other clients.
            statements.clear();
            client.close();
            services.registry().remove(this);
            services.telemetry().clientDisconnected(client.isTls());
        }
    }
}
