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
    /** The response being read, folded in when the next one starts or when asked. */
    private ResponseScanner answering;

    /** A scanner for the response to {@code command}, whose outcome this follows. */
    ResponseScanner follow(ResponseScanner scanner) {
        fold();
        answering = scanner;
        return scanner;
    }

    /** Whether a transaction may be open: false only when the last answer with flags says none, and nothing since put it in doubt. */
    public boolean mayBeInTransaction() {
        fold();
        return uncertain || (lastStatus & ServerStatus.SERVER_STATUS_IN_TRANS) != 0;
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
