package io.sluice.frontend;

import io.sluice.relay.BackendLink;
import io.sluice.relay.Errors;
import io.sluice.observe.Telemetry;
import io.sluice.pool.BackendStatement;
import io.sluice.pool.PooledBackend;
import io.sluice.protocol.CommandType;
import io.sluice.protocol.ErrPacket;
import io.sluice.protocol.InboundPacket;
import io.sluice.protocol.PayloadReader;
import io.sluice.protocol.PayloadWriter;
import io.sluice.protocol.ServerStatus;
import io.sluice.session.PrepareContext;
import io.sluice.session.PinReason;
import io.sluice.session.StatementTraits;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Binary-protocol prepared statements without pinning. The client gets Sluice's own statement ids; Sluice
 * prepares the SQL on whichever backend runs the statement (once per backend, kept in that backend's cache)
 * and rewrites ids in every packet. The metadata returned at prepare time stays the client's.
 *
 * <p>A statement ties the client to its backend only while it has an open cursor or half-sent long data.
 */
final class PreparedStatements {
    /** MariaDB Connector/J pipelines PREPARE and EXECUTE, naming "the statement just prepared" with this id. */
    private static final long LAST_PREPARED = 0xffffffffL;
    private static final int CURSOR_TYPE_READ_ONLY = 1;

    private final BackendLink link;
    private final Telemetry telemetry;
    /** How many statements, and how much of them, this client may hold. */
    private final StatementBudget.Share budget;
    /** Made with the first statement: most clients prepare none, and thousands of them may be connected. */
    private Map<Long, Statement> byId;
    private long nextId = 1;
    private long lastPrepared = -1;
    /** How many statements tie the backend they ran on (see {@link #tiesBackend}). */
    private int tying;

    /** A statement as its client knows it. */
    private static final class Statement {
        final long id;
        /** The statement's context and bytes: its key in backends' statement caches. */
        final String sql;
        final PrepareContext context;
        final byte[] prepare;
        final int parameters;
        final StatementTraits traits;
        /** The parameter types the client last sent; later executions may leave them out. */
        byte[] types;
        /** An error met while sending long data, which has no answer: the next execute reports it, as a server does. */
        byte[] deferredError;
        /** Set through {@link PreparedStatements#tie}, which counts the statements that tie their backend. */
        private boolean cursorOpen;
        private boolean longData;

        Statement(long id, String sql, PrepareContext context, byte[] prepare, int parameters, StatementTraits traits) {
            this.id = id;
            this.sql = sql;
            this.context = context;
            this.prepare = prepare;
            this.parameters = parameters;
            this.traits = traits;
        }

        boolean tiesBackend() {
            return cursorOpen || longData;
        }
    }

    PreparedStatements(BackendLink link, Telemetry telemetry, StatementBudget.Share budget) {
        this.link = link;
        this.telemetry = telemetry;
        this.budget = budget;
        link.tiedBy(this::tiesBackend);
    }

    /**
     * Whether some statement needs the backend it ran on: an open cursor, long data not yet executed. Asked several
     * times a statement, so counted as statements change rather than looked for among them all.
     */
    boolean tiesBackend() {
        return tying > 0;
    }

    /** Whether {@code statement} has a cursor open and long data sent, keeping {@link #tying} up to date. */
    private void tie(Statement statement, boolean cursorOpen, boolean longData) {
        boolean tied = statement.tiesBackend();
        statement.cursorOpen = cursorOpen;
        statement.longData = longData;
        tying += (statement.tiesBackend() ? 1 : 0) - (tied ? 1 : 0);
    }

    /** The server forgets its statements on COM_RESET_CONNECTION and COM_CHANGE_USER; so do clients. */
    void clear() {
        byId = null;
        tying = 0;
        budget.giveAll();
        lastPrepared = -1;
    }

    void prepare(InboundPacket packet) {
        long cost = StatementBudget.cost(packet.length());
        ErrPacket refused = budget.take(cost);
        if (refused != null) {
            link.writeError(refused);
            return;
        }
        boolean kept = false;
        try {
            kept = prepareWithin(packet);
        } finally {
            if (!kept) {
                budget.give(cost);
            }
        }
    }

    /** False when the client holds no new statement afterwards. */
    private boolean prepareWithin(InboundPacket packet) {
        PooledBackend backend = link.acquire();
        if (backend == null) {
            return false;
        }
        // Prepared in the client's context as it is now: a backend's statement of the same text prepared in
        // another schema, sql_mode or character set means something else.
        PrepareContext context = PrepareContext.of(link.desired());
        String sql = context.key(packet.payload(), 1, packet.length() - 1);
        long id = nextId;
        StatementTraits traits = StatementTraits.of(packet.payload(), 1, packet.length() - 1, link.dialect());
        // The columns of SELECT @a describe @a's type when prepared: a response cached before it changed is stale.
        BackendStatement cached = traits.pins().contains(PinReason.USER_VARIABLE) ? null : backend.statements().get(sql);
        int parameters;
        // The server's prepare acts on the diagnostics area: one that opens a table clears the conditions before it (a
        // table-less one keeps them), and its own warnings replace them; ROW_COUNT() and FOUND_ROWS() it leaves alone
        // (MariaDB 10.11). A cached answer does none of that, and SHOW ERRORS read an error a prepare would have
        // cleared (program 4606 of seed 8585). So where the client may have conditions, or the prepare raises some,
        // the server prepares it again, for its effect and its answer; the cached statement stays (a cursor of this
        // client's may be open on it) and the new one is closed.
        if (cached != null && !link.desired().lastStatement().diagnostics() && PrepareOk.of(cached.response().get(0)).warnings() == 0) {
            telemetry.statementPrepared(true);
            link.replay(backend, cached.response(), CommandType.COM_STMT_PREPARE, id);
            parameters = cached.parameters();
        } else {
            telemetry.statementPrepared(false);
            List<byte[]> response = new ArrayList<>();
            BackendLink.Outcome outcome = link.relay(backend, packet.payload(), packet.length(), id, response);
            if (!outcome.completed() || outcome.error()) {
                return false;
            }
            if (cached != null) {
                PrepareOk again = PrepareOk.of(response.get(0));
                close(backend, again.statementId());
                parameters = again.parameters();
            } else {
                parameters = remember(backend, sql, response).parameters();
            }
        }
        link.prepared(traits);
        nextId++;
        lastPrepared = id;
        if (byId == null) {
            byId = new HashMap<>();
        }
        byId.put(id, new Statement(id, sql, context, packet.payload(), parameters, traits));
        return true;
    }

    void execute(InboundPacket packet) {
        Statement statement = find(packet, "mysqld_stmt_execute");
        if (statement == null) {
            return;
        }
        if (statement.deferredError != null) {
            link.client().write(statement.deferredError);
            statement.deferredError = null;
            tie(statement, statement.cursorOpen, false);
            return;
        }
        link.statementStarting(statement.traits);
        PooledBackend backend = link.acquire();
        if (backend == null) {
            return;
        }
        BackendStatement onBackend = onBackend(backend, statement);
        if (onBackend == null || statement.traits.needsLastInsertId() && !link.syncLastInsertId(backend)
                || !link.restoreLastStatement(backend, statement.traits)) {
            return;
        }
        Execution execution = execution(statement, backend, onBackend, packet);
        byte[] payload = payload(execution, packet);
        executed(execution, link.relay(backend, payload, payload.length, -1, null));
    }

    /**
     * An execute about to run on {@code backend}, where the statement is prepared already; made before the relay,
     * because the client's schema it compares with may change with the answer.
     */
    record Execution(Statement statement, PooledBackend backend, BackendStatement onBackend, boolean cursorWanted, boolean switchesSchema) {
        StatementTraits traits() {
            return statement.traits;
        }
    }

    /**
     * For the event loop: the execute in {@code packet} when it needs no round trip of Sluice's own first (its backend
     * ready, see {@link BackendLink#readyWithoutRoundTrip}, and the statement prepared there), else null: the
     * session's thread then serves it, errors included.
     */
    Execution readyWithoutRoundTrip(InboundPacket packet) {
        Statement statement = lookUp(packet);
        if (statement == null) {
            return null;
        }
        PooledBackend backend = link.readyWithoutRoundTrip(statement.traits);
        BackendStatement onBackend = backend == null ? null : backend.statements().get(statement.sql);
        return onBackend == null ? null : execution(statement, backend, onBackend, packet);
    }

    private Execution execution(Statement statement, PooledBackend backend, BackendStatement onBackend, InboundPacket packet) {
        boolean cursorWanted = packet.length() > 5 && (packet.payload()[5] & CURSOR_TYPE_READ_ONLY) != 0;
        // The server runs a statement in the schema it was prepared in, and selects the current one again after: that
        // resets character_set_database and collation_database to the schema's defaults. Where Sluice prepared it (in
        // the client's schema, or a cached copy) may not switch at all, so the client's state says it (see executed).
        boolean switchesSchema = !java.util.Objects.equals(statement.context.schema(), link.desired().schema());
        return new Execution(statement, backend, onBackend, cursorWanted, switchesSchema);
    }

    /** The traits of the statement an execute names, null when it names none or one with an error to report first. */
    StatementTraits traitsOf(InboundPacket packet) {
        Statement statement = lookUp(packet);
        return statement == null ? null : statement.traits;
    }

    private Statement lookUp(InboundPacket packet) {
        if (packet.length() < 5 || byId == null) {
            return null;
        }
        long id = statementId(packet);
        Statement statement = byId.get(id == LAST_PREPARED ? lastPrepared : id);
        return statement == null || statement.deferredError != null ? null : statement;
    }

    /** The execute as the backend is to get it: its statement id, and the parameter types it last saw. */
    byte[] payload(Execution execution, InboundPacket packet) {
        return rewriteExecute(packet.payload(), execution.statement(), execution.onBackend());
    }

    /** The execute's answer is complete (or broke off): what it left of the statement, and of the client's schema. */
    void executed(Execution execution, BackendLink.Outcome outcome) {
        Statement statement = execution.statement();
        if (execution.switchesSchema() && outcome.completed()) {
            link.desired().variables().schemaChanged();
        }
        tie(statement, outcome.completed() && !outcome.error() && execution.cursorWanted()
                && (outcome.statusFlags() & ServerStatus.SERVER_STATUS_CURSOR_EXISTS) != 0, false);
    }

    /**
     * Relays long data for a statement's parameter. A long one arrives in pieces ({@link InboundPacket#isHead()}) and
     * goes on to the backend as it comes, never held whole.
     */
    void sendLongData(InboundPacket packet) throws InterruptedException {
        Statement statement = find(packet, "mysqld_stmt_send_long_data");
        if (statement == null) {
            // COM_STMT_SEND_LONG_DATA has no answer, not even an error: the following execute reports it.
            link.client().skipRest(packet);
            return;
        }
        boolean[] passed = {!packet.isHead()};
        List<byte[]> errors = link.withoutAnswers(() -> {
            PooledBackend backend = link.acquire();
            BackendStatement onBackend = backend == null ? null : onBackend(backend, statement);
            if (onBackend != null) {
                byte[] payload = withId(packet.payload(), onBackend.id());
                if (packet.isHead()) {
                    link.sendInPieces(backend, payload, packet.firstPacketLength());
                    passed[0] = true;
                } else {
                    link.send(backend, payload, payload.length);
                }
            }
        });
        if (!passed[0]) {
            link.client().skipRest(packet);
        }
        // Tied to this backend until the execute (or reset) that uses the data.
        tie(statement, statement.cursorOpen, true);
        if (!errors.isEmpty() && statement.deferredError == null) {
            statement.deferredError = errors.get(0);
        }
    }

    void reset(InboundPacket packet) {
        Statement statement = find(packet, "mysqld_stmt_reset");
        if (statement == null) {
            return;
        }
        PooledBackend backend = link.current();
        BackendStatement onBackend = backend == null ? null : backend.statements().get(statement.sql);
        if (statement.tiesBackend() && onBackend != null) {
            byte[] payload = withId(packet.payload(), onBackend.id());
            link.relay(backend, payload, payload.length, -1, null);
        } else {
            // Nothing of this statement is on any backend: there is nothing to reset.
            link.writeOk();
        }
        tie(statement, false, false);
    }

    void close(InboundPacket packet) {
        if (packet.length() < 5) {
            return;
        }
        Statement statement = byId == null ? null : byId.remove(statementId(packet));
        if (statement != null) {
            budget.give(StatementBudget.cost(statement.prepare.length));
            // Gone from the count with the statement; what it tied on the backend is dropped below.
            tying -= statement.tiesBackend() ? 1 : 0;
        }
        if (statement == null || !statement.tiesBackend()) {
            // The backend keeps the prepared statement in its cache for the next client that prepares the SQL.
            return;
        }
        PooledBackend backend = link.current();
        BackendStatement onBackend = backend == null ? null : backend.statements().get(statement.sql);
        if (onBackend != null) {
            // Close the cursor or drop the long data, keep the statement. COM_STMT_CLOSE has no answer: a failure is dropped.
            link.withoutAnswers(() -> link.exchange(backend, withId(new byte[] {CommandType.COM_STMT_RESET, 0, 0, 0, 0}, onBackend.id())));
        }
    }

    void fetch(InboundPacket packet) {
        Statement statement = find(packet, "mysqld_stmt_fetch");
        if (statement == null) {
            return;
        }
        PooledBackend backend = link.current();
        BackendStatement onBackend = backend == null ? null : backend.statements().get(statement.sql);
        if (!statement.cursorOpen || onBackend == null) {
            link.writeError(new ErrPacket(1421, "HY000", "The statement (" + statement.id + ") has no open cursor."));
            return;
        }
        byte[] payload = withId(packet.payload(), onBackend.id());
        BackendLink.Outcome outcome = link.relay(backend, payload, payload.length, -1, null);
        if (!outcome.completed() || outcome.error() || (outcome.statusFlags() & ServerStatus.SERVER_STATUS_LAST_ROW_SENT) != 0) {
            tie(statement, false, statement.longData);
        }
    }

    private Statement find(InboundPacket packet, String handler) {
        if (packet.length() < 5) {
            link.writeError(Errors.malformed("statement id missing"));
            return null;
        }
        long id = statementId(packet);
        Statement statement = byId == null ? null : byId.get(id == LAST_PREPARED ? lastPrepared : id);
        if (statement == null && packet.command() != CommandType.COM_STMT_SEND_LONG_DATA) {
            link.writeError(new ErrPacket(1243, "HY000", "Unknown prepared statement handler (" + id + ") given to " + handler));
        }
        return statement;
    }

    /** What Sluice reads of a backend's PREPARE_OK: status, statement id, columns, parameters, filler, warnings. */
    private record PrepareOk(long statementId, int parameters, int warnings) {
        static PrepareOk of(byte[] payload) {
            PayloadReader ok = new PayloadReader(payload);
            ok.skip(1);
            long id = ok.readInt4();
            ok.readInt2();
            int parameters = ok.readInt2();
            if (ok.remaining() < 3) {
                return new PrepareOk(id, parameters, 0);
            }
            ok.skip(1);
            return new PrepareOk(id, parameters, ok.readInt2());
        }
    }

    /** Closes a statement on the backend (COM_STMT_CLOSE has no answer). */
    private void close(PooledBackend backend, long statementId) {
        link.send(backend, withId(new byte[] {CommandType.COM_STMT_CLOSE, 0, 0, 0, 0}, statementId), 5);
    }

    private static long statementId(InboundPacket packet) {
        return new PayloadReader(packet.payload(), 1, 4).readInt4();
    }

    /** The statement as prepared on this backend, preparing it there first if it is not yet. Null after an error. */
    private BackendStatement onBackend(PooledBackend backend, Statement statement) {
        BackendStatement cached = backend.statements().get(statement.sql);
        if (cached != null) {
            return cached;
        }
        List<byte[]> response = link.prepareIn(backend, statement.context, statement.prepare, statement.traits);
        if (response == null) {
            return null;
        }
        telemetry.statementReprepared();
        if (ErrPacket.is(response.get(0))) {
            link.client().write(response.get(0));
            link.ownErrorAnswered(backend);
            return null;
        }
        BackendStatement prepared = remember(backend, statement.sql, response);
        if (prepared.parameters() != statement.parameters) {
            link.writeError(new ErrPacket(1210, "HY000", "Statement " + statement.id + " now takes " + prepared.parameters()
                    + " parameters on the backend instead of " + statement.parameters + "; prepare it again"));
            return null;
        }
        return prepared;
    }

    private BackendStatement remember(PooledBackend backend, String sql, List<byte[]> response) {
        PrepareOk ok = PrepareOk.of(response.get(0));
        BackendStatement statement = new BackendStatement(ok.statementId(), ok.parameters(), List.copyOf(response), new BackendStatement.ParameterTypes());
        backend.statements().put(sql, statement, evicted -> close(backend, evicted.id()));
        return statement;
    }

    /**
     * The execute packet for the backend: its statement id, and the parameter types when the client left them
     * out (it sent them once, to another backend) but this backend's statement holds different ones.
     */
    private static byte[] rewriteExecute(byte[] payload, Statement statement, BackendStatement onBackend) {
        byte[] out = withId(payload, onBackend.id());
        int n = statement.parameters;
        if (n == 0) {
            return out;
        }
        int boundFlag = 10 + (n + 7) / 8;
        if (out.length <= boundFlag) {
            return out;
        }
        if (out[boundFlag] == 1) {
            if (out.length >= boundFlag + 1 + 2 * n) {
                statement.types = Arrays.copyOfRange(out, boundFlag + 1, boundFlag + 1 + 2 * n);
                onBackend.boundTypes().set(statement.types);
            }
            return out;
        }
        if (statement.types == null || Arrays.equals(statement.types, onBackend.boundTypes().get())) {
            return out;
        }
        onBackend.boundTypes().set(statement.types);
        return new PayloadWriter(out.length + statement.types.length)
                .bytes(out, 0, boundFlag).int1(1).bytes(statement.types)
                .bytes(out, boundFlag + 1, out.length - boundFlag - 1)
                .toByteArray();
    }

    private static byte[] withId(byte[] payload, long id) {
        byte[] out = payload.clone();
        BackendLink.writeStatementId(out, id);
        return out;
    }
}
