package io.sluice.relay;

import io.sluice.backend.BackendConnection;
import io.sluice.backend.BackendException;
import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfig.PoolMode;
import io.sluice.observe.Telemetry;
import io.sluice.pool.BackendPool;
import io.sluice.pool.BackendUnavailableException;
import io.sluice.pool.BorrowTimeoutException;
import io.sluice.pool.PooledBackend;
import io.sluice.pool.Release;
import io.sluice.protocol.ColumnDefinition;
import io.sluice.protocol.CommandType;
import io.sluice.protocol.ErrPacket;
import io.sluice.protocol.EofPacket;
import io.sluice.protocol.InboundPacket;
import io.sluice.protocol.OkPacket;
import io.sluice.protocol.PayloadWriter;
import io.sluice.protocol.ResponseScanner;
import io.sluice.protocol.ResponseScanner.Role;
import io.sluice.protocol.ServerStatus;
import io.sluice.session.CaptureQuery;
import io.sluice.session.LastStatement;
import io.sluice.session.PinReason;
import io.sluice.session.SessionState;
import io.sluice.session.SessionTrack;
import io.sluice.session.SessionVariables;
import io.sluice.session.StatePlan;
import io.sluice.session.StatementTraits;
import io.sluice.session.UserValue;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The backend side of one client session: when to borrow a backend, how to bring it into the client's
 * session state, relaying commands to it while following what they change, and when to give it back. The lease
 * itself (borrowing, parking, lending to the event loop, giving back) is its {@link LeaseHolder}'s; this class says
 * what the client's session needs from a backend before it may go, and how it goes (kept, reset, discarded).
 *
 * <p>In transaction pooling a backend goes back to the pool after every command that leaves nothing behind
 * on it: no open transaction (server status flags), no pending transaction characteristics, no open cursor or
 * half-sent long data, no pin, and nothing of its last statement that the client's next one may still read
 * there (warnings, an error, a changed-row count: the backend is held for the next statement, at most
 * {@code sluice.pool.diagnostics-hold}). Everything else a session holds — schema, character set, system
 * variables, user variables, multi-statements, the last insert id, ROW_COUNT() and FOUND_ROWS() — Sluice
 * knows from session tracking, or reads back before it leaves the backend, and replays on the next one.
 */
public final class BackendLink {
    private static final Logger LOG = Logger.getLogger(BackendLink.class);
    private static final int ER_UNKNOWN_CHARACTER_SET = 1115;
    private static final int ER_UNKNOWN_COLLATION = 1273;
    /** Leaves ROW_COUNT() at 1 and no session state behind (MariaDB's anonymous blocks). */
    private static final String ONE_ROW_COUNTED = "BEGIN NOT ATOMIC DECLARE sluice_row INT; SELECT 1 INTO sluice_row; END";
    /**
     * MySQL has no anonymous blocks: ROW_COUNT() of 1 is left by a SELECT INTO a user variable of Sluice's, which
     * the backend's state then holds, so that it is reset before any client gets it again.
     */
    private static final String ROW_COUNT_VARIABLE = "sluice_row_count";
    private static final String ONE_ROW_INTO_VARIABLE = "SELECT 1 INTO @" + ROW_COUNT_VARIABLE + CaptureQuery.ONE_ROW;
    /**
     * A larger ROW_COUNT() is left by inserting as many rows into a temporary table of Sluice's, which is reset away
     * like the variable above. It reads a table, so only where the client has no conditions to lose.
     */
    private static final String ROW_COUNT_TABLE = "sluice_row_count";
    private static final long MAX_RECREATED_ROW_COUNT = 1_000;
    /** FOUND_ROWS() is restored by a SELECT of that many rows; beyond this it is not restored (and may differ). */
    private static final long MAX_RESTORED_FOUND_ROWS = 100_000;
    private static final String READ_FOUND_ROWS = "SELECT FOUND_ROWS()" + CaptureQuery.ONE_ROW;
    /**
     * Answered with the status flags that say whether the session is in a transaction; reads no table, so it starts
     * none. Not MariaDB's {@code @@in_transaction}: MySQL has no such variable, and its error would leave the question
     * open (and the backend free to go to another client inside the transaction).
     */
    private static final String READ_IN_TRANSACTION = "SELECT 1" + CaptureQuery.ONE_ROW;
    /** Up to this many, FOUND_ROWS() is restored without reading a table, which would clear the client's conditions. */
    private static final long MAX_UNION_FOUND_ROWS = 1_000;
    /**
     * Takes another client's warnings off a backend: a statement that reads a table (a JSON_TABLE of nothing)
     * and raises none clears the diagnostics area on MariaDB as on MySQL.
     */
    private static final String CLEAR_DIAGNOSTICS = "SELECT 1 FROM JSON_TABLE('[]', '$[*]' COLUMNS (x INT PATH '$')) AS sluice_clear"
            + CaptureQuery.ONE_ROW;
    /**
     * The conditions the diagnostics area holds, without clearing them (it reads no table). What SHOW COUNT(*) WARNINGS
     * is, but with a LIMIT: that SHOW is a SELECT of @@warning_count, and the client's sql_select_limit = 0 left it no row.
     */
    private static final String COUNT_CONDITIONS = "SELECT @@session.warning_count" + CaptureQuery.ONE_ROW;
    /**
     * Every user variable of the session, on MariaDB; MySQL has no such table (a scan there pins instead). An explicit
     * LIMIT: the client's sql_select_limit would cut the list short, and the variables left off would be lost (program
     * 1119 of seed 9292: sql_select_limit = 1 left the variable a function set behind the one the trigger set).
     */
    private static final String USER_VARIABLE_NAMES = "SELECT VARIABLE_NAME FROM information_schema.USER_VARIABLES LIMIT 18446744073709551615";

    private final ClientTransport transport;
    /** Where answers go: the client, or a capture while serving a command that must not be answered. */
    private ClientTransport client;
    private final SluiceConfig config;
    private final io.sluice.pool.BackendPools pools;
    private final Telemetry telemetry;
    private final long connectionId;
    private final boolean captureUserVariables;
    /** The client's lease: which backend it has, how it gets one, and when it goes (this link says what it needs first). */
    private final LeaseHolder lease;
    private SessionState desired;
    private int clientCapabilities;
    private BooleanSupplier statementsTie = () -> false;
    /** The last time the client's state and its backend's were found the same (see plan). */
    private InSync inSync = InSync.NEVER;
    private int statusFlags = ServerStatus.SERVER_STATUS_AUTOCOMMIT;
    private String pendingCharacteristics = "";
    /** A client statement chose a connection character set, and the server did not say which collation came with it. */
    private boolean collationUnreported;
    /** The unreported collation follows a SET NAMES (all three character sets reported): character_set_client holds it too. */
    private boolean namesCollationUnreported;
    private boolean sessionLost;
    private final KillGuard kills = new KillGuard();
    /**
     * A command of Sluice's own is out on the backend and its answer not wholly read: set while it runs, so that
     * an exception escaping it (a malformed packet, a bug) leaves the backend marked as one whose socket may hold
     * unread bytes and whose state is unknown.
     */
    private boolean exchangeOpen;
    /** Replaying the client's state failed: what the backend holds now is not known (a SET may apply in part). */
    private boolean replayFailed;
    /** Of the command being served: how long the database took to start answering (-1: not asked), whether it failed. */
    private long databaseNanos = -1;
    private boolean errored;

    // ---- what the client's statements changed on the backend it holds, read back before it leaves ----

    /** The traits of the client statement being served (COM_QUERY, COM_STMT_EXECUTE), or null for other commands. */
    private StatementTraits statement;
    /**
     * User variables the client's statements may have assigned on the backend it holds; null when none (made with the
     * first: thousands of clients may be connected, most of them assigning none).
     */
    private Set<String> uncaptured;
    /** A statement may have set user variables no text names (a function, a trigger): read all of them. */
    private boolean scanUserVariables;
    /** The server reported a state change no statement text explains: unless user variables explain it, pin. */
    private boolean unexplainedChange;
    /** The client set its last insert id with LAST_INSERT_ID(expr) on the backend it holds; no OK packet said to what. */
    private boolean lastInsertIdOnBackend;
    /** The backend may hold state Sluice knows nothing of: reset it before anyone else gets it. */
    private boolean unknownState;
    /**
     * A client statement ran stored code and failed: what that code changed went unreported (an ERR carries no
     * tracking), and the server reports it with the next OK, which may answer a read of Sluice's own.
     */
    private boolean ownChangesUnreported;
    /**
     * A client statement failed, and an ERR carries no status flags: it may have started a transaction (its first
     * read of a table with autocommit off) or ended one. The backend's next answer says; one is asked for before the
     * backend may leave the client (program 5791 of seed 4242 lost a transaction its failed SELECT started).
     */
    private boolean transactionUnknown;
    /**
     * The client took a SAVEPOINT with autocommit off, or ran statements Sluice does not see that may have taken one
     * (StatementTraits.runsUnseenStatements), and its transaction has not ended since. The savepoint lives in
     * the session's transaction even while no table was touched, and no status flag shows that transaction (no
     * SERVER_STATUS_IN_TRANS): the client keeps its backend, or its ROLLBACK TO SAVEPOINT would run on another one and
     * fail with 1305 (program 439 of seed 8585). Ends with a COMMIT, a ROLLBACK that is not to a savepoint, autocommit
     * on, or the session's end; a statement that commits implicitly (DDL, BEGIN) ends it too, but goes unrecognised:
     * the client then keeps its backend until one of those, which only costs sharing. With autocommit on, the server
     * drops a savepoint taken outside a transaction at the end of its statement, and a transaction holds it otherwise.
     */
    private boolean savepointHeld;
    /** A read of Sluice's own for the client is under way (it changes nothing itself). */
    private boolean readingForClient;
    /** The last client command raised no warning and no error. */
    private boolean lastCommandClean = true;

    /**
     * @param exempt the pin reasons configured not to pin (sluice.pinning.exemptions)
     */
    public BackendLink(ClientTransport client, SluiceConfig config, io.sluice.pool.BackendPools pools, Telemetry telemetry,
            Set<PinReason> exempt, long connectionId) {
        this.transport = client;
        this.client = client;
        this.config = config;
        this.pools = pools;
        this.telemetry = telemetry;
        this.connectionId = connectionId;
        this.captureUserVariables = config.pinning().userVariables() == SluiceConfig.UserVariables.CAPTURE;
        // A broken-off exchange or a failed replay was about the backend that went.
        this.lease = new LeaseHolder(config, telemetry, exempt, connectionId, () -> {
            exchangeOpen = false;
            replayFailed = false;
        });
    }

    /** Whom the link serves: the user's pool, the client's capabilities and the session it expects. */
    public void serve(BackendPool pool, int clientCapabilities, boolean foundRows, SessionState desired) {
        this.lease.serve(pool, foundRows);
        this.clientCapabilities = clientCapabilities;
        this.desired = desired;
        this.statusFlags = ServerStatus.SERVER_STATUS_AUTOCOMMIT;
        this.pendingCharacteristics = "";
        forgetBackendState();
    }

    /** Adds {@code names} to the variables to capture. */
    private void uncaptured(java.util.Collection<String> names) {
        if (!names.isEmpty()) {
            if (uncaptured == null) {
                uncaptured = new LinkedHashSet<>();
            }
            uncaptured.addAll(names);
        }
    }

    private void forgetBackendState() {
        uncaptured = null;
        scanUserVariables = false;
        unexplainedChange = false;
        lastInsertIdOnBackend = false;
        unknownState = false;
        ownChangesUnreported = false;
        transactionUnknown = false;
        savepointHeld = false;
        lastCommandClean = true;
    }

    /** How this client's SQL reads string literals now (its sql_mode and character set). */
    public StatementTraits.Dialect dialect() {
        var vars = desired.variables();
        return StatementTraits.Dialect.of(vars.get("sql_mode"), vars.get(SessionVariables.CHARACTER_SET_CLIENT),
                (statusFlags & ServerStatus.SERVER_STATUS_NO_BACKSLASH_ESCAPES) != 0);
    }

    /** Starts a new client command's accounting. */
    public void commandStarted() {
        databaseNanos = -1;
        errored = false;
        statement = null;
        lease.commandStarted();
    }

    public long databaseNanos() {
        return databaseNanos;
    }

    public boolean errored() {
        return errored;
    }

    public void tiedBy(BooleanSupplier statementsTie) {
        this.statementsTie = statementsTie;
    }

    public SessionState desired() {
        return desired;
    }

    public BackendPool pool() {
        return lease.pool();
    }

    /** The client's lease, and how it gets one on its event loop. */
    public LeaseHolder lease() {
        return lease;
    }

    public int statusFlags() {
        return statusFlags;
    }

    /** Whether the client has no lease at all, not even a parked one: giving up its session needs no backend. */
    boolean leasesNothing() {
        return lease.none();
    }

    /** Whether the client uses a backend now (a parked one does not count: any client may take it). */
    public boolean holdsBackend() {
        return lease.held();
    }

    public PooledBackend current() {
        return lease.backend();
    }

    /** The backend thread running the client's relayed command, for KILL QUERY from another session. */
    public KillGuard kills() {
        return kills;
    }

    /**
     * True once a backend holding state that existed nowhere else was lost (an open transaction, a pinned
     * session): carrying on would let the client believe in state that is gone, so the session must end.
     */
    public boolean sessionLost() {
        return sessionLost;
    }

    // ---- pinning ----

    public boolean pinned() {
        return lease.pinned();
    }

    /**
     * A client statement is about to run (COM_QUERY, or COM_STMT_EXECUTE with the traits of its SQL): pins what
     * cannot move, and notes what to read back from the backend afterwards.
     */
    public void statementStarting(StatementTraits traits) {
        statement = traits;
        for (PinReason reason : traits.pins()) {
            if (reason != PinReason.USER_VARIABLE || !captureUserVariables) {
                lease.pin(reason);
            }
        }
        if (captureUserVariables && traits.uncapturableUserVariable()) {
            lease.pin(PinReason.USER_VARIABLE);
        }
        if (traits.callsProcedure()) {
            lease.pin(PinReason.STORED_PROCEDURE);
        }
        if (traits.touchesSessionTracking()) {
            // With tracking changed, Sluice could no longer follow the session: it stays on this backend.
            lease.pin(PinReason.SESSION_TRACKING);
        }
    }

    // ---- borrowing and giving back ----

    /**
     * The backend for the next command, borrowed if the client holds none and brought into the client's
     * state. Null after the client was answered with the error that prevented it.
     */
    public PooledBackend acquire() {
        if (!lease.takeBack(holdsState()) && !borrow()) {
            return null;
        }
        return sync(lease.backend()) ? lease.backend() : null;
    }

    // ---- what the event loop may do without a round trip of Sluice's own (see LoopRelay) ----

    /**
     * The backend a client statement ({@code traits}; null for a command that is no statement) can go to at once, with
     * nothing of Sluice's own to run before it: the one the client holds, or the one it parked (taken back here), when it
     * is in the client's state already. Null when the statement needs more first (a borrow, a replay, a restored count
     * or last insert id, a read-back after it): the session's thread then serves it from the start, and finds the
     * backend as this left it.
     */
    public PooledBackend readyWithoutRoundTrip(StatementTraits traits) {
        if (lease.none() || exchangeOpen || replayFailed || collationUnreported || lease.parkedUnchecked()) {
            return null;
        }
        if (traits != null && !mayRunWithoutRoundTrip(traits)) {
            return null;
        }
        PooledBackend backend = lease.resumeForLoop();
        if (backend == null) {
            return null;
        }
        LastStatement there = backend.state().lastStatement();
        if (there.diagnostics() && !there.sameConditionsAs(desired.lastStatement()) || !plan(backend, desired).isEmpty()
                || traits != null && traits.needsLastInsertId() && !lastInsertIdInSync(backend)) {
            return null;
        }
        return backend;
    }

    /**
     * Whether the client's lease, if any, can end with no round trip of Sluice's own ({@link #release}): nothing the
     * client's statements left needs reading back or a reset first, and no transaction may be open. For a client that
     * leaves on the event loop.
     */
    public boolean releasesWithoutRoundTrip() {
        if (lease.none()) {
            return true;
        }
        if (exchangeOpen || replayFailed || holdsState() || transactionUnknown || unknownState || uncaptured != null || scanUserVariables
                || lease.lent()) {
            // The last: a command is being relayed on the loop.
            return false;
        }
        if (!lease.held()) {
            // Parked: it was clean when parked, and nothing of it may be read now, another client may be using it
            // (reading its TransactionEvidence here folded that client's answer half-read, which then left the evidence
            // uncertain for good: its next release saw a transaction that was not there, and reset it).
            return true;
        }
        return !foundRowsOnlyOn(lease.backend()) && goesBackAsItIs(lease.backend());
    }

    /** FOUND_ROWS() of the client's last statement is known only to {@code backend}, which still has that statement's. */
    private boolean foundRowsOnlyOn(PooledBackend backend) {
        LastStatement own = desired.lastStatement();
        return own.foundRows() == LastStatement.UNKNOWN && own.sameAs(backend.state().lastStatement());
    }

    /** Whether the pool takes {@code backend} back as it is: its own answers leave no transaction open, or in doubt. */
    private static boolean goesBackAsItIs(PooledBackend backend) {
        return !backend.connection().transaction().mayBeInTransaction();
    }

    /**
     * Whether a statement with these traits may run with no round trip of Sluice's own around it, on a backend in the
     * client's state: it is not served by Sluice itself (KILL), asks for no file, and needs nothing restored before it
     * (FOUND_ROWS(), ROW_COUNT()) or read back right after it (a system variable MariaDB does not report).
     */
    public static boolean mayRunWithoutRoundTrip(StatementTraits traits) {
        return !(traits.kills() || traits.loadsData() || !traits.unscopedSystemVariables().isEmpty()
                || traits.readsFoundRows() || traits.mayKeepFoundRows() || traits.readsRowCount());
    }

    /**
     * After an answer relayed on the event loop: whether the socket may rest on the loop till the client's next command
     * ({@link LeaseHolder#reclaimFromLoop} takes it back for the thread). The command must end with nothing that needs Connector/J,
     * and the client keep the backend: for whatever comes next (a transaction, a pin, session pooling), or parked for its
     * next statement, or handed to a client waiting on a loop, as it rests (see BackendPool#release).
     */
    boolean staysOnLoop() {
        return holdsBackend() && !exchangeOpen && !replayFailed && doneWithoutRoundTrip();
    }

    /**
     * Whether what follows the answer just relayed needs no round trip of Sluice's own: the collation a SET NAMES left
     * unreported, the backend's diagnostics asked before it is kept, the read-backs before it goes, a reset. True
     * means {@link #commandDone} runs none (conservatively: it may still find it has nothing to read).
     */
    public boolean doneWithoutRoundTrip() {
        if (collationUnreported) {
            return false;
        }
        if (!holdsBackend() || holdsState()) {
            return true;
        }
        if (exchangeOpen || replayFailed) {
            return false;
        }
        if (config.poolMode() == PoolMode.SESSION) {
            return true;
        }
        PooledBackend backend = lease.backend();
        LastStatement last = desired.lastStatement();
        if (last.diagnostics() && lastCommandClean && last.rowCount() <= 0 && last.sameAs(backend.state().lastStatement())) {
            // keepsForNextStatement asks the backend how many conditions are left.
            return false;
        }
        // What leave() and giveBack() read back before the backend goes (asked even where it may be kept for the
        // next statement instead: whether it is depends on other clients waiting, which may change meanwhile), and
        // what makes the pool reset it rather than take it back as it is.
        return !scanUserVariables && !lastInsertIdOnBackend && !foundRowsOnlyOn(backend) && uncaptured == null && !unexplainedChange
                && !transactionUnknown && !unknownState && goesBackAsItIs(backend);
    }

    /**
     * Whether the answer just relayed on the event loop needs a read of Sluice's own before the client may have it:
     * the collation a SET NAMES left unreported, which the blocking relay reads before the answer is flushed.
     */
    boolean answerNeedsFollowUp() {
        return collationUnreported;
    }

    /** On the session's thread, after a relay on the event loop: the read {@link #answerNeedsFollowUp} asked for. */
    public void followUpAnswer() {
        if (collationUnreported && holdsBackend()) {
            learnCollation(lease.backend());
        }
    }

    /**
     * After a relay on the event loop broke: what {@link #relay} does when the backend fails under it ({@code lost},
     * the client told), or when the client left mid-answer or a KILL stayed unsettled ({@code lost} null: discarded).
     * On the session's thread.
     */
    void relayBroke(BackendException lost, String reason) {
        if (lost != null) {
            lost(lost);
        } else {
            discard(reason);
        }
    }

    /** The answer was complete, but the backend could not be given back to Connector/J: closed, and replaced. */
    void answeredThenLost(String reason) {
        dropBackend(reason);
    }

    /** Borrows a backend on the session's thread; false after the client was told why it could not. */
    private boolean borrow() {
        try {
            lease.borrow();
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

    /**
     * After each command: gives the backend back unless something ties the client to it. Before it goes, what
     * the client's statements changed there unseen is read back, so that the next backend gets it too.
     */
    public void commandDone() {
        if (!holdsBackend() || holdsState()) {
            return;
        }
        if (exchangeOpen || replayFailed) {
            // Whatever the pool mode: the next command borrows a backend whose state Sluice knows.
            giveBack(exchangeOpen ? Release.DISCARD : Release.RESET, exchangeOpen ? "an exchange broke off" : "state replay failed");
            return;
        }
        if (config.poolMode() == PoolMode.SESSION) {
            return;
        }
        PooledBackend backend = lease.backend();
        if (lease.keepsAnotherCommand(statement != null && statement.onlyDiagnostics(), lastCommandClean) && keepsForNextStatement(backend)) {
            lease.holdForNextStatement();
            return;
        }
        lease.stopHolding();
        leave(backend);
    }

    /**
     * Whether the client's last statement left something its next statement may read only on this backend:
     * conditions in the diagnostics area, or a positive ROW_COUNT() (-1 and 0 are restored anywhere). MariaDB
     * keeps the conditions through statements that read no table, so once a statement raised none, Sluice asks
     * the backend whether any are left.
     */
    private boolean keepsForNextStatement(PooledBackend backend) {
        LastStatement last = desired.lastStatement();
        if (last.diagnostics() && lastCommandClean && last.rowCount() <= 0 && last.sameAs(backend.state().lastStatement())) {
            Long conditions = countConditions(backend);
            if (conditions != null && conditions == 0) {
                last.conditionsFrom(0);
                backend.state().lastStatement().conditionsFrom(0);
            }
        }
        return lease.holdsForDiagnostics() && (last.diagnostics() || last.rowCount() > 0);
    }

    /**
     * A statement was prepared on the backend: MariaDB creates the user variables it assigns (as NULL) right then,
     * so they are read back like those a statement assigned.
     */
    public void prepared(StatementTraits traits) {
        if (captureUserVariables) {
            uncaptured(traits.assignedUserVariables());
        }
    }

    /** Reads what must follow the client, then parks the backend (or gives it back). */
    private void leave(PooledBackend backend) {
        if (!settle(backend)) {
            return;
        }
        if (transactionUnknown && read(backend, query(READ_IN_TRANSACTION)) == null) {
            return;
        }
        if (holdsState()) {
            // Reading back showed state that cannot move, or a transaction the client's failed statement started.
            return;
        }
        if (unknownState) {
            giveBack(Release.RESET, "state not known after a statement that failed");
            return;
        }
        // Kept for the client's next statement unless another client needs it first.
        if (!lease.park()) {
            giveBack(Release.KEEP, "command complete");
        }
    }

    /**
     * Before the client's session is reset: the server's reset keeps FOUND_ROWS(), so a count only the held
     * backend knows (after SELECT ... INTO, SQL_CALC_FOUND_ROWS) is read from it before it goes.
     */
    public void keepFoundRowsThroughReset() {
        if (holdsBackend() && desired.lastStatement().foundRows() == LastStatement.UNKNOWN) {
            PooledBackend backend = lease.backend();
            withoutAnswersReturning(() -> settle(backend));
        }
    }

    /**
     * COM_RESET_CONNECTION: the client's session is as after the handshake (the schema stays). Where the backend the
     * client holds may still have its last statement's conditions, the server's own reset runs there and the client
     * keeps the backend: MariaDB's reset keeps a count of conditions that were not stored (max_error_count = 0),
     * which the client then reads as on a connection of its own (program 259 of seed 4242). So too where the backend
     * may hold a transaction no flag shows, which the reset leaves (see TransactionEvidence). Otherwise the backend
     * goes back, as at any release.
     */
    public void resetSession(int handshakeCollation) {
        keepFoundRowsThroughReset();
        LastStatement own = desired.lastStatement();
        long conditions = own.conditionsFrom();
        boolean ownConditions = holdsBackend() && own.diagnostics() && own.sameConditionsAs(lease.backend().state().lastStatement());
        // A transaction no status flag shows outlives the server's reset, on the client's own connection too, where
        // its next statement with autocommit on commits it: the client keeps that backend, pinned as before.
        boolean unflagged = holdsBackend() && lease.backend().connection().transaction().mayHoldUnflaggedTransaction();
        boolean kept = holdsBackend() && !exchangeOpen && !replayFailed && (ownConditions || unflagged) && resetHeldBackend();
        if (!kept) {
            release("client reset its session");
        }
        desired.reset(handshakeCollation);
        if (kept && unflagged) {
            lease.pin(PinReason.UNTRACKED_STATE);
        }
        if (kept && ownConditions) {
            // Whatever the reset left in the diagnostics area (a count kept, or conditions of ending the session) is
            // what the client's own connection would hold.
            own.conditionsFrom(conditions);
            lease.backend().state().lastStatement().conditionsFrom(conditions);
        }
    }

    /** Resets the held backend's session on the server; false when that failed and the backend was discarded. */
    private boolean resetHeldBackend() {
        PooledBackend backend = lease.backend();
        if (!lease.pool().resetSession(backend)) {
            discard("reset failed");
            lease.unpin();
            pendingCharacteristics = "";
            statusFlags = ServerStatus.SERVER_STATUS_AUTOCOMMIT;
            forgetBackendState();
            return false;
        }
        // The server ended all the client had there: transaction, pins, prepared statements, variables.
        lease.unpin();
        pendingCharacteristics = "";
        statusFlags = ServerStatus.SERVER_STATUS_AUTOCOMMIT;
        forgetBackendState();
        return true;
    }


    /**
     * The client stayed idle past {@code sluice.pool.diagnostics-hold}: its backend goes back, and with it the
     * warnings and row count of its last statement, as if a statement had cleared them. Runs on the session's
     * thread between commands; anything that goes wrong is kept from the client, who asked nothing.
     */
    public void holdExpired() {
        lease.stopHolding();
        desired.lastStatement().conditionsFrom(0);
        if (!holdsBackend() || holdsState()) {
            return;
        }
        withoutAnswers(() -> leave(lease.backend()));
    }

    /** Something only this backend has: an open transaction, pending characteristics, a cursor, a pin. */
    private boolean holdsState() {
        return pinned() || (statusFlags & ServerStatus.SERVER_STATUS_IN_TRANS) != 0 || savepointHeld || !pendingCharacteristics.isEmpty()
                || statementsTie.getAsBoolean();
    }

    /**
     * Ends the client's use of its backend (disconnect, COM_RESET_CONNECTION, COM_CHANGE_USER). A backend
     * whose state Sluice cannot describe — a pin, an open transaction, variables not read back — is reset
     * before anyone else gets it.
     */
    public void release(String reason) {
        if (!lease.none()) {
            boolean clean = !holdsState() && !transactionUnknown && !unknownState && !replayFailed && uncaptured == null && !scanUserVariables;
            giveBack(exchangeOpen ? Release.DISCARD : clean ? Release.KEEP : Release.RESET, reason);
        }
        lease.unpin();
        pendingCharacteristics = "";
        statusFlags = ServerStatus.SERVER_STATUS_AUTOCOMMIT;
        forgetBackendState();
    }

    /** The backend cannot be trusted any more (it broke, or was left mid-response): closed and replaced. */
    void discard(String reason) {
        if (!lease.none()) {
            giveBack(Release.DISCARD, reason);
        }
    }

    private void giveBack(Release how, String reason) {
        if (how != Release.DISCARD && !exchangeOpen && lease.held()) {
            // The client's FOUND_ROWS() may live only here (after a CALL that failed, say, before a reset).
            PooledBackend backend = lease.backend();
            withoutAnswersReturning(() -> keepFoundRows(backend, null));
            if (lease.none()) {
                return;
            }
        }
        lease.giveBack(how, reason);
    }

    // ---- state replay ----

    /**
     * Brings the backend into the client's state. When that fails part-way, the backend may hold some of it (a SET
     * of several variables can apply in part): it is reset before anyone else gets it.
     */
    private boolean sync(PooledBackend backend) {
        if (!syncTo(backend, desired)) {
            return false;
        }
        LastStatement own = desired.lastStatement();
        LastStatement there = backend.state().lastStatement();
        if (there.diagnostics() && !there.sameConditionsAs(own)) {
            // Another client's warnings are not this client's to see.
            byte[] answer = call(backend, query(CLEAR_DIAGNOSTICS));
            if (answer == null || forwardIfError(answer)) {
                return false;
            }
            there.conditionsFrom(0);
            there.foundRows(0);
            there.rowCount(-1);
        }
        return true;
    }

    /** Brings the backend into {@code target}'s state (the client's, or a statement's prepare context). */
    private boolean syncTo(PooledBackend backend, SessionState target) {
        if (replayTo(backend, target)) {
            return true;
        }
        replayFailed = !lease.none();
        return false;
    }

    private boolean replayTo(PooledBackend backend, SessionState target) {
        StatePlan plan = plan(backend, target);
        LOG.tracef("client %d on backend %d: replay %s", connectionId, backend.connection().threadId(), plan);
        if (plan.resetFirst() && lease.backend() == backend) {
            // The client's own backend, kept for its next statement, may hold what its statements assigned and Sluice
            // has not read back yet (user variables, LAST_INSERT_ID(expr)): read before the reset takes it away
            // (program 1153 of seed 9292 on the MySQL 8 face: @sluice_row_count, which recreated ROW_COUNT(), had the
            // backend reset before the next statement, and the client's @c, set by SELECT ... INTO, went with it).
            if (!settle(backend)) {
                return false;
            }
            plan = plan(backend, target);
        }
        if (plan.resetFirst()) {
            if (!lease.pool().resetSession(backend)) {
                lost(new BackendException(BackendException.Kind.CONNECTION_LOST, "Lost connection to backend while resetting it", null));
                return false;
            }
            plan = plan(backend, target);
        }
        if (plan.leaveSchema()) {
            if (!lease.pool().leaveSchema(backend)) {
                lost(new BackendException(BackendException.Kind.CONNECTION_LOST, "Lost connection to backend while resetting its default schema", null));
                return false;
            }
            plan = plan(backend, target);
        }
        if (plan.isEmpty()) {
            return true;
        }
        if (plan.schema() != null) {
            // The schema first: changing it sets character_set_database and collation_database to the schema's,
            // which the client may have set since, so the variables are planned again after it.
            byte[] answer = call(backend, new PayloadWriter(plan.schema().length() + 1).int1(CommandType.COM_INIT_DB).string(plan.schema()).toByteArray());
            if (answer != null && ErrPacket.is(answer)) {
                lease.pool().schemas().refused(plan.schema());
            }
            if (answer == null || forwardIfError(answer)) {
                return false;
            }
            lease.pool().schemas().entered(plan.schema());
            backend.state().schema(plan.schema());
            plan = plan(backend, target);
        }
        if (plan.setStatement() != null) {
            byte[] answer = call(backend, query(plan.setStatement()));
            if (answer == null) {
                return false;
            }
            if (ErrPacket.is(answer)) {
                int code = ErrPacket.decode(answer, answer.length).code();
                if (target == desired && (code == ER_UNKNOWN_CHARACTER_SET || code == ER_UNKNOWN_COLLATION) && fallBackToServerCollation()) {
                    // A collation the server does not know (MySQL 8's 255 on MariaDB, say): at a handshake the
                    // server itself falls back to its default, so the session does too.
                    return replayTo(backend, target);
                }
                if (!backend.state().variables().asMap().isEmpty() || !backend.state().userVariables().isEmpty()) {
                    // Maybe what another client left cannot be put back to its default: start from a clean session.
                    if (!lease.pool().resetSession(backend)) {
                        lost(new BackendException(BackendException.Kind.CONNECTION_LOST, "Lost connection to backend while resetting it", null));
                        return false;
                    }
                    return replayTo(backend, target);
                }
                errored = true;
                client.write(answer);
                return false;
            }
            backend.state().variablesSetTo(target.variables(), target.userVariables());
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

    private StatePlan plan(PooledBackend backend, SessionState target) {
        // Sluice's own ROW_COUNT() helpers (a temporary table, a variable) are reset away before the next statement,
        // but not while the backend holds the client's transaction, which a reset would end: a statement that read
        // ROW_COUNT() may start one itself (SELECT ROW_COUNT(); START TRANSACTION, program 4852 of seed 4242). They
        // go with the reset the next client's plan asks for, or the one at release.
        boolean holding = holdsState();
        if (inSync.holds(target, backend, holding)) {
            // Asked before every statement: most often nothing changed on either side since the last time.
            return StatePlan.NONE;
        }
        StatePlan plan = StatePlan.between(target, backend.state(), backend.state().noBackslashEscapes(),
                holding ? Set.of(ROW_COUNT_VARIABLE) : Set.of());
        if (plan.isEmpty()) {
            inSync = new InSync(target, target.version(), backend, backend.state().version(), holding);
        }
        return plan;
    }

    /** A client state and a backend's found in sync (an empty plan), at these versions of the two. */
    private record InSync(SessionState wanted, long wantedVersion, PooledBackend backend, long backendVersion, boolean holding) {
        static final InSync NEVER = new InSync(null, -1, null, -1, false);

        boolean holds(SessionState target, PooledBackend on, boolean holdingNow) {
            return target == wanted && on == backend && holdingNow == holding && target.version() == wantedVersion
                    && on.state().version() == backendVersion;
        }
    }

    /**
     * Prepares a statement on the backend (a hidden COM_STMT_PREPARE) in the context the client first prepared
     * it in, which may not be the client's now (it has changed schema or sql_mode since), then brings the backend
     * back to the client's state. The answer, or null after answering the client if that failed.
     */
    /**
     * Prepares a client's statement on this backend, which has no copy of it. MariaDB's prepare turns the user
     * variables the statement assigns binary, their values kept (checked on 10.11: {@code 'it''s'} in utf8mb4 became a
     * LONGBLOB), where the client's own connection prepared it before it set them: those the backend holds are read
     * first and set again after, so that the execute finds them as the client has them (programs 83 and 1586 of seed
     * 5151: an execute's NULL kept the binary type where the client's variable was a string).
     */
    public List<byte[]> prepareIn(PooledBackend backend, io.sluice.session.PrepareContext context, byte[] prepare, StatementTraits traits) {
        if (!captureUserVariables || traits.assignedUserVariables().isEmpty()) {
            return prepareIn(backend, context, prepare);
        }
        CaptureQuery.Captured before;
        try {
            before = readBack(backend, new CaptureQuery(false, false, List.copyOf(traits.assignedUserVariables())));
        } catch (IllegalStateException e) {
            LOG.debugf(e, "client %d: reading user variables before a prepare failed", connectionId);
            before = new CaptureQuery.Captured(null, null, Map.of());
        }
        if (before == null) {
            return null;
        }
        List<byte[]> answer = prepareIn(backend, context, prepare);
        List<String> assignments = new ArrayList<>();
        before.userVariables().forEach((name, value) -> {
            if (value.replayable()) {
                assignments.add(io.sluice.session.UserVariables.reference(name) + " = " + value.toSql());
            }
        });
        if (answer == null || assignments.isEmpty()) {
            return answer;
        }
        return call(backend, query("SET " + String.join(", ", assignments))) == null ? null : answer;
    }

    public List<byte[]> prepareIn(PooledBackend backend, io.sluice.session.PrepareContext context, byte[] prepare) {
        if (context.schema() == null) {
            // The server prepares no statement that names a table or routine without a schema when there is none
            // (ERR 1046, 1305), so one it prepared then means the same in any schema: it is prepared in the client's.
            // Leaving the schema would take a COM_CHANGE_USER, which ends the client's transaction and drops all
            // else only this backend holds (program 539 of seed 7: an UPDATE then committed on its own).
            context = new io.sluice.session.PrepareContext(desired.schema(), context.variables());
        }
        boolean elsewhere = !context.equals(io.sluice.session.PrepareContext.of(desired));
        if (elsewhere && !syncTo(backend, context.applyTo(desired))) {
            return null;
        }
        List<byte[]> answer = exchange(backend, prepare);
        if (answer != null && ErrPacket.is(answer.get(0))) {
            // Refused, as the client's own connection would refuse it: ROW_COUNT() -1 there, recorded now, before the
            // way back to the client's state, whose SET leaves 0 (see ownErrorAnswered; program 8 of seed 9191: an
            // UPDATE prepared again in a READ ONLY transaction, with another div_precision_increment).
            backend.state().lastStatement().rowCount(-1);
        }
        if (elsewhere && answer != null && !syncTo(backend, desired)) {
            return null;
        }
        return answer;
    }

    /**
     * A statement of Sluice's own failed, and its error went to the client as the answer to its command (a statement
     * prepared again for an execute, refused: under LOCK TABLES, a table not locked). The client's own connection
     * would have failed the same way, so what the error left there is the client's: its conditions, for SHOW ERRORS
     * (program 721 of seed 7474 read none, Sluice having cleared them as its own), and ROW_COUNT() -1. The backend's
     * own ROW_COUNT() is what {@link #prepareIn} left: -1, or not known after statements of Sluice's that followed.
     */
    public void ownErrorAnswered(PooledBackend backend) {
        errored = true;
        lastCommandClean = false;
        LastStatement own = desired.lastStatement();
        own.conditionsFrom(backend.state().lastStatement().conditionsFrom());
        own.rowCount(-1);
    }

    private boolean fallBackToServerCollation() {
        String serverDefault = Integer.toString(pools.identity().collationId());
        var vars = desired.variables();
        if (serverDefault.equals(vars.get(SessionVariables.COLLATION_CONNECTION))) {
            return false;
        }
        vars.set(SessionVariables.CHARACTER_SET_CLIENT, serverDefault);
        vars.set(SessionVariables.CHARACTER_SET_RESULTS, serverDefault);
        vars.set(SessionVariables.COLLATION_CONNECTION, serverDefault);
        return true;
    }

    /**
     * LAST_INSERT_ID() answers from the connection; under multiplexing the client's last insert may have run
     * on another backend. Setting it with LAST_INSERT_ID(n) first makes the function answer as the client expects.
     */
    public boolean syncLastInsertId(PooledBackend backend) {
        if (lastInsertIdInSync(backend)) {
            // Set on this backend by the client itself and not read back yet: this backend has it right.
            return true;
        }
        byte[] answer = call(backend, query("SELECT LAST_INSERT_ID(" + Long.toUnsignedString(desired.lastInsertId()) + ")" + CaptureQuery.ONE_ROW));
        if (answer == null || forwardIfError(answer)) {
            return false;
        }
        backend.state().lastInsertId(desired.lastInsertId());
        return true;
    }

    private boolean lastInsertIdInSync(PooledBackend backend) {
        return lastInsertIdOnBackend || backend.state().lastInsertIdKnown() && backend.state().lastInsertId() == desired.lastInsertId();
    }

    /**
     * ROW_COUNT() and FOUND_ROWS() answer about the connection's previous statement. When that was not the
     * client's own (another client's, or Sluice's own replay), they are made the client's first: FOUND_ROWS()
     * with a SELECT of as many rows, ROW_COUNT() -1 with a SHOW and 0 with a DO. A positive ROW_COUNT() cannot be
     * recreated; the backend it lives on was kept for the client's next statement (see keepsForNextStatement).
     */
    public boolean restoreLastStatement(PooledBackend backend, StatementTraits traits) {
        LastStatement own = desired.lastStatement();
        LastStatement there = backend.state().lastStatement();
        boolean foundRowsFirst = traits.readsFoundRows() || traits.mayKeepFoundRows();
        if (!foundRowsFirst && !traits.readsRowCount()) {
            return true;
        }
        long found = own.foundRows();
        if (foundRowsFirst && found != LastStatement.UNKNOWN && found != there.foundRows() && found <= MAX_RESTORED_FOUND_ROWS) {
            // Read no table where the client's conditions must survive (a UNION of table-less SELECTs keeps them).
            // An explicit LIMIT: the client's sql_select_limit would cut the rows short.
            String rows = found == 0 ? "SELECT 1 FROM DUAL WHERE FALSE"
                    : (found <= MAX_UNION_FOUND_ROWS && own.diagnostics() ? "SELECT 1" + " UNION ALL SELECT 1".repeat((int) found - 1)
                    : "SELECT 1 FROM JSON_TABLE('[" + "0,".repeat((int) found - 1) + "0]', '$[*]' COLUMNS (x INT PATH '$')) AS sluice_rows")
                    + " LIMIT " + found;
            if (exchangeOrFail(backend, query(rows)) == null) {
                return false;
            }
            there.foundRows(found);
            there.rowCount(-1);
        }
        long rows = own.rowCount();
        String recreate = rows == 0 ? "DO 0" : rows == -1 ? "SHOW WARNINGS LIMIT 0"
                // One row, as a single-row insert or SELECT ... INTO leaves: a SELECT INTO a local variable of an
                // anonymous block (MariaDB only) sets it and nothing else but FOUND_ROWS(), restored above.
                : rows != 1 || traits.readsFoundRows() ? null
                : pools.identity().isMariaDb() ? ONE_ROW_COUNTED
                // A pinned session's backend is reset when the client leaves; otherwise the variable is put in the
                // backend's state, which has it reset before the next statement, or, inside the client's transaction,
                // once the backend no longer holds it (see plan). Inside a transaction too: Sluice's own statements run
                // there as well (an execute prepared again in its prepare's character set: the SETs there and back left
                // 0, program 1825 of seed 4242 on MySQL 8).
                : ONE_ROW_INTO_VARIABLE;
        boolean recreatable = traits.readsRowCount() && recreate == null && rows > 1 && rows <= MAX_RECREATED_ROW_COUNT
                // Not in a READ ONLY transaction, which refuses even a temporary table (ERR 1792 on MariaDB 10.11). In
                // another it is the transaction's backend that needs it: the SETs around a statement prepared again for an
                // execute leave 0 there (program 3197 of seed 5757: an UPDATE's 2 with autocommit off read as 0).
                && rows != there.rowCount() && !traits.readsFoundRows() && (pinned() || (statusFlags & ServerStatus.SERVER_STATUS_IN_TRANS_READONLY) == 0);
        if (recreatable && own.diagnostics() && own.sameConditionsAs(there)) {
            // Conditions that may still be there (a statement that raised none may not have cleared them): asked,
            // since the count is about to be replaced anyway.
            Long conditions = countConditions(backend);
            if (conditions == null && lease.none()) {
                return false;
            }
            if (conditions != null && conditions == 0) {
                own.conditionsFrom(0);
                there.conditionsFrom(0);
            }
        }
        if (recreatable && !own.diagnostics()) {
            // Errors are ignored (a server enforcing GTID consistency refuses temporary tables in transactions): the
            // count then stays as it was, as before.
            for (String sql : List.of("DROP TEMPORARY TABLE IF EXISTS " + ROW_COUNT_TABLE, "CREATE TEMPORARY TABLE " + ROW_COUNT_TABLE + " (x INT)",
                    "INSERT INTO " + ROW_COUNT_TABLE + " VALUES " + String.join(",", java.util.Collections.nCopies((int) rows, "(0)")))) {
                if (exchange(backend, query(sql)) == null) {
                    return false;
                }
            }
            there.rowCount(rows);
            if (!pinned()) {
                backend.state().userVariables().set(ROW_COUNT_VARIABLE, new UserValue(UserValue.Type.SIGNED, "1", null, "binary", "binary", 0));
            }
        }
        if (traits.readsRowCount() && recreate != null && rows != there.rowCount()) {
            if (exchangeOrFail(backend, query(recreate)) == null) {
                return false;
            }
            there.rowCount(rows);
            if (recreate.equals(ONE_ROW_COUNTED)) {
                there.foundRows(0);
            } else if (recreate.equals(ONE_ROW_INTO_VARIABLE)) {
                there.foundRows(LastStatement.UNKNOWN);
                if (!pinned()) {
                    backend.state().userVariables().set(ROW_COUNT_VARIABLE, new UserValue(UserValue.Type.SIGNED, "1", null, "binary", "binary", 0));
                }
            }
        }
        return true;
    }

    // ---- reading back what a statement changed unseen ----

    /**
     * Reads back from the backend what the client's statements changed there without an answer saying how, so
     * that it follows the client: user variables (value, type, character set), the last insert id set by
     * LAST_INSERT_ID(expr), and FOUND_ROWS() after SQL_CALC_FOUND_ROWS. False after answering the client when
     * the backend broke.
     */
    private boolean settle(PooledBackend backend) {
        if (scanUserVariables) {
            List<byte[]> names = read(backend, query(USER_VARIABLE_NAMES));
            if (names == null) {
                return false;
            }
            backend.state().lastStatement().number(LastStatement.next());
            if (ErrPacket.is(names.get(0))) {
                // No way to list them (MySQL): the client keeps this backend, with whatever it holds.
                lease.pin(PinReason.UNTRACKED_STATE);
                return true;
            }
            for (int i = 2; i < names.size() - 1; i++) {
                byte[][] row = ColumnDefinition.textRow(names.get(i), 1);
                String name = row[0] == null ? null : new String(row[0], java.nio.charset.StandardCharsets.UTF_8).toLowerCase(java.util.Locale.ROOT);
                if (ROW_COUNT_VARIABLE.equals(name)) {
                    // Sluice's own, not the client's.
                    continue;
                }
                if (name != null && io.sluice.session.UserVariables.writable(name)) {
                    uncaptured(List.of(name));
                } else if (name != null) {
                    lease.pin(PinReason.USER_VARIABLE);
                    return true;
                }
            }
            scanUserVariables = false;
        }
        boolean foundRowsUnknown = foundRowsOnlyOn(backend);
        CaptureQuery capture = new CaptureQuery(lastInsertIdOnBackend, foundRowsUnknown, uncaptured == null ? List.of() : List.copyOf(uncaptured));
        if (capture.isEmpty()) {
            if (unexplainedChange) {
                lease.pin(PinReason.UNTRACKED_STATE);
            }
            return true;
        }
        CaptureQuery.Captured captured;
        try {
            captured = readBack(backend, capture);
        } catch (IllegalStateException e) {
            // Nothing Sluice can replay: the client stays where its state is.
            LOG.debugf(e, "client %d: reading back session state failed", connectionId);
            lease.pin(PinReason.UNTRACKED_STATE);
            return true;
        }
        if (captured == null) {
            return false;
        }
        if (captured.lastInsertId() != null) {
            desired.lastInsertId(captured.lastInsertId());
            backend.state().lastInsertId(captured.lastInsertId());
            lastInsertIdOnBackend = false;
        }
        if (captured.foundRows() != null) {
            desired.lastStatement().foundRows(captured.foundRows());
        }
        if (!captured.userVariables().values().stream().allMatch(UserValue::replayable)) {
            // A value no statement can set again (bytes invalid in its character set): it stays where it is.
            lease.pin(PinReason.UNTRACKED_STATE);
            return true;
        }
        boolean changed = false;
        for (Map.Entry<String, UserValue> v : captured.userVariables().entrySet()) {
            UserValue before = desired.userVariables().get(v.getKey());
            changed |= !(v.getValue().equals(before) || before == null && v.getValue().isNull());
            desired.userVariables().set(v.getKey(), v.getValue());
            backend.state().userVariables().set(v.getKey(), v.getValue());
        }
        uncaptured = null;
        if (unexplainedChange && !changed) {
            // The server said something changed, and it was no user variable: state Sluice cannot see.
            lease.pin(PinReason.UNTRACKED_STATE);
        }
        unexplainedChange = false;
        return true;
    }

    /**
     * Runs {@code capture} on the backend and reads its answer; null after answering the client if the backend broke.
     *
     * @throws IllegalStateException when the backend refused it or answered something else
     */
    private CaptureQuery.Captured readBack(PooledBackend backend, CaptureQuery capture) {
        List<byte[]> answer = read(backend, query(capture.sql()));
        if (answer == null) {
            return null;
        }
        LastStatement there = backend.state().lastStatement();
        there.number(LastStatement.next());
        there.rowCount(-1);
        there.foundRows(1);
        if (ErrPacket.is(answer.get(0)) || answer.size() < 3) {
            throw new IllegalStateException("the capture was refused");
        }
        int columns = (int) new io.sluice.protocol.PayloadReader(answer.get(0)).readLenenc();
        List<ColumnDefinition> definitions = new ArrayList<>();
        for (int i = 1; i <= columns; i++) {
            definitions.add(ColumnDefinition.decode(answer.get(i)));
        }
        try {
            return capture.parse(definitions, ColumnDefinition.textRow(answer.get(columns + 1), columns));
        } catch (RuntimeException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The conditions the backend's diagnostics area holds; null if it broke. */
    private Long countConditions(PooledBackend backend) {
        List<byte[]> answer = withoutAnswersReturning(() -> read(backend, query(COUNT_CONDITIONS)));
        if (answer == null || ErrPacket.is(answer.get(0)) || answer.size() < 3) {
            return null;
        }
        LastStatement there = backend.state().lastStatement();
        there.rowCount(-1);
        there.foundRows(1);
        byte[][] row = ColumnDefinition.textRow(answer.get(2), 1);
        return row[0] == null ? null : Long.parseLong(ColumnDefinition.ascii(row[0]));
    }

    // ---- relaying ----

    /** What a relayed command ended with. */
    public record Outcome(boolean completed, boolean error, int statusFlags) {
        static final Outcome FAILED = new Outcome(false, true, 0);
    }

    /**
     * Runs a client's command on the backend and streams the answer back, adapted to the client's capabilities,
     * following the session state it changes. The blocking relay, on the session's thread: the event loop's is
     * {@link LoopRelay}, and both go through {@link #answerTo}, {@link #pass} and {@link #answered}.
     *
     * @param statementId when not negative, the statement id written into a PREPARE_OK for the client
     * @param capture     when not null, receives a copy of every response packet as the backend sent it
     */
    public Outcome relay(PooledBackend backend, byte[] payload, int length, long statementId, List<byte[]> capture) {
        BackendConnection connection = backend.connection();
        int command = payload[0] & 0xff;
        boolean midResponse = false;
        relayStarting(backend, payload, length);
        Answer answer = null;
        try {
            connection.sendCommand(payload, length);
            if (!ResponseScanner.expectsResponse(command)) {
                return new Outcome(true, false, statusFlags);
            }
            midResponse = true;
            answer = answerTo(backend, command, statementId, capture);
            ResponseScanner scanner = answer.scanner();
            do {
                int n = connection.readPart(scanner.inRows());
                received(answer, n);
                byte[] packet = connection.buffer();
                Role role = answer.see(packet, n);
                if (connection.partLeft() > 0 || connection.continues()) {
                    // A long row (only the start of it is read): it passes through in pieces, never held whole.
                    answer.received(relayLongRow(connection, answer.translator(), n, answer.declinedFile() ? null : client, capture));
                    if (client.isClosed()) {
                        throw ClientGoneException.INSTANCE;
                    }
                    continue;
                }
                if (role == Role.LOCAL_INFILE_REQUEST) {
                    if ((clientCapabilities & io.sluice.protocol.CapabilityFlags.CLIENT_LOCAL_FILES) != 0) {
                        answer.translator().accept(role, scanner, packet, n);
                        relayLocalFile(connection);
                    } else {
                        // Sluice never reads a file for a client; an empty one declines, and the client gets the
                        // refusal its server would give.
                        connection.sendPacket(new byte[0], 0);
                        answer.declineFile();
                    }
                    continue;
                }
                pass(backend, answer, role, packet, n);
                if (client.isClosed()) {
                    throw ClientGoneException.INSTANCE;
                }
            } while (!scanner.isComplete());
            midResponse = false;
            Outcome outcome = answered(backend, answer);
            if (collationUnreported) {
                learnCollation(backend);
            }
            return outcome;
        } catch (BackendException e) {
            if (midResponse && e.kind() == BackendException.Kind.PACKET_TOO_BIG) {
                // Refused a LOAD DATA LOCAL file's packet: the backend still waits for the rest of the file.
                dropBackend("it was refused a file packet in the middle of a load");
            }
            midResponse = false;
            lost(e);
            return Outcome.FAILED;
        } finally {
            boolean killsSettled = kills.finished();
            relayEnded(answer, length);
            if (midResponse) {
                discard("client left mid-response");
            } else if (!killsSettled) {
                discard(UNSETTLED_KILL);
            }
        }
    }

    static final String UNSETTLED_KILL = "a KILL QUERY sent to it went unanswered and may still arrive";

    /** A client command is about to go to {@code backend}: another session's KILL QUERY finds it there from now on. */
    void relayStarting(PooledBackend backend, byte[] payload, int length) {
        BackendConnection connection = backend.connection();
        kills.running(connection.threadId());
        if (LOG.isTraceEnabled()) {
            LOG.tracef("client %d on backend %d: command 0x%02x %s", connectionId, connection.threadId(), payload[0] & 0xff,
                    new String(payload, 1, Math.min(length - 1, 120), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** The relay of a command of {@code length} bytes is over, its answer ({@code answer}, null if none) counted. */
    void relayEnded(Answer answer, int length) {
        telemetry.databaseBytes(answer == null ? 0 : answer.received(), length + 4L);
    }

    /** How the answer to {@code command}, sent to {@code backend}, is to be read and passed on. */
    Answer answerTo(PooledBackend backend, int command, long statementId, List<byte[]> capture) {
        BackendConnection connection = backend.connection();
        return new Answer(connection.scannerFor(command),
                new ResponseTranslator(client, clientCapabilities, connection.sessionTrack(), statusFlags), statementId, capture);
    }

    /** {@code n} bytes of a packet of the answer came: the first tell how long the database took to start answering. */
    void received(Answer answer, int n) {
        if (answer.received() == 0) {
            databaseNanos = System.nanoTime() - answer.started();
        }
        answer.received(n + 4L);
    }

    /**
     * A whole packet of the answer, seen ({@link Answer#see}): the session state it reports is followed, and it goes
     * to the client as the client's capabilities want it. Not a long row's first part, nor a request for a file.
     */
    void pass(PooledBackend backend, Answer answer, Role role, byte[] packet, int n) {
        ResponseScanner scanner = answer.scanner();
        if (answer.capture() != null) {
            answer.capture().add(java.util.Arrays.copyOf(packet, n));
        }
        if (role == Role.OK || role == Role.RESULT_END) {
            follow(backend, scanner.lastOk(), true);
        }
        answer.failed(role == Role.ERR);
        if (answer.declinedFile()) {
            if (scanner.isComplete()) {
                writeError(Errors.localInfileDisabled(backend.connection().serverVersion()));
                answer.failed(true);
            }
            return;
        }
        if (role == Role.PREPARE_OK && answer.statementId() >= 0) {
            packet = java.util.Arrays.copyOf(packet, n);
            writeStatementId(packet, answer.statementId());
        }
        answer.translator().accept(role, scanner, packet, n);
    }

    /**
     * The answer is complete: what it says of the transaction, savepoints and the statement's after-effects is taken
     * in. Needs no round trip unless the statement set system variables MariaDB does not report, which
     * {@link #readyWithoutRoundTrip} leaves to the thread.
     */
    Outcome answered(PooledBackend backend, Answer answer) {
        ResponseScanner scanner = answer.scanner();
        Effects effects = answer.effects();
        boolean error = answer.error();
        BackendConnection connection = backend.connection();
        if (effects.statusSeen && statement != null && turnsAutocommitOffWithTablesOpen(statement, statusFlags, scanner.statusFlags())) {
            // MariaDB 10.11 leaves an InnoDB transaction that no status flag shows (see TransactionEvidence): the
            // client's next statements add to it unflagged, ROLLBACK and a reset leave it, and the first statement
            // with autocommit on commits it. It cannot move, and must reach no other client (program 353 of seed
            // 7474: another client's statement committed a row the disconnected client never committed).
            connection.transaction().transactionUnflagged();
            lease.pin(PinReason.UNTRACKED_STATE);
        }
        if (effects.statusSeen) {
            // Only an OK or the end of a result set carries the status; a prepare's answer or an error does not,
            // and must not end a transaction that is still open.
            statusFlags = scanner.statusFlags() & ~ServerStatus.SERVER_SESSION_STATE_CHANGED;
        }
        if (statement != null) {
            // See savepointHeld. A SAVEPOINT that failed is taken as held (in a multi-statement text it may have
            // run before the failure); an end of the transaction only when nothing failed.
            if ((statusFlags & ServerStatus.SERVER_STATUS_AUTOCOMMIT) != 0) {
                savepointHeld = false;
            } else if (statement.takesSavepoint() || statement.runsUnseenStatements()) {
                // Statements Sluice does not see (a procedure's, an EXECUTE's, an anonymous block's) may have
                // taken one: held as if they had, which costs sharing only until the transaction ends.
                savepointHeld = true;
            } else if (statement.endsTransaction() && !error) {
                savepointHeld = false;
            }
        }
        errored |= error;
        if (error && statement != null) {
            transactionUnknown = true;
        } else if (effects.statusSeen) {
            transactionUnknown = false;
        }
        finish(backend, answer.command(), effects, error);
        return new Outcome(true, error, scanner.statusFlags());
    }
    /**
     * Whether a client statement turned autocommit off while it may have held tables open: a SET whose subquery or
     * function reads a table ({@code SET autocommit = 0, @c = (SELECT COUNT(*) FROM t)}), or a text EXECUTE or a
     * CALL, whose statements' text Sluice does not see here: a prepared such SET does the same, run directly or by a
     * procedure. A plain SET reads none, and neither does a procedure's own SET of that kind (checked on MariaDB
     * 10.11: neither leaves a hidden transaction), but a CALL is taken as it may be.
     */
    private static boolean turnsAutocommitOffWithTablesOpen(StatementTraits traits, int before, int after) {
        return (before & ServerStatus.SERVER_STATUS_AUTOCOMMIT) != 0 && (after & ServerStatus.SERVER_STATUS_AUTOCOMMIT) == 0
                && (traits.selectsInto() || traits.mayRunStoredCode() || traits.mayKeepFoundRows());
    }

    /**
     * Passes a row that comes in pieces on to {@code out} as it comes (null {@code out} drops it): the rest of the
     * packet whose start ({@code length} bytes long) was read, then the further packets of the same payload.
     * {@code capture}, when not null, gets it whole. Returns the bytes read after the first packet's header.
     */
    private static long relayLongRow(BackendConnection connection, ResponseTranslator translator, int length, ClientTransport out,
                                     List<byte[]> capture) {
        java.io.ByteArrayOutputStream whole = capture != null ? new java.io.ByteArrayOutputStream() : null;
        long read = 0;
        if (out != null) {
            translator.startLongRow(length);
        }
        while (true) {
            int n = connection.length();
            if (out != null) {
                out.writePartBytes(connection.buffer(), 0, n);
            }
            if (whole != null) {
                whole.write(connection.buffer(), 0, n);
            }
            if (connection.partLeft() > 0) {
                connection.readMore();
            } else if (connection.continues()) {
                int next = connection.readPart(true);
                read += 4 + next;
                if (out != null) {
                    out.startPart(next);
                }
            } else {
                break;
            }
        }
        if (whole != null) {
            capture.add(whole.toByteArray());
        }
        return read;
    }

    /** Records what the command left on the backend, for the client (its own statement) and for the backend. */
    private void finish(PooledBackend backend, int command, Effects effects, boolean error) {
        LastStatement own = desired.lastStatement();
        LastStatement there = backend.state().lastStatement();
        long number = LastStatement.next();
        // MariaDB keeps earlier conditions through a statement that reads no table: they may still be there.
        long conditions = effects.conditions ? number : own.diagnostics() && own.sameConditionsAs(there) ? own.conditionsFrom() : 0;
        lastCommandClean = !effects.conditions;
        own.number(number);
        there.number(number);
        own.conditionsFrom(conditions);
        there.conditionsFrom(conditions);
        StatementTraits traits = statement;
        if (traits == null) {
            // Not a statement (COM_INIT_DB, a prepare, ...): FOUND_ROWS() stays as it was, and so does ROW_COUNT() after
            // a prepare that worked; after any command that failed it is -1, and after COM_INIT_DB 0 (MariaDB 10.11:
            // program 838 of seed 9001 read ROW_COUNT() after a prepare refused for want of a schema).
            if (error || command == CommandType.COM_INIT_DB) {
                own.rowCount(error ? -1 : 0);
                there.rowCount(error ? -1 : 0);
            }
            return;
        }
        if (!traits.onlyGetDiagnostics()) {
            own.rowCount(effects.rowCount);
            there.rowCount(effects.rowCount);
        } else if (effects.conditions) {
            // GET DIAGNOSTICS leaves ROW_COUNT() as it was, unless it raised a condition itself (a condition number
            // out of range): then -1, whatever its OK says (MariaDB 10.11; program 951 of seed 7).
            own.rowCount(-1);
            there.rowCount(-1);
        }
        if (traits.onlyDiagnostics()) {
            // SHOW WARNINGS, GET DIAGNOSTICS: FOUND_ROWS() stays as it was, on both sides.
        } else if (traits.calcFoundRows() || traits.callsProcedure() || traits.selectsInto()
                || effects.lastResultRows >= 0 && !traits.onlySelects()) {
            // Rows never sent (SQL_CALC_FOUND_ROWS, SELECT ... INTO, INSERT ... SELECT, a procedure's statements)
            // or rows that are not what FOUND_ROWS() counts (SHOW, EXPLAIN): read back if the client moves.
            own.foundRows(LastStatement.UNKNOWN);
            there.foundRows(LastStatement.UNKNOWN);
        } else if (effects.lastResultRows >= 0) {
            own.foundRows(effects.lastResultRows);
            there.foundRows(effects.lastResultRows);
        }
        if (captureUserVariables) {
            uncaptured(traits.assignedUserVariables());
        }
        // The last insert id an OK reports is the inserted row's id even when the statement gave it (LAST_INSERT_ID()
        // then keeps its value), and a failed multi-row insert changes LAST_INSERT_ID() with no OK at all: the
        // backend's value is read back before the client leaves it. So after a procedure, which may call
        // LAST_INSERT_ID(expr) or insert rows where no OK packet of the client's tells.
        if (traits.setsLastInsertId() || traits.callsProcedure() || traits.insertsRows() && (error || effects.insertId != 0)) {
            lastInsertIdOnBackend = true;
            backend.state().forgetLastInsertId();
        }
        if (error && (traits.callsProcedure() || traits.isDml())) {
            // A trigger or function may have set user variables before the statement failed; no answer says.
            ownChangesUnreported = true;
            scanUserVariables |= captureUserVariables;
            unknownState |= !captureUserVariables;
        }
        if (!error && !traits.unscopedSystemVariables().isEmpty()) {
            withoutAnswers(() -> readBackSystemVariables(backend, traits.unscopedSystemVariables()));
        }
    }

    /**
     * MariaDB does not report a change made as {@code SET @@name = ...} (no SESSION, no LOCAL): Sluice asks for
     * the values, as tracking would have reported them.
     */
    private void readBackSystemVariables(PooledBackend backend, Set<String> names) {
        List<String> variables = names.stream().filter(io.sluice.session.UserVariables::writable).map(n -> "@@session.`" + n + "`").toList();
        if (variables.isEmpty()) {
            return;
        }
        // This SELECT replaces what FOUND_ROWS() answers: a count only the backend knows is read with it.
        boolean foundRowsUnknown = foundRowsOnlyOn(backend);
        List<String> columns = new ArrayList<>();
        if (foundRowsUnknown) {
            columns.add("FOUND_ROWS()");
        }
        columns.addAll(variables);
        List<byte[]> answer = read(backend, query("SELECT " + String.join(", ", columns) + CaptureQuery.ONE_ROW));
        if (answer == null || ErrPacket.is(answer.get(0)) || answer.size() < columns.size() + 2) {
            return;
        }
        byte[][] row = ColumnDefinition.textRow(answer.get(columns.size() + 1), columns.size());
        int i = 0;
        if (foundRowsUnknown) {
            desired.lastStatement().foundRows(Long.parseLong(ColumnDefinition.ascii(row[i++])));
        }
        Map<String, String> values = new java.util.LinkedHashMap<>();
        for (String name : names) {
            if (io.sluice.session.UserVariables.writable(name)) {
                values.put(name, row[i] == null ? "" : new String(row[i], java.nio.charset.StandardCharsets.UTF_8));
                i++;
            }
        }
        SessionTrack track = new SessionTrack(values, null, false, null);
        backend.state().apply(track);
        desired.apply(track);
    }

    /** A SET NAMES gave {@code collation} to character_set_client too, on the backend and in the client's state. */
    private void namesCollation(PooledBackend backend, String collation) {
        desired.variables().namesCollation(collation);
        backend.state().variables().namesCollation(collation);
    }

    private void learnCollation(PooledBackend backend) {
        collationUnreported = false;
        boolean afterNames = namesCollationUnreported;
        namesCollationUnreported = false;
        List<byte[]> answer = read(backend, query("SELECT @@collation_connection" + CaptureQuery.ONE_ROW));
        // Column count, definition, the row, the end: the row's single length-encoded value is the collation.
        if (answer != null && answer.size() >= 3 && !ErrPacket.is(answer.get(0))) {
            String collation = new io.sluice.protocol.PayloadReader(answer.get(2)).readLenencString();
            desired.variables().set(SessionVariables.COLLATION_CONNECTION, collation);
            backend.state().variables().set(SessionVariables.COLLATION_CONNECTION, collation);
            if (afterNames) {
                namesCollation(backend, collation);
            }
        }
    }

    /** Writes a response held in memory (a cached prepare response) to the client, as {@link #relay} would. */
    public void replay(PooledBackend backend, List<byte[]> packets, int command, long statementId) {
        BackendConnection connection = backend.connection();
        ResponseScanner scanner = connection.scannerFor(command);
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

    public static void writeStatementId(byte[] prepareOk, long id) {
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
        if (ok.lastInsertId() != 0 && clientCommand) {
            // Likely what LAST_INSERT_ID() answers now, though not when the statement gave the id itself: the value
            // is read back (see finish) before the client leaves the backend.
            desired.lastInsertId(ok.lastInsertId());
            backend.state().forgetLastInsertId();
        }
        if (ok.sessionStateInfo() == null) {
            return;
        }
        SessionTrack track = SessionTrack.parse(ok.sessionStateInfo());
        if (clientCommand && statement != null && !statement.statementScopedVariables().isEmpty()) {
            // SET STATEMENT ... FOR: the server reports the values it sets for the one statement, not their return.
            track = track.without(statement.statementScopedVariables());
        }
        backend.state().apply(track);
        if (!clientCommand) {
            if (ownChangesUnreported && readingForClient) {
                // A read changes nothing: what it reports, the client's failed statement changed.
                desired.apply(track);
            }
            return;
        }
        desired.apply(track);
        if (track.transactionCharacteristics() != null) {
            pendingCharacteristics = track.transactionCharacteristics();
        }
        boolean names = track.variables().containsKey(SessionVariables.CHARACTER_SET_CLIENT)
                && track.variables().containsKey(SessionVariables.CHARACTER_SET_CONNECTION);
        String collation = track.variables().get(SessionVariables.COLLATION_CONNECTION);
        if (track.variables().containsKey(SessionVariables.CHARACTER_SET_CONNECTION) && collation == null) {
            // SET NAMES x COLLATE y reports the character sets only: ask for the collation once the answer is done.
            collationUnreported = true;
            namesCollationUnreported = names;
        } else if (names && collation != null) {
            namesCollation(backend, collation);
        }
        if (track.variables().keySet().stream().anyMatch(SessionState::isTrackingSetting)) {
            lease.pin(PinReason.SESSION_TRACKING);
        }
        if ((ok.statusFlags() & ServerStatus.SERVER_STATUS_IN_TRANS) != 0
                && track.variables().keySet().stream().anyMatch(SessionVariables.TRANSACTION_CHARACTERISTICS::contains)) {
            // Set inside a transaction: the backend may keep running with the old characteristics after it ends, which
            // no replay recreates, since a SET outside a transaction takes effect at once (program 2388 of seed 6161).
            lease.pin(PinReason.UNTRACKED_STATE);
        }
        if (track.variables().keySet().stream().anyMatch(SessionVariables.NOT_REPLAYABLE::contains)) {
            // insert_id is used up by the next insert, rand_seed by the next RAND(): only this backend has them right.
            lease.pin(PinReason.UNTRACKED_STATE);
        }
        if (track.stateChanged() && !explains(track)) {
            if (captureUserVariables) {
                // Maybe a function or trigger set user variables: all of them are read back, and if none changed,
                // the change was something else.
                scanUserVariables = true;
                unexplainedChange = true;
            } else {
                lease.pin(PinReason.UNTRACKED_STATE);
            }
        }
    }

    /**
     * Whether what changed is accounted for: variables or a schema the server named, user variables the text
     * assigns (read back), or state the text pinned for. A statement that can run stored code (a function, a
     * trigger) may have changed more than it shows.
     */
    private boolean explains(SessionTrack track) {
        if (pinned()) {
            return true;
        }
        StatementTraits traits = statement;
        if (traits == null || traits.mayRunStoredCode()) {
            return false;
        }
        return !track.variables().isEmpty() || track.schema() != null || !traits.assignedUserVariables().isEmpty()
                || !traits.statementScopedVariables().isEmpty();
    }

    /**
     * Passes a LOAD DATA LOCAL file from the client on to the backend, each packet as it comes and a long one in
     * pieces, up to the empty packet that ends it. Should the backend refuse a packet (longer than its
     * max_allowed_packet) or break, the rest of the file is read and dropped, so that the client reads the answer
     * after the end of what it sends, and the refusal is thrown then.
     */
    private void relayLocalFile(BackendConnection connection) {
        // Before the request goes: the file's first packet may come right after it.
        client.filePacketsFollow(true);
        client.flush();
        BackendConnection to = connection;
        BackendException failed = null;
        try {
            while (true) {
                InboundPacket chunk = receiveFromClient();
                if (chunk.sequenceId() != client.sequence()) {
                    throw new io.sluice.protocol.MalformedPacketException("LOAD DATA LOCAL packet out of order");
                }
                int last = chunk.lastSequenceId();
                BackendException refused = null;
                if (chunk.isHead()) {
                    if (to != null) {
                        try {
                            to.startPacket(chunk.firstPacketLength());
                            to.sendPart(chunk.payload(), 0, chunk.length());
                        } catch (BackendException e) {
                            refused = e;
                        }
                    }
                    Passed rest = passPieces(refused == null ? to : null);
                    last = rest.lastSequenceId();
                    refused = refused != null ? refused : rest.failed();
                } else if (to != null) {
                    try {
                        to.sendPacket(chunk.payload(), chunk.length());
                    } catch (BackendException e) {
                        refused = e;
                    }
                }
                if (refused != null && failed == null) {
                    failed = refused;
                    to = null;
                }
                client.sequence(last + 1);
                if (chunk.length() == 0) {
                    if (failed != null) {
                        throw failed;
                    }
                    return;
                }
            }
        } finally {
            client.filePacketsFollow(false);
        }
    }

    /**
     * Sends a command that the client passes in pieces (a long COM_STMT_SEND_LONG_DATA, which has no answer): its
     * payload's first bytes {@code head} (the statement id already the backend's), then each piece as it comes.
     * False after answering the client if the backend refused or broke; the rest of the payload is then read and
     * dropped. A backend that got part of the packet is never handed on.
     */
    public boolean sendInPieces(PooledBackend backend, byte[] head, int firstPacketLength) {
        BackendConnection connection = backend.connection();
        boolean begun = false;
        boolean sent = false;
        try {
            BackendException failed = null;
            try {
                connection.startCommandPacket(firstPacketLength);
                begun = true;
                connection.sendPart(head, 0, head.length);
            } catch (BackendException e) {
                failed = e;
            }
            Passed rest = passPieces(failed == null ? connection : null);
            failed = failed != null ? failed : rest.failed();
            if (failed != null) {
                if (begun) {
                    dropBackend("it was refused a packet it had begun to get");
                }
                lost(failed);
                return false;
            }
            sent = true;
            return true;
        } finally {
            if (begun && !sent) {
                discard("client left in the middle of a packet");
            }
        }
    }

    /** The rest of a payload passed on: the sequence id of its last packet, and what the backend refused (or null). */
    private record Passed(int lastSequenceId, BackendException failed) {
    }

    /**
     * Passes the rest of a payload whose head went to {@code to} (null: dropped) on, each piece as the client sends
     * it. Should the backend refuse a packet or break, the rest is read and dropped all the same.
     */
    private Passed passPieces(BackendConnection to) {
        BackendException failed = null;
        while (true) {
            io.sluice.protocol.PayloadPiece piece;
            try {
                piece = client.receivePiece();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ClientGoneException.INSTANCE;
            }
            if (to != null && failed == null) {
                try {
                    if (piece.startsPacket()) {
                        to.continuePayload(piece.packetLength());
                    }
                    to.sendPart(piece.bytes(), 0, piece.length());
                    if (piece.last()) {
                        to.endParts();
                    }
                } catch (BackendException e) {
                    failed = e;
                }
            }
            if (piece.last()) {
                return new Passed(piece.sequenceId(), failed);
            }
        }
    }

    private InboundPacket receiveFromClient() {
        try {
            return client.receive(0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ClientGoneException.INSTANCE;
        }
    }

    /**
     * Runs a command of Sluice's own on the backend (state replay, a hidden prepare) and returns every packet
     * of the answer; null after answering the client if the backend broke.
     */
    public List<byte[]> exchange(PooledBackend backend, byte[] payload) {
        if (!keepFoundRows(backend, payload)) {
            return null;
        }
        BackendConnection connection = backend.connection();
        exchangeOpen = true;
        try {
            connection.sendCommand(payload, payload.length);
            List<byte[]> packets = new ArrayList<>();
            ResponseScanner scanner = connection.scannerFor(payload[0] & 0xff);
            do {
                int n = connection.read();
                packets.add(java.util.Arrays.copyOf(connection.buffer(), n));
                Role role = scanner.next(connection.buffer(), n);
                if (role == Role.OK || role == Role.RESULT_END) {
                    follow(backend, scanner.lastOk(), false);
                    learnTransaction(backend, scanner.statusFlags());
                } else if (role == Role.LOCAL_INFILE_REQUEST) {
                    // Sluice's own commands never load files: an empty one declines, and the server answers.
                    connection.sendPacket(new byte[0], 0);
                }
            } while (!scanner.isComplete());
            exchangeOpen = false;
            ownStatementRan(backend, ErrPacket.is(packets.get(0)) || scanner.warnings() > 0);
            return packets;
        } catch (BackendException e) {
            exchangeOpen = false;
            lost(e);
            return null;
        }
    }

    /**
     * After a client statement failed: the status flags of an answer to one of Sluice's own statements on the client's
     * backend say whether the client is in a transaction there (Sluice's statements start and end none).
     */
    private void learnTransaction(PooledBackend backend, int flags) {
        if (transactionUnknown && lease.isOf(backend)) {
            int transaction = ServerStatus.SERVER_STATUS_IN_TRANS | ServerStatus.SERVER_STATUS_IN_TRANS_READONLY;
            statusFlags = statusFlags & ~transaction | flags & transaction;
            transactionUnknown = false;
        }
    }

    /** Like {@link #exchange}, for a query that only reads (it changes no session state of its own). */
    private List<byte[]> read(PooledBackend backend, byte[] query) {
        readingForClient = true;
        try {
            return exchange(backend, query);
        } finally {
            readingForClient = false;
        }
    }

    /** Like {@link #exchange}, but an error answer is forwarded to the client too (and null returned). */
    private List<byte[]> exchangeOrFail(PooledBackend backend, byte[] payload) {
        List<byte[]> answer = exchange(backend, payload);
        if (answer != null && forwardIfError(answer.get(0))) {
            return null;
        }
        return answer;
    }

    /** Sends a command that has no answer (COM_STMT_CLOSE); false after answering the client if the backend broke. */
    public boolean send(PooledBackend backend, byte[] payload, int length) {
        try {
            backend.connection().sendCommand(payload, length);
            return true;
        } catch (BackendException e) {
            lost(e);
            return false;
        }
    }

    private byte[] call(PooledBackend backend, byte[] payload) {
        if (!keepFoundRows(backend, payload)) {
            return null;
        }
        exchangeOpen = true;
        try {
            byte[] answer = backend.connection().call(payload);
            if (!ErrPacket.is(answer) && answer.length > 0 && (answer[0] == OkPacket.HEADER || (answer[0] & 0xff) == OkPacket.EOF_HEADER)) {
                OkPacket ok = answer.length >= 7 ? OkPacket.decode(answer, answer.length, backend.connection().sessionTrack()) : null;
                follow(backend, ok, false);
                if (ok != null) {
                    learnTransaction(backend, ok.statusFlags());
                }
            }
            exchangeOpen = false;
            ownStatementRan(backend, raisedConditions(answer));
            return answer;
        } catch (BackendException e) {
            exchangeOpen = false;
            lost(e);
            return null;
        }
    }

    /**
     * A statement of Sluice's own replaces what FOUND_ROWS() answers. When the client's count lives only on this
     * backend (after SELECT ... INTO, INSERT ... SELECT, SHOW, CALL), it is read first, unless the statement reads
     * it itself (the capture query does) or is no query (a prepare leaves FOUND_ROWS() and ROW_COUNT() alone);
     * {@code payload} null: the backend is about to go back. False after answering the client if the backend broke.
     */
    private boolean keepFoundRows(PooledBackend backend, byte[] payload) {
        LastStatement own = desired.lastStatement();
        if (own.foundRows() != LastStatement.UNKNOWN || !own.sameAs(backend.state().lastStatement())
                || payload != null && (payload[0] != CommandType.COM_QUERY || readsFoundRows(payload))) {
            return true;
        }
        List<byte[]> answer = read(backend, query(READ_FOUND_ROWS));
        if (answer == null) {
            return false;
        }
        if (!ErrPacket.is(answer.get(0)) && answer.size() >= 3) {
            own.foundRows(Long.parseLong(ColumnDefinition.ascii(ColumnDefinition.textRow(answer.get(2), 1)[0])));
        }
        return true;
    }

    private static boolean readsFoundRows(byte[] query) {
        return new String(query, 1, query.length - 1, java.nio.charset.StandardCharsets.ISO_8859_1).contains("FOUND_ROWS()");
    }

    /**
     * After a statement of Sluice's own: what it left is no client's. {@code raised}: it raised conditions of its own
     * (a replayed SET the server calls deprecated, say), which replace what the diagnostics area held and are
     * cleared before a client may read them; otherwise what was there before may still be (MariaDB keeps it).
     */
    private static void ownStatementRan(PooledBackend backend, boolean raised) {
        LastStatement there = backend.state().lastStatement();
        long conditions = raised ? LastStatement.next() : there.conditionsFrom();
        if (raised) {
            LOG.debugf("backend %d: a statement of Sluice's raised conditions", backend.connection().threadId());
        }
        there.unknown();
        there.conditionsFrom(conditions);
    }

    /** Whether a one-packet answer (OK, EOF or ERR) says the statement raised conditions. */
    private static boolean raisedConditions(byte[] answer) {
        if (ErrPacket.is(answer)) {
            return true;
        }
        if (answer.length > 0 && answer[0] == OkPacket.HEADER) {
            return answer.length >= 7 && OkPacket.decode(answer, answer.length, false).warnings() > 0;
        }
        return EofPacket.is(answer, answer.length) && EofPacket.decode(answer, answer.length).warnings() > 0;
    }

    private void lost(BackendException e) {
        if (e.kind() == BackendException.Kind.PACKET_TOO_BIG) {
            writeError(new ErrPacket(1153, "08S01", "Got a packet bigger than 'max_allowed_packet' bytes of the backend"));
            return;
        }
        // The backend likely restarted or failed over: its idle siblings are dead too.
        lease.pool().flushIdle();
        dropBackend("connection lost");
        writeError(Errors.backendLost(e.getMessage()));
    }

    /** The backend the client holds is closed and replaced: whatever lived only there is gone with it. */
    private void dropBackend(String reason) {
        // An open transaction or a pinned session lived only on that backend: the client must not carry on
        // as if it still existed (a later COMMIT would "succeed" on another backend).
        if ((statusFlags & ServerStatus.SERVER_STATUS_IN_TRANS) != 0 || savepointHeld || pinned() || statementsTie.getAsBoolean()) {
            sessionLost = true;
        }
        discard(reason);
        statusFlags = ServerStatus.SERVER_STATUS_AUTOCOMMIT;
        pendingCharacteristics = "";
        // What the client had set there and Sluice had not read back is gone with it.
        forgetBackendState();
    }

    private boolean forwardIfError(byte[] answer) {
        if (ErrPacket.is(answer)) {
            errored = true;
            client.write(answer);
            return true;
        }
        return false;
    }

    public void writeError(ErrPacket error) {
        errored = true;
        client.write(error.encode());
    }

    public void writeOk() {
        client.write(OkPacket.of(statusFlags).encode(false));
    }

    /** EOF for clients without CLIENT_DEPRECATE_EOF, else the OK that replaces it (as for COM_SET_OPTION). */
    public void writeEndOfCommand() {
        if ((clientCapabilities & io.sluice.protocol.CapabilityFlags.CLIENT_DEPRECATE_EOF) != 0) {
            client.write(new OkPacket(OkPacket.EOF_HEADER, 0, 0, statusFlags, 0, new byte[0], null).encode(false));
        } else {
            client.write(new io.sluice.protocol.EofPacket(0, statusFlags).encode());
        }
    }

    public ClientTransport client() {
        return client;
    }

    /**
     * Serves a command the protocol gives no answer (COM_STMT_SEND_LONG_DATA, COM_STMT_CLOSE): whatever would
     * have been written to the client is returned instead, for the caller to report later or drop.
     */
    public List<byte[]> withoutAnswers(Runnable work) {
        List<byte[]> captured = new ArrayList<>();
        ClientTransport before = client;
        client = new AnswerCapture(transport, captured);
        try {
            work.run();
        } finally {
            client = before;
        }
        return captured;
    }

    private <T> T withoutAnswersReturning(java.util.function.Supplier<T> work) {
        Object[] result = new Object[1];
        withoutAnswers(() -> result[0] = work.get());
        @SuppressWarnings("unchecked")
        T t = (T) result[0];
        return t;
    }

    public static byte[] query(String sql) {
        return new PayloadWriter(sql.length() + 1).int1(CommandType.COM_QUERY).string(sql).toByteArray();
    }
}
