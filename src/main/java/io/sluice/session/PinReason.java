package io.sluice.session;

import java.util.Locale;

/**
 * Why a client keeps its backend connection for good: its session holds state that cannot be moved to
 * another connection. The label is what metrics and {@code sluice.pinning.exemptions} use.
 */
public enum PinReason {
    /** Any use of a user variable, with sluice.pinning.user-variables=pin; or a name Sluice cannot write back. */
    USER_VARIABLE,
    TEMPORARY_TABLE,
    NAMED_LOCK,
    LOCK_TABLES,
    TEXT_PREPARED_STATEMENT,
    /** No longer pins (FOUND_ROWS() and ROW_COUNT() are restored); the labels stay valid in exemptions. */
    FOUND_ROWS,
    ROW_COUNT,
    XA_TRANSACTION,
    HANDLER,
    CONNECTION_ID,
    /** The client changed Sluice's own session-tracking variables; its state can no longer be followed. */
    SESSION_TRACKING,
    /** The server reported a session-state change it did not name. */
    UNTRACKED_STATE,
    /** A stored procedure ran: it may hold state no answer reports (named locks, variables set by SELECT ... INTO). */
    STORED_PROCEDURE;

    /** The label used in metrics and configuration, e.g. {@code user-variable}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static PinReason fromLabel(String label) {
        return valueOf(label.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
