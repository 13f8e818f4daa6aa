package io.sluice.frontend;

import io.sluice.backend.BackendConnection;
import io.sluice.backend.BackendException;
import io.sluice.credentials.Credential;
import io.sluice.pool.BackendPool;
import io.sluice.pool.BackendUnavailableException;
import io.sluice.pool.BorrowTimeoutException;
import io.sluice.pool.Lease;
import io.sluice.pool.PooledBackend;
import io.sluice.pool.Release;
import io.sluice.pool.ServerIdentity;
import io.sluice.protocol.AuthMoreData;
import io.sluice.protocol.AuthSwitchRequest;
import io.sluice.protocol.CapabilityFlags;
import io.sluice.protocol.ChangeUserRequest;
import io.sluice.protocol.CommandType;
import io.sluice.protocol.EofPacket;
import io.sluice.protocol.ErrPacket;
import io.sluice.protocol.HandshakeResponse;
import io.sluice.protocol.HandshakeV10;
import io.sluice.protocol.InboundPacket;
import io.sluice.protocol.MalformedPacketException;
import io.sluice.protocol.OkPacket;
import io.sluice.protocol.PacketTooLargeException;
import io.sluice.protocol.PayloadReader;
import io.sluice.protocol.PayloadWriter;
import io.sluice.protocol.ResponseScanner;
import io.sluice.protocol.ServerStatus;
import io.sluice.protocol.auth.AuthPlugin;
import io.sluice.protocol.auth.CachingSha2Password;
import io.sluice.protocol.auth.NativePassword;
import io.sluice.protocol.auth.Scramble;
import io.sluice.session.BackendState;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static io.sluice.protocol.CommandType.*;

/**
 * One client connection's life, run on its own virtual thread: handshake, authentication, then commands
 * one at a time. Commands that need the database run on a backend borrowed from the user's pool; the
 * session keeps it until the client disconnects (session pooling).
 *
 * <p>Blocking is fine here (a virtual thread parks); the Vert.x event loop only frames bytes.
 */
final class ClientSession implements Runnable {
    private static final Logger LOG = Logger.getLogger(ClientSession.class);

    private final ClientTransport client;
    private final SessionServices services;
    private final long connectionId;
    private final byte[] scramble = Scramble.generate();
    private final AuthPlugin proposedPlugin;

    private Phase phase = Phase.HANDSHAKE;
    private int capabilities;
    private String user;
    private BackendPool pool;
    private int collationId;
    private String schema;
    private boolean multiStatements;
    private int statusFlags = ServerStatus.SERVER_STATUS_AUTOCOMMIT;
    private Lease lease;
    private volatile long activeBackendThread = -1;
    private volatile boolean killed;

    ClientSession(ClientTransport client, SessionServices services, long connectionId) {
        this.client = client;
        this.services = services;
        this.connectionId = connectionId;
        this.proposedPlugin = AuthPlugin.byName(services.config().client().authPlugin()).orElse(NativePassword.INSTANCE);
    }

    long connectionId() {
        return connectionId;
    }

    String user() {
        return user;
    }

    /** The backend thread running this session's current command, or -1. */
    long activeBackendThread() {
        return activeBackendThread;
    }

    Phase phase() {
        return phase;
    }

    private void phase(Phase next) {
        LOG.tracef("client %d: %s -> %s", connectionId, phase, next);
        phase = next;
    }

    @Override
    public void run() {
        try {
            if (handshake()) {
                phase(Phase.COMMAND);
                serveCommands();
            }
        } catch (ClientGoneException | InterruptedException e) {
            // The client left (or Sluice is stopping); nothing to answer.
        } catch (PacketTooLargeException e) {
            failAndClose(Errors.packetTooLarge(e.limit()));
        } catch (MalformedPacketException e) {
            failAndClose(phase == Phase.COMMAND ? Errors.malformed(e.getMessage()) : Errors.badHandshake(e.getMessage()));
        } catch (RuntimeException e) {
            LOG.errorf(e, "client %d: unexpected failure", connectionId);
            failAndClose(new ErrPacket(1105, "HY000", "Sluice internal error: " + e.getClass().getSimpleName()));
        } finally {
            close();
        }
    }

    // ---- handshake and authentication ----

    private boolean handshake() throws InterruptedException {
        ServerIdentity identity = services.pools().identity(services.config().pool().borrowTimeout());
        client.sequence(0);
        client.write(new HandshakeV10(identity.version(), connectionId, scramble, ServerCapabilities.OFFERED,
                identity.collationId(), statusFlags, proposedPlugin.name()).encode());
        client.flush();
        long deadline = System.nanoTime() + services.config().client().handshakeTimeout().toNanos();

        InboundPacket packet = receiveBefore(deadline);
        if (packet == null) {
            return false;
        }
        if (HandshakeResponse.isSslRequest(packet.payload())) {
            failAndClose(Errors.notSupported("TLS: this Sluice has no certificate configured"));
            return false;
        }
        HandshakeResponse response = HandshakeResponse.decode(packet.payload());
        phase(Phase.AUTHENTICATING);
        capabilities = ServerCapabilities.negotiate(response.capabilities());
        collationId = response.collationId();
        multiStatements = has(CapabilityFlags.CLIENT_MULTI_STATEMENTS);
        user = response.username();

        String pluginName = has(CapabilityFlags.CLIENT_PLUGIN_AUTH) && response.authPluginName() != null
                ? response.authPluginName() : NativePassword.NAME;
        Optional<AuthPlugin> plugin = AuthPlugin.byName(pluginName);
        byte[] authResponse = response.authResponse();
        if (plugin.isEmpty()) {
            if (!has(CapabilityFlags.CLIENT_PLUGIN_AUTH)) {
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
        if (!authenticate(plugin.get(), user, authResponse)) {
            return false;
        }
        if (response.database() != null && !useSchema(response.database())) {
            client.flush();
            return false;
        }
        writeOk();
        client.flush();
        return true;
    }

    private boolean authenticate(AuthPlugin plugin, String username, byte[] authResponse) {
        Optional<Credential> credential = services.pools().credential(username);
        boolean valid = credential.isPresent() && plugin.verify(scramble, authResponse, credential.get().password());
        if (!valid) {
            LOG.debugf("client %d: authentication failed for user '%s' from %s", connectionId, username, client.remoteHost());
            failAndClose(Errors.accessDenied(username, client.remoteHost(), authResponse.length > 0));
            return false;
        }
        if (plugin == CachingSha2Password.INSTANCE && credential.get().password().length > 0) {
            // The scramble proved the password, as a server's cache hit would: no full authentication needed.
            client.write(AuthMoreData.encode(new byte[] {AuthMoreData.FAST_AUTH_SUCCESS}));
        }
        pool = services.pools().forUser(username).orElseThrow();
        return true;
    }

    /** Reads a packet that must continue the current exchange; null (after answering) when the deadline passes. */
    private InboundPacket receiveBefore(long deadline) throws InterruptedException {
        int expected = client.sequence();
        long left = deadline - System.nanoTime();
        InboundPacket packet = left > 0 ? client.receive(left) : null;
        if (packet == null) {
            client.sequence(expected + 1);
            failAndClose(Errors.handshakeTimeout(services.config().client().handshakeTimeout().toMillis()));
            return null;
        }
        if (packet.sequenceId() != expected) {
            client.sequence(packet.nextSequenceId());
            failAndClose(Errors.outOfOrder(packet.sequenceId(), expected));
            return null;
        }
        client.sequence(packet.nextSequenceId());
        return packet;
    }

    // ---- commands ----

    private void serveCommands() throws InterruptedException {
        while (!killed) {
            client.sequence(1);
            InboundPacket packet = client.receive(0);
            if (packet.sequenceId() != 0) {
                failAndClose(Errors.outOfOrder(packet.sequenceId(), 0));
                return;
            }
            client.sequence(packet.nextSequenceId());
            if (!serve(packet)) {
                return;
            }
            client.flush();
        }
    }

    /** Serves one command; false when the session ends. */
    private boolean serve(InboundPacket packet) throws InterruptedException {
        int command = packet.command();
        switch (command) {
            case COM_QUIT:
                return false;
            case COM_PING:
                if (lease == null) {
                    writeOk();
                } else {
                    relay(packet);
                }
                return true;
            case COM_INIT_DB:
                useSchema(new String(packet.payload(), 1, packet.length() - 1, StandardCharsets.UTF_8));
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
                    writeError(Errors.malformed("COM_PROCESS_KILL needs a 4-byte id"));
                    return true;
                }
                kill(new PayloadReader(packet.payload(), 1, 4).readInt4(), true);
                return !killed;
            case COM_RESET_CONNECTION:
                resetConnection(packet);
                return true;
            case COM_FIELD_LIST, COM_STATISTICS, COM_PROCESS_INFO, COM_REFRESH, COM_DEBUG,
                 COM_STMT_PREPARE, COM_STMT_EXECUTE, COM_STMT_SEND_LONG_DATA, COM_STMT_CLOSE, COM_STMT_RESET, COM_STMT_FETCH:
                relay(packet);
                return true;
            case -1:
                writeError(Errors.malformed("empty command packet"));
                return true;
            default:
                // Replication, shutdown and long-retired commands are not for a pooled proxy.
                writeError(Errors.unknownCommand(command));
                return true;
        }
    }

    private boolean query(InboundPacket packet) throws InterruptedException {
        Optional<KillStatement> kill = KillStatement.parse(packet.payload(), 1, packet.length() - 1);
        if (kill.isPresent()) {
            kill.get().id().ifPresentOrElse(
                    id -> kill(id, kill.get().connection()),
                    () -> writeError(Errors.unsupportedKill()));
            return !killed;
        }
        relay(packet);
        return true;
    }

    /** COM_INIT_DB, or the schema named at the handshake: the backend checks that it exists. */
    private boolean useSchema(String name) {
        String before = schema;
        schema = name;
        // backend() brings the backend to the session's schema, which is now the new one.
        if (backend() == null) {
            schema = before;
            return false;
        }
        if (phase == Phase.COMMAND) {
            writeOk();
        }
        return true;
    }

    private void setOption(InboundPacket packet) {
        if (packet.length() < 3) {
            writeError(Errors.malformed("COM_SET_OPTION needs a 2-byte option"));
            return;
        }
        int option = new PayloadReader(packet.payload(), 1, 2).readInt2();
        if (option != MYSQL_OPTION_MULTI_STATEMENTS_ON && option != MYSQL_OPTION_MULTI_STATEMENTS_OFF) {
            writeError(new ErrPacket(1047, "08S01", "Unknown COM_SET_OPTION option " + option));
            return;
        }
        multiStatements = option == MYSQL_OPTION_MULTI_STATEMENTS_ON;
        if (lease != null && !syncMultiStatements(lease.backend())) {
            return;
        }
        writeEndOfCommand();
    }

    private void resetConnection(InboundPacket packet) {
        statusFlags = ServerStatus.SERVER_STATUS_AUTOCOMMIT;
        if (lease == null) {
            writeOk();
            return;
        }
        relay(packet);
        if (lease != null) {
            // The server is back at its own connection's handshake character set, which is Sluice's, not the
            // client's: the next command brings the client's back, as a direct reset would leave it.
            lease.backend().state().afterReset();
        }
    }

    private boolean changeUser(InboundPacket packet) throws InterruptedException {
        ChangeUserRequest request = ChangeUserRequest.decode(packet.payload(), capabilities);
        releaseBackend(Release.RESET, "change user");
        phase(Phase.AUTHENTICATING);
        String pluginName = request.authPluginName() != null ? request.authPluginName() : NativePassword.NAME;
        Optional<AuthPlugin> plugin = AuthPlugin.byName(pluginName);
        byte[] authResponse = request.authResponse();
        if (plugin.isEmpty()) {
            client.write(new AuthSwitchRequest(proposedPlugin.name(), scramble).encode());
            client.flush();
            InboundPacket switched = receiveBefore(System.nanoTime() + services.config().client().handshakeTimeout().toNanos());
            if (switched == null) {
                return false;
            }
            plugin = Optional.of(proposedPlugin);
            authResponse = switched.payload();
        }
        if (!authenticate(plugin.get(), request.username(), authResponse)) {
            return false;
        }
        user = request.username();
        if (request.collationId() != 0) {
            collationId = request.collationId();
        }
        schema = null;
        statusFlags = ServerStatus.SERVER_STATUS_AUTOCOMMIT;
        phase(Phase.COMMAND);
        if (request.database() != null && !useSchema(request.database())) {
            return false;
        }
        writeOk();
        return true;
    }

    private void kill(long id, boolean connection) {
        Optional<ClientSession> target = services.registry().find(id);
        if (target.isEmpty()) {
            target = services.registry().findByBackendThread(id);
        }
        if (target.isEmpty()) {
            writeError(Errors.noSuchThread(id));
            return;
        }
        ClientSession victim = target.get();
        if (!user.equals(victim.user())) {
            writeError(Errors.notOwner(id));
            return;
        }
        if (victim == this) {
            if (connection) {
                killed = true;
            }
            writeOk();
            return;
        }
        victim.interrupt(connection, pool);
        writeOk();
    }

    /** Called from another session's thread: stops this session's running query, and the session itself if asked. */
    private void interrupt(boolean connection, BackendPool via) {
        long backendThread = activeBackendThread;
        if (backendThread >= 0) {
            via.killQuery(backendThread);
        }
        if (connection) {
            killed = true;
            client.close();
        }
    }

    // ---- relaying to the backend ----

    /** Runs the client's command on its backend and streams the answer back, adapted to the client's capabilities. */
    private void relay(InboundPacket packet) {
        PooledBackend backend = backend();
        if (backend == null) {
            return;
        }
        BackendConnection connection = backend.connection();
        int command = packet.command();
        boolean midResponse = false;
        activeBackendThread = connection.threadId();
        try {
            connection.sendCommand(packet.payload(), packet.length());
            if (!ResponseScanner.expectsResponse(command)) {
                return;
            }
            midResponse = true;
            ResponseScanner scanner = new ResponseScanner(command, connection.sessionTrack());
            ResponseTranslator translator = new ResponseTranslator(client, capabilities, connection.sessionTrack(), statusFlags);
            boolean declinedFile = false;
            do {
                int length = connection.read();
                ResponseScanner.Role role = scanner.next(connection.buffer(), length);
                if (role == ResponseScanner.Role.LOCAL_INFILE_REQUEST) {
                    if (has(CapabilityFlags.CLIENT_LOCAL_FILES)) {
                        translator.accept(role, scanner, connection.buffer(), length);
                        relayLocalFile(connection);
                    } else {
                        connection.sendPacket(new byte[0], 0);
                        declinedFile = true;
                    }
                    continue;
                }
                if (declinedFile) {
                    // The server's answer to the empty file we sent on the client's behalf is not the client's.
                    if (scanner.isComplete()) {
                        writeError(Errors.localInfileDisabled(connection.serverVersion()));
                    }
                    continue;
                }
                translator.accept(role, scanner, connection.buffer(), length);
                if (client.isClosed()) {
                    throw ClientGoneException.INSTANCE;
                }
            } while (!scanner.isComplete());
            midResponse = false;
            if (scanner.lastOk() != null || scanner.statusFlags() != 0) {
                statusFlags = scanner.statusFlags() & ~ServerStatus.SERVER_SESSION_STATE_CHANGED;
            }
        } catch (BackendException e) {
            midResponse = false;
            backendFailed(e);
        } finally {
            activeBackendThread = -1;
            if (midResponse) {
                // The client went away in the middle of a response: the rest of it is still on the wire.
                releaseBackend(Release.DISCARD, "client left mid-response");
            }
        }
    }

    private void relayLocalFile(BackendConnection connection) {
        client.flush();
        while (true) {
            InboundPacket chunk;
            try {
                chunk = client.receive(0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ClientGoneException.INSTANCE;
            }
            if (chunk.sequenceId() != client.sequence()) {
                throw new MalformedPacketException("LOAD DATA LOCAL packet out of order");
            }
            client.sequence(chunk.nextSequenceId());
            connection.sendPacket(chunk.payload(), chunk.length());
            if (chunk.length() == 0) {
                return;
            }
        }
    }

    private void backendFailed(BackendException e) {
        if (e.kind() == BackendException.Kind.PACKET_TOO_BIG) {
            writeError(new ErrPacket(1153, "08S01", "Got a packet bigger than 'max_allowed_packet' bytes of the backend"));
            return;
        }
        boolean inTransaction = (statusFlags & ServerStatus.SERVER_STATUS_IN_TRANS) != 0;
        releaseBackend(Release.DISCARD, "connection lost");
        writeError(Errors.backendLost(e.getMessage()));
        if (inTransaction) {
            // The transaction died with the backend; carrying on would let a later COMMIT "succeed" on another one.
            killed = true;
        }
        statusFlags = ServerStatus.SERVER_STATUS_AUTOCOMMIT;
    }

    /**
     * The session's backend, borrowed if it has none, and in the state this client expects (after a reset, for
     * instance, it is brought back). Null after answering the client with an error.
     */
    private PooledBackend backend() {
        if (lease == null) {
            try {
                lease = pool.borrow(has(CapabilityFlags.CLIENT_FOUND_ROWS),
                        System.nanoTime() + services.config().pool().borrowTimeout().toNanos());
            } catch (BorrowTimeoutException e) {
                writeError(Errors.borrowTimeout(e.getMessage()));
                return null;
            } catch (BackendUnavailableException e) {
                writeError(e.vendorCode() != 0 ? new ErrPacket(e.vendorCode(), e.sqlState() == null ? "HY000" : e.sqlState(), e.getMessage())
                        : Errors.backendUnavailable(e.getMessage()));
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ClientGoneException.INSTANCE;
            }
        }
        if (!sync(lease.backend())) {
            if (phase != Phase.COMMAND) {
                // Not yet anyone's: the failed statement left it in a state Sluice knows.
                releaseBackend(Release.KEEP, "handshake state rejected");
            }
            return null;
        }
        return lease.backend();
    }

    /**
     * Brings the backend into the state this client expects: character set, schema, multi-statements. Only
     * what Sluice knows to differ is sent, so a backend already in that state costs nothing. False after
     * answering the client with the error that stopped it.
     */
    private boolean sync(PooledBackend backend) {
        BackendState state = backend.state();
        if (schema == null && (!state.schemaKnown() || state.schema() != null)) {
            // Leaving a schema takes a COM_CHANGE_USER, which resets everything else too: it goes first.
            if (!pool.clearSchema(backend)) {
                releaseBackend(Release.DISCARD, "reset of its schema failed");
                writeError(Errors.backendLost("Lost connection to backend while resetting its default schema"));
                return false;
            }
        }
        if (state.collationId() != collationId) {
            // The numeric form mirrors the handshake: it sets the client, results and connection character sets.
            String sql = "SET character_set_client = " + collationId + ", character_set_results = " + collationId
                    + ", collation_connection = " + collationId;
            byte[] answer = callOrFail(backend, new PayloadWriter(sql.length() + 1).int1(COM_QUERY).string(sql).toByteArray());
            if (answer != null && ErrPacket.is(answer) && collationId != services.pools().identity().collationId()) {
                // A collation the server does not know (say MySQL 8's 255 on MariaDB): the server itself would
                // fall back to its default at the handshake, so the session does too.
                collationId = services.pools().identity().collationId();
                return sync(backend);
            }
            if (answer == null || forwardIfError(answer)) {
                return false;
            }
            state.collationId(collationId);
        }
        if (schema != null && (!state.schemaKnown() || !schema.equals(state.schema()))) {
            byte[] answer = callOrFail(backend, new PayloadWriter(schema.length() + 1).int1(COM_INIT_DB).string(schema).toByteArray());
            if (answer == null || forwardIfError(answer)) {
                return false;
            }
            state.schema(schema);
        }
        return syncMultiStatements(backend);
    }

    private boolean syncMultiStatements(PooledBackend backend) {
        Boolean current = backend.state().multiStatements();
        if (current != null && current == multiStatements) {
            return true;
        }
        byte[] answer = callOrFail(backend, new PayloadWriter(3).int1(COM_SET_OPTION)
                .int2(multiStatements ? MYSQL_OPTION_MULTI_STATEMENTS_ON : MYSQL_OPTION_MULTI_STATEMENTS_OFF).toByteArray());
        if (answer == null || forwardIfError(answer)) {
            return false;
        }
        backend.state().multiStatements(multiStatements);
        return true;
    }

    /** Runs one of Sluice's own commands on the backend; null after answering the client if the backend broke. */
    private byte[] callOrFail(PooledBackend backend, byte[] command) {
        try {
            return backend.connection().call(command);
        } catch (BackendException e) {
            backendFailed(e);
            return null;
        }
    }

    private boolean forwardIfError(byte[] answer) {
        if (ErrPacket.is(answer)) {
            client.write(answer);
            return true;
        }
        return false;
    }

    private void releaseBackend(Release how, String reason) {
        if (lease != null) {
            Lease l = lease;
            lease = null;
            // The client ran what it liked on this backend (USE, SET NAMES, ...): Sluice no longer knows its state.
            l.backend().state().forget();
            l.pool().release(l, how, reason);
        }
    }

    // ---- answers ----

    private boolean has(int flag) {
        return (capabilities & flag) != 0;
    }

    private void writeOk() {
        client.write(OkPacket.of(statusFlags).encode(has(CapabilityFlags.CLIENT_SESSION_TRACK)));
    }

    /** EOF for clients without CLIENT_DEPRECATE_EOF, else the OK that replaces it (as for COM_SET_OPTION). */
    private void writeEndOfCommand() {
        if (has(CapabilityFlags.CLIENT_DEPRECATE_EOF)) {
            client.write(new OkPacket(OkPacket.EOF_HEADER, 0, 0, statusFlags, 0, new byte[0], null).encode(has(CapabilityFlags.CLIENT_SESSION_TRACK)));
        } else {
            client.write(new EofPacket(0, statusFlags).encode());
        }
    }

    private void writeError(ErrPacket error) {
        client.write(error.encode());
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
        // A session that ends with its backend holds whatever state the client left there.
        releaseBackend(Release.RESET, "client disconnected");
        client.close();
        services.registry().remove(this);
    }
}
