package io.sluice.backend;

import io.sluice.protocol.ResponseScanner;
import io.sluice.protocol.ServerStatus;

/**
 * What the answers read on one backend connection say about its transaction, independently of what the client side
 * concluded: the pool's last check before a backend it gets back as clean goes to another client.
 *
 * <p>Only an OK or an end of rows carries status flags. An error carries none, and with autocommit off (or inside a
 * transaction) a failed statement may have started a transaction, or ended one: the answer is then uncertain until
 * the next answer with flags. A response abandoned part-way is uncertain too.
 */
public final class TransactionEvidence {
    private int lastStatus = ServerStatus.SERVER_STATUS_AUTOCOMMIT;
    private boolean uncertain;
    /**
     * A statement turned autocommit off while it held transactional tables open (a SET whose subquery or function
     * read one): MariaDB 10.11 then keeps an InnoDB transaction that no status flag shows, and that neither
     * ROLLBACK nor COM_RESET_CONNECTION ends. The next statement run with autocommit on commits what it holds; only
     * closing the connection rolls it back. Not cleared by a reset, for that reason.
     */
    private boolean unflagged;
    /** The response being read, folded in when the next one starts or when asked. */
    private ResponseScanner answering;

    /** A scanner for the response to {@code command}, whose outcome this follows. */
    ResponseScanner follow(ResponseScanner scanner) {
        fold();
        answering = scanner;
        return scanner;
    }

    /**
     * Whether a transaction may be open: false only when the last answer with flags says none, nothing since put it in
     * doubt, and no transaction may hide from the flags.
     */
    public boolean mayBeInTransaction() {
        fold();
        return unflagged || uncertain || (lastStatus & ServerStatus.SERVER_STATUS_IN_TRANS) != 0;
    }

    /** See {@link #unflagged}: set by the client side, which knows the statement's text. */
    public void transactionUnflagged() {
        unflagged = true;
    }

    /** Whether the connection may hold a transaction its flags do not show, which only closing it ends. */
    public boolean mayHoldUnflaggedTransaction() {
        return unflagged;
    }

    /** The session starts over (a reset, a change of user): no transaction. */
    void sessionStarted() {
        answering = null;
        lastStatus = ServerStatus.SERVER_STATUS_AUTOCOMMIT;
        uncertain = false;
    }

    private void fold() {
        ResponseScanner s = answering;
        if (s == null) {
            return;
        }
        answering = null;
        if (!s.isComplete()) {
            uncertain = true;
            return;
        }
        if (s.statusSeen()) {
            lastStatus = s.statusFlags();
            uncertain = false;
        }
        if (s.failed() && ((lastStatus & ServerStatus.SERVER_STATUS_IN_TRANS) != 0 || (lastStatus & ServerStatus.SERVER_STATUS_AUTOCOMMIT) == 0)) {
            uncertain = true;
        }
    }
}
