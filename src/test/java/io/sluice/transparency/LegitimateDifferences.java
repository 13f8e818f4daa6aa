package io.sluice.transparency;

import java.util.List;
import java.util.Locale;

/**
 * The one place that says what may differ between a program's run through Sluice and its run on a direct
 * connection, each with its reason. Everything else a program observes must be equal. One documented difference is
 * kept out of the runs by configuration instead: the expiry of {@code sluice.pool.diagnostics-hold}, which only a
 * stalled machine reaches (see {@link TransactionPoolingTransparencyTest#DIAGNOSTICS_HOLD}).
 */
final class LegitimateDifferences {
    private LegitimateDifferences() {
    }

    /** A masked value and why it may differ. */
    record Masked(String columnLabelPrefix, String reason) {
    }

    /**
     * Result columns whose values are not compared (the column, its type and its presence still are), by the
     * start of their label, upper case.
     */
    static final List<Masked> MASKED_COLUMNS = List.of(
            new Masked("CONNECTION_ID(", "multiplexed statements run on different backend connections, whose ids differ; "
                    + "a direct connection has one id for its life (sluice.pinning.on-connection-id=true restores that)"),
            new Masked("IS_USED_LOCK(", "answers with the id of the connection holding the lock: a backend's id through Sluice"));

    /**
     * The text of errors raised by the driver itself when a connection breaks: Connector/J writes how many
     * milliseconds ago it last heard from the server, which is timing, not behaviour. The error code and
     * SQLSTATE are still compared.
     */
    static boolean isDriverCommunicationsError(String sqlState) {
        return sqlState != null && sqlState.startsWith("08");
    }

    /**
     * The row number in the message of an error converting a stored routine's argument (its column is
     * {@code ``.``.`n`}): MariaDB does not reset the row counter for it, so the number is how many rows the
     * connection's previous statement went through (checked on a bare MariaDB 10.11: 4 after a SELECT of three
     * rows, 1 after {@code SELECT 1}, 0 after an INSERT or DO). Through Sluice the previous statement on that
     * backend may be another client's, or one of Sluice's own.
     */
    private static final java.util.regex.Pattern ROUTINE_ARGUMENT_ROW = java.util.regex.Pattern.compile("(for column ``\\.``\\.`[^`]*` at row )\\d+");

    /**
     * Names of the run's own namespace become the canonical ones: each run works in schemas of its own
     * (see {@link Namespace}), which is how both runs can go on at once without sharing data. The row number of
     * an error converting a routine's argument is masked ({@link #ROUTINE_ARGUMENT_ROW}).
     */
    static String normalize(String observed, Namespace ns) {
        if (observed == null) {
            return null;
        }
        String out = ROUTINE_ARGUMENT_ROW.matcher(observed).replaceAll("$1<masked>");
        for (String[] name : new String[][] {{ns.schema1(), "S1"}, {ns.schema2(), "S2"}}) {
            // Also as HEX() and the observer show the bytes of a value that holds a schema name, and as the observer
            // shows the bytes of HEX() itself (a binary column after SET NAMES binary: programs 419 and 686 of seed 5151).
            out = out.replace(name[0], name[1]).replace(name[0].toUpperCase(Locale.ROOT), name[1]);
            for (String[] hexed : new String[][] {{hex(name[0]), hex(name[1])}, {hex(hex(name[0])), hex(hex(name[1]))}}) {
                out = out.replace(hexed[0], hexed[1]).replace(hexed[0].toLowerCase(Locale.ROOT), hexed[1].toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }

    private static String hex(String s) {
        return java.util.HexFormat.of().withUpperCase().formatHex(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static boolean masked(String columnLabel) {
        String label = columnLabel.toUpperCase(Locale.ROOT).replace(" ", "");
        return MASKED_COLUMNS.stream().anyMatch(m -> label.startsWith(m.columnLabelPrefix()));
    }
}
