package io.sluice.frontend;

import io.sluice.backend.BackendConnection;
import io.sluice.backend.BackendException;
import io.sluice.config.SluiceConfig.PoolMode;
import io.sluice.observe.Telemetry;
import io.sluice.pool.BackendPool;
import io.sluice.pool.BackendUnavailableException;
import io.sluice.pool.BorrowTimeoutException;
import io.sluice.pool.Lease;
import io.sluice.pool.PooledBackend;
import io.sluice.pool.Release;
import io.sluice.protocol.CommandType;
import io.sluice.protocol.ErrPacket;
import io.sluice.protocol.OkPacket;
import io.sluice.protocol.PayloadWriter;
import io.sluice.protocol.ResponseScanner;
import io.sluice.protocol.ResponseScanner.Role;
import io.sluice.protocol.ServerStatus;
import io.sluice.session.PinReason;
import io.sluice.session.SessionState;
import io.sluice.session.SessionTrack;
import io.sluice.session.StatePlan;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The backend side of one client session: when to borrow a backend, how to bring it into the client's
 * session state, relaying commands to it while following what they change, and when to give it back.
 *
 * <p>In transaction pooling a backend goes back to the pool after every command that leaves nothing behind
 * on it: no open transaction (server status flags), no pending transaction characteristics, no open cursor or
 * half-sent long data, and no pin. Everything else a session holds — schema, character set, system variables,
 * multi-statements, the last insert id — Sluice knows from session tracking and replays on the next backend.
 */
final class BackendLink {
    private static final Logger LOG = Logger.getLogger(BackendLink.class);
    private static final int ER_UNKNOWN_CHARACTER_SET = 1115;
    private static final int ER_UNKNOWN_COLLATION = 1273;

    private final ClientTransport transport;
    /** Where answers go: the client, or a capture while serving a command that must not be answered. */
    private ClientTransport client;
    private final SessionServices services;
    private final Telemetry telemetry;
    private final long connectionId;
    private final Set<PinReason> exempt;
    private final EnumSet<PinReason> pins = EnumSet.noneOf(PinReason.class);
    private SessionState desired;
    private int clientCapabilities;
    private BackendPool pool;
    private boolean foundRows;
    private Lease lease;
    private BooleanSupplier statementsTie = () -> false;
    private int statusFlags = ServerStatus.SERVER_STATUS_AUTOCOMMIT;
    private String pendingCharacteristics = "";
    /** A client statement chose a connection character set, and the server did not say which collation came with it. */
    private boolean collationUnreported;
    private boolean sessionLost;
    private final KillGuard kills = new KillGuard();
    /**
     * A command of Sluice's own is out on the backend and its answer not wholly read: set while it runs, so that
     * an exception escaping it (a malformed packet, a bug) leaves the backend marked as one whose socket may hold
     * unread bytes and whose state is unknown.
     */
    private boolean exchangeOpen;
    /** Replaying the client's state failed: what the backend holds now is not known (a SET may apply in part). */
    private boolean stateUnknown;
    /** Of the command being served: how long the database took to start answering (-1: not asked), whether it failed. */
    private long databaseNanos = -1;
    private boolean errored;

    BackendLink(ClientTransport client, SessionServices services, long connectionId) {
        this.transport = client;
        this.client = client;
        this.services = services;
        this.telemetry = services.telemetry();
        this.connectionId = connectionId;
        this.exempt = services.pinningExemptions();
    }

    /** Whom the link serves: the user's pool, the client's capabilities and the session it expects. */
    void serve(BackendPool pool, int clientCapabilities, boolean foundRows, SessionState desired) {
        this.pool = pool;
        this.clientCapabilities = clientCapabilities;
        this.foundRows = foundRows;
        this.desired = desired;
        this.pins.clear();
        this.statusFlags = ServerStatus.SERVER_STATUS_AUTOCOMMIT;
        this.pendingCharacteristics = "";
    }

    /** How this client's SQL reads string literals now (its sql_mode and character set). */
    io.sluice.session.StatementTraits.Dialect dialect() {
        var vars = desired.variables();
        return io.sluice.session.StatementTraits.Dialect.of(vars.get("sql_mode"), vars.get(io.sluice.session.SessionVariables.CHARACTER_SET_CLIENT),
                (statusFlags & ServerStatus.SERVER_STATUS_NO_BACKSLASH_ESCAPES) != 0);
    }

    /** Starts a new client command's accounting. */
    void commandStarted() {
        databaseNanos = -1;
        errored = false;
    }

    long databaseNanos() {
        return databaseNanos;
    }

    boolean errored() {
        return errored;
    }

    void tiedBy(BooleanSupplier statementsTie) {
        this.statementsTie = statementsTie;
    }

    SessionState desired() {
        return desired;
    }

    BackendPool pool() {
        return pool;
    }

    int statusFlags() {
        return statusFlags;
    }

    /** Whether the client uses a backend now (a parked one does not count: any client may take it). */
    boolean holdsBackend() {
        return lease != null && lease.held();
    }

    PooledBackend current() {
        return holdsBackend() ? lease.backend() : null;
    }

    /** The backend thread running the client's relayed command, for KILL QUERY from another session. */
    KillGuard kills() {
        return kills;
    }

    /**
     * True once a backend holding state that existed nowhere else was lost (an open transaction, a pinned
     * session): carrying on would let the client believe in state that is gone, so the session must end.
     */
    boolean sessionLost() {
        return sessionLost;
    }

    // ---- pinning ----

    void pin(PinReason reason) {
        if (exempt.contains(reason) || reason == PinReason.CONNECTION_ID && !services.config().pinning().onConnectionId()) {
            return;
        }
        if (pins.add(reason)) {
            telemetry.pinned(reason.label());
            LOG.debugf("client %d pinned to its backend: %s", connectionId, reason.label());
        }
    }

    boolean pinned() {
        return !pins.isEmpty();
    }

    // ---- borrowing and giving back ----

    /**
     * The backend for the next command, borrowed if the client holds none and brought into the client's
     * state. Null after the client was answered with the error that prevented it.
     */
    PooledBackend acquire() {
        if (lease != null && !lease.held()) {
            if (!lease.resume()) {
                // Taken over by another client while parked.
                lease = null;
            } else if (lease.backend().connection().isClosedByServer()) {
                // Closed while parked (a restart or failover): as if it had died idle in the pool.
                giveBack(Release.DISCARD, "closed by the server while parked");
            }
        }
        if (lease == null && !borrow()) {
            return null;
        }
        return sync(lease.backend()) ? lease.backend() : null;
    }

    private boolean borrow() {
        try {
            lease = pool.borrow(foundRows, System.nanoTime() + services.config().pool().borrowTimeout().toNanos());
            return true;
        } catch (BorrowTimeoutException e) {
            writeError(Errors.borrowTimeout(e.getMessage()));
        } catch (BackendUnavailableException e) {
            writeError(Errors.backendUnavailable(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ClientGoneException.INSTANCE;
        }
        return false;
    }

    /** After each command: gives the backend back unless something ties the client to it. */
    void commandDone() {
        if (!holdsBackend() || holdsState()) {
            return;
        }
        if (exchangeOpen || stateUnknown) {
            // Whatever the pool mode: the next command borrows a backend whose state Sluice knows.
            giveBack(exchangeOpen ? Release.DISCARD : Release.RESET, exchangeOpen ? "an exchange broke off" : "state replay failed");
            return;
        }
        if (services.config().poolMode() == PoolMode.SESSION) {
            return;
        }
        // Kept for the client's next statement unless another client needs it first.
        if (!lease.pool().park(lease)) {
            giveBack(Release.KEEP, "command complete");
        }
    }

    /** Something only this backend has: an open transaction, pending characteristics, a cursor, a pin. */
    private boolean holdsState() {
        return pinned() || (statusFlags & ServerStatus.SERVER_STATUS_IN_TRANS) != 0 || !pendingCharacteristics.isEmpty()
                || statementsTie.getAsBoolean();
    }

    /**
     * Ends the client's use of its backend (disconnect, COM_RESET_CONNECTION, COM_CHANGE_USER). A backend
     * whose state Sluice cannot describe — a pin, an open transaction — is reset before anyone else gets it.
     */
    void release(String reason) {
        if (lease != null) {
            giveBack(exchangeOpen ? Release.DISCARD : holdsState() || stateUnknown ? Release.RESET : Release.KEEP, reason);
        }
        pins.clear();
        pendingCharacteristics = "";
        statusFlags = ServerStatus.SERVER_STATUS_AUTOCOMMIT;
    }

    /** The backend cannot be trusted any more (it broke, or was left mid-response): closed and replaced. */
    void discard(String reason) {
        if (lease != null) {
            giveBack(Release.DISCARD, reason);
        }
    }

    private void giveBack(Release how, String reason) {
        Lease l = lease;
        lease = null;
        exchangeOpen = false;
        stateUnknown = false;
        if (!l.held() && !l.resume()) {
            // The pool took it over while parked: it is no longer this client's to give back.
            return;
        }
        l.pool().release(l, how, reason);
    }

    // ---- state replay ----

    /**
     * Brings the backend into the client's state. When that fails part-way, the backend may hold some of it (a SET
     * of several variables can apply in part): it is reset before anyone else gets it.
     */
    private boolean sync(PooledBackend backend) {
        if (replay(backend)) {
            return true;
        }
        stateUnknown = lease != null;
        return false;
    }

    private boolean replay(PooledBackend backend) {
        StatePlan plan = plan(backend);
        if (plan.leaveSchema()) {
            if (!pool.leaveSchema(backend)) {
                lost(new BackendException(BackendException.Kind.CONNECTION_LOST, "Lost connection to backend while resetting its default schema", null));
                return false;
            }
            plan = plan(backend);
        }
        if (plan.isEmpty()) {
            return true;
        }
        if (plan.setStatement() != null) {
            byte[] answer = call(backend, query(plan.setStatement()));
            if (answer == null) {
                return false;
            }
            if (ErrPacket.is(answer)) {
                int code = ErrPacket.decode(answer, answer.length).code();
                if ((code == ER_UNKNOWN_CHARACTER_SET || code == ER_UNKNOWN_COLLATION) && fallBackToServerCollation()) {
                    // A collation the server does not know (MySQL 8's 255 on MariaDB, say): at a handshake the
                    // server itself falls back to its default, so the session does too.
                    return replay(backend);
                }
                errored = true;
                client.write(answer);
                return false;
            }
            backend.state().variablesSetTo(desired.variables());
        }
        if (plan.schema() != null) {
            byte[] answer = call(backend, new PayloadWriter(plan.schema().length() + 1).int1(CommandType.COM_INIT_DB).string(plan.schema()).toByteArray());
            if (answer == null || forwardIfError(answer)) {
                return false;
            }
            backend.state().schema(plan.schema());
        }
        if (plan.multiStatements() != null) {
            boolean on = plan.multiStatements();
            byte[] answer = call(backend, new PayloadWriter(3).int1(CommandType.COM_SET_OPTION)
                    .int2(on ? CommandType.MYSQL_OPTION_MULTI_STATEMENTS_ON : CommandType.MYSQL_OPTION_MULTI_STATEMENTS_OFF).toByteArray());
            if (answer == null || forwardIfError(answer)) {
                return false;
            }
            backend.state().multiStatements(on);
        }
        return true;
    }

    private StatePlan plan(PooledBackend backend) {
        return StatePlan.between(desired, backend.state(), backend.state().noBackslashEscapes());
    }

    private boolean fallBackToServerCollation() {
        String serverDefault = Integer.toString(services.pools().identity().collationId());
        var vars = desired.variables();
        if (serverDefault.equals(vars.get(io.sluice.session.SessionVariables.COLLATION_CONNECTION))) {
            return false;
        }
        vars.set(io.sluice.session.SessionVariables.CHARACTER_SET_CLIENT, serverDefault);
        vars.set(io.sluice.session.SessionVariables.CHARACTER_SET_RESULTS, serverDefault);
        vars.set(io.sluice.session.SessionVariables.COLLATION_CONNECTION, serverDefault);
        return true;
    }

    /**
     * LAST_INSERT_ID() answers from the connection; under multiplexing the client's last insert may have run
     * on another backend. Setting it with LAST_INSERT_ID(n) first makes the function answer as the client expects.
     */
    boolean syncLastInsertId(PooledBackend backend) {
        if (backend.state().lastInsertId() == desired.lastInsertId()) {
            return true;
        }
        byte[] answer = call(backend, query("SELECT LAST_INSERT_ID(" + Long.toUnsignedString(desired.lastInsertId()) + ")"));
        if (answer == null || forwardIfError(answer)) {
            return false;
        }
        backend.state().lastInsertId(desired.lastInsertId());
        return true;
    }

    // ---- relaying ----

    /** What a relayed command ended with. */
    record Outcome(boolean completed, boolean error, int statusFlags) {
        static final Outcome FAILED = new Outcome(false, true, 0);
    }

    /**
     * Runs a client's command on the backend and streams the answer back, adapted to the client's capabilities,
     * following the session state it changes.
     *
     * @param statementId when not negative, the statement id written into a PREPARE_OK for the client
     * @param capture     when not null, receives a copy of every response packet as the backend sent it
     */
    Outcome relay(PooledBackend backend, byte[] payload, int length, long statementId, List<byte[]> capture) {
        BackendConnection connection = backend.connection();
        int command = payload[0] & 0xff;
        boolean midResponse = false;
        kills.running(connection.threadId());
        long received = 0;
        long started = System.nanoTime();
        try {
            connection.sendCommand(payload, length);
            if (!ResponseScanner.expectsResponse(command)) {
                return new Outcome(true, false, statusFlags);
            }
            midResponse = true;
            ResponseScanner scanner = new ResponseScanner(command, connection.sessionTrack());
            ResponseTranslator translator = new ResponseTranslator(client, clientCapabilities, connection.sessionTrack(), statusFlags);
            boolean declinedFile = false;
            boolean error = false;
            do {
                int n = connection.read();
                if (received == 0) {
                    databaseNanos = System.nanoTime() - started;
                }
                received += n + 4;
                byte[] packet = connection.buffer();
                Role role = scanner.next(packet, n);
                if (capture != null) {
                    capture.add(java.util.Arrays.copyOf(packet, n));
                }
                if (role == Role.OK || role == Role.RESULT_END) {
                    follow(backend, scanner.lastOk(), true);
                }
                if (role == Role.LOCAL_INFILE_REQUEST) {
                    if ((clientCapabilities & io.sluice.protocol.CapabilityFlags.CLIENT_LOCAL_FILES) != 0) {
                        translator.accept(role, scanner, packet, n);
                        relayLocalFile(connection);
                    } else {
                        // Sluice never reads a file for a client; an empty one declines, and the client gets the
                        // refusal its server would give.
                        connection.sendPacket(new byte[0], 0);
                        declinedFile = true;
                    }
                    continue;
                }
                error |= role == Role.ERR;
                if (declinedFile) {
                    if (scanner.isComplete()) {
                        writeError(Errors.localInfileDisabled(connection.serverVersion()));
                        error = true;
                    }
                    continue;
                }
                if (role == Role.PREPARE_OK && statementId >= 0) {
                    packet = java.util.Arrays.copyOf(packet, n);
                    writeStatementId(packet, statementId);
                }
                translator.accept(role, scanner, packet, n);
                if (client.isClosed()) {
                    throw ClientGoneException.INSTANCE;
                }
            } while (!scanner.isComplete());
            midResponse = false;
            if (!error || scanner.lastOk() != null) {
                statusFlags = scanner.statusFlags() & ~ServerStatus.SERVER_SESSION_STATE_CHANGED;
            }
            errored |= error;
            if (collationUnreported) {
                learnCollation(backend);
            }
            return new Outcome(true, error, scanner.statusFlags());
        } catch (BackendException e) {
            midResponse = false;
            lost(e);
            return Outcome.FAILED;
        } finally {
            boolean killsSettled = kills.finished();
            telemetry.databaseBytes(received, length + 4L);
            if (midResponse) {
                discard("client left mid-response");
            } else if (!killsSettled) {
                discard("a KILL QUERY sent to it went unanswered and may still arrive");
            }
        }
    }

    private void learnCollation(PooledBackend backend) {
        collationUnreported = false;
        List<byte[]> answer = exchange(backend, query("SELECT @@collation_connection"));
        // Column count, definition, the row, the end: the row's single length-encoded value is the collation.
        if (answer != null && answer.size() >= 3 && !ErrPacket.is(answer.get(0))) {
            String collation = new io.sluice.protocol.PayloadReader(answer.get(2)).readLenencString();
            desired.variables().set(io.sluice.session.SessionVariables.COLLATION_CONNECTION, collation);
            backend.state().variables().set(io.sluice.session.SessionVariables.COLLATION_CONNECTION, collation);
        }
    }

    /** Writes a response held in memory (a cached prepare response) to the client, as {@link #relay} would. */
    void replay(PooledBackend backend, List<byte[]> packets, int command, long statementId) {
        BackendConnection connection = backend.connection();
        ResponseScanner scanner = new ResponseScanner(command, connection.sessionTrack());
        ResponseTranslator translator = new ResponseTranslator(client, clientCapabilities, connection.sessionTrack(), statusFlags);
        for (byte[] packet : packets) {
            Role role = scanner.next(packet, packet.length);
            if (role == Role.PREPARE_OK && statementId >= 0) {
                packet = packet.clone();
                writeStatementId(packet, statementId);
            }
            translator.accept(role, scanner, packet, packet.length);
        }
    }

    static void writeStatementId(byte[] prepareOk, long id) {
        prepareOk[1] = (byte) id;
        prepareOk[2] = (byte) (id >>> 8);
        prepareOk[3] = (byte) (id >>> 16);
        prepareOk[4] = (byte) (id >>> 24);
    }

    /** Takes in the session-state changes a client command made, on both sides, and pins where they cannot move. */
    private void follow(PooledBackend backend, OkPacket ok, boolean clientCommand) {
        if (ok == null) {
            return;
        }
        backend.state().noBackslashEscapes((ok.statusFlags() & ServerStatus.SERVER_STATUS_NO_BACKSLASH_ESCAPES) != 0);
        if (ok.lastInsertId() != 0) {
            backend.state().lastInsertId(ok.lastInsertId());
            if (clientCommand) {
                desired.lastInsertId(ok.lastInsertId());
            }
        }
        if (ok.sessionStateInfo() == null) {
            return;
        }
        SessionTrack track = SessionTrack.parse(ok.sessionStateInfo());
        backend.state().apply(track);
        if (!clientCommand) {
            return;
        }
        desired.apply(track);
        if (track.transactionCharacteristics() != null) {
            pendingCharacteristics = track.transactionCharacteristics();
        }
        if (track.variables().containsKey(io.sluice.session.SessionVariables.CHARACTER_SET_CONNECTION)
                && !track.variables().containsKey(io.sluice.session.SessionVariables.COLLATION_CONNECTION)) {
            // SET NAMES x COLLATE y reports the character sets only: ask for the collation once the answer is done.
            collationUnreported = true;
        }
        if (track.variables().keySet().stream().anyMatch(SessionState::isTrackingSetting)) {
            pin(PinReason.SESSION_TRACKING);
        } else if (track.untrackedChange() && !pinned()) {
            pin(PinReason.UNTRACKED_STATE);
        }
    }

    private void relayLocalFile(BackendConnection connection) {
        client.flush();
        while (true) {
            io.sluice.protocol.InboundPacket chunk;
            try {
                chunk = client.receive(0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ClientGoneException.INSTANCE;
            }
            if (chunk.sequenceId() != client.sequence()) {
                throw new io.sluice.protocol.MalformedPacketException("LOAD DATA LOCAL packet out of order");
            }
            client.sequence(chunk.nextSequenceId());
            connection.sendPacket(chunk.payload(), chunk.length());
            if (chunk.length() == 0) {
                return;
            }
        }
    }

    /**
     * Runs a command of Sluice's own on the backend (state replay, a hidden prepare) and returns every packet
     * of the answer; null after answering the client if the backend broke.
     */
    List<byte[]> exchange(PooledBackend backend, byte[] payload) {
        BackendConnection connection = backend.connection();
        exchangeOpen = true;
        try {
            connection.sendCommand(payload, payload.length);
            List<byte[]> packets = new ArrayList<>();
            ResponseScanner scanner = new ResponseScanner(payload[0] & 0xff, connection.sessionTrack());
            do {
                int n = connection.read();
                packets.add(java.util.Arrays.copyOf(connection.buffer(), n));
                if (scanner.next(connection.buffer(), n) == Role.LOCAL_INFILE_REQUEST) {
                    // Sluice's own commands never load files: an empty one declines, and the server answers.
                    connection.sendPacket(new byte[0], 0);
                }
            } while (!scanner.isComplete());
            exchangeOpen = false;
            return packets;
        } catch (BackendException e) {
            exchangeOpen = false;
            lost(e);
            return null;
        }
    }

    /** Sends a command that has no answer (COM_STMT_CLOSE); false after answering the client if the backend broke. */
    boolean send(PooledBackend backend, byte[] payload, int length) {
        try {
            backend.connection().sendCommand(payload, length);
            return true;
        } catch (BackendException e) {
            lost(e);
            return false;
        }
    }

    private byte[] call(PooledBackend backend, byte[] payload) {
        exchangeOpen = true;
        try {
            byte[] answer = backend.connection().call(payload);
            if (!ErrPacket.is(answer) && answer.length > 0 && (answer[0] == OkPacket.HEADER || (answer[0] & 0xff) == OkPacket.EOF_HEADER)) {
                follow(backend, answer.length >= 7 ? OkPacket.decode(answer, answer.length, backend.connection().sessionTrack()) : null, false);
            }
            exchangeOpen = false;
            return answer;
        } catch (BackendException e) {
            exchangeOpen = false;
            lost(e);
            return null;
        }
    }

    private void lost(BackendException e) {
        if (e.kind() == BackendException.Kind.PACKET_TOO_BIG) {
            writeError(new ErrPacket(1153, "08S01", "Got a packet bigger than 'max_allowed_packet' bytes of the backend"));
            return;
        }
        // An open transaction or a pinned session lived only on that backend: the client must not carry on
        // as if it still existed (a later COMMIT would "succeed" on another backend).
        if ((statusFlags & ServerStatus.SERVER_STATUS_IN_TRANS) != 0 || pinned() || statementsTie.getAsBoolean()) {
            sessionLost = true;
        }
        // The backend likely restarted or failed over: its idle siblings are dead too.
        pool.flushIdle();
        discard("connection lost");
        writeError(Errors.backendLost(e.getMessage()));
        statusFlags = ServerStatus.SERVER_STATUS_AUTOCOMMIT;
        pendingCharacteristics = "";
    }

    private boolean forwardIfError(byte[] answer) {
        if (ErrPacket.is(answer)) {
            errored = true;
            client.write(answer);
            return true;
        }
        return false;
    }

    void writeError(ErrPacket error) {
        errored = true;
        client.write(error.encode());
    }

    void writeOk() {
        client.write(OkPacket.of(statusFlags).encode(false));
    }

    /** EOF for clients without CLIENT_DEPRECATE_EOF, else the OK that replaces it (as for COM_SET_OPTION). */
    void writeEndOfCommand() {
        if ((clientCapabilities & io.sluice.protocol.CapabilityFlags.CLIENT_DEPRECATE_EOF) != 0) {
            client.write(new OkPacket(OkPacket.EOF_HEADER, 0, 0, statusFlags, 0, new byte[0], null).encode(false));
        } else {
            client.write(new io.sluice.protocol.EofPacket(0, statusFlags).encode());
        }
    }

    ClientTransport client() {
        return client;
    }

    /**
     * Serves a command the protocol gives no answer (COM_STMT_SEND_LONG_DATA, COM_STMT_CLOSE): whatever would
     * have been written to the client is returned instead, for the caller to report later or drop.
     */
    List<byte[]> withoutAnswers(Runnable work) {
        List<byte[]> captured = new ArrayList<>();
        client = new AnswerCapture(transport, captured);
        try {
            work.run();
        } finally {
            client = transport;
        }
        return captured;
    }

    static byte[] query(String sql) {
        return new PayloadWriter(sql.length() + 1).int1(CommandType.COM_QUERY).string(sql).toByteArray();
    }
}
