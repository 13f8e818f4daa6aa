package io.sluice.relay;

import io.sluice.protocol.ResponseScanner;
import io.sluice.protocol.ResponseScanner.Role;

/** What one response says about the statement's after-effects: row count, rows of its last result set, conditions. */
final class Effects {
    long rowCount = -1;
    long lastResultRows = -1;
    long rowsSoFar;
    /** A result set's columns were sent and its end was not (yet). */
    boolean inResult;
    long insertId;
    boolean conditions;
    boolean statusSeen;

    void see(Role role, ResponseScanner scanner) {
        switch (role) {
            case COLUMN_COUNT -> {
                rowsSoFar = 0;
                inResult = true;
            }
            case ROW -> rowsSoFar++;
            case RESULT_END -> {
                statusSeen = true;
                lastResultRows = rowsSoFar;
                inResult = false;
                rowCount = -1;
                conditions |= scanner.warnings() > 0;
            }
            case OK -> {
                statusSeen = true;
                rowCount = scanner.lastOk() == null ? 0 : scanner.lastOk().affectedRows();
                insertId |= scanner.lastOk() == null ? 0 : scanner.lastOk().lastInsertId();
                conditions |= scanner.warnings() > 0;
            }
            case ERR -> {
                rowCount = -1;
                conditions = true;
                if (inResult) {
                    // A SELECT that failed while it ran (its columns were sent: a function's error, a subquery of
                    // several rows) leaves FOUND_ROWS() at the rows it sent; one refused before it ran (an unknown
                    // column) sends no columns and leaves it as it was (both checked on MariaDB 10.11).
                    lastResultRows = rowsSoFar;
                    inResult = false;
                }
            }
            default -> {
            }
        }
    }
}
