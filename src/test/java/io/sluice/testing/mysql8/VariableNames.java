package io.sluice.testing.mysql8;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The system-variable names MySQL 8 and MariaDB 10.11 spell differently, and the statement form only MariaDB
 * knows. MySQL 8.0 removed {@code tx_isolation} and {@code tx_read_only}, keeping only {@code transaction_isolation}
 * and {@code transaction_read_only}; MariaDB 10.11 has only the old names.
 *
 * <p>Matching is on whole words (an identifier character on neither side), ASCII case-insensitive, in one linear
 * pass over the bytes: SQL text need not be valid UTF-8, and these names are ASCII. String literals and quoted
 * identifiers are not told apart from the rest of the text (see {@link MySql8Face}).
 */
final class VariableNames {
    static final String TX_ISOLATION = "tx_isolation";
    static final String TX_READ_ONLY = "tx_read_only";
    static final String TRANSACTION_ISOLATION = "transaction_isolation";
    static final String TRANSACTION_READ_ONLY = "transaction_read_only";

    private static final String[] MYSQL_NAMES = {TRANSACTION_ISOLATION, TRANSACTION_READ_ONLY};
    private static final String[] MARIADB_NAMES = {TX_ISOLATION, TX_READ_ONLY};
    /** MariaDB's {@code in_transaction}, which MySQL never had (its clients read the status flags instead). */
    static final String IN_TRANSACTION = "in_transaction";
    /** Every name MySQL 8 does not know: the removed ones and MariaDB's own. */
    private static final String[] UNKNOWN_TO_MYSQL = {TX_ISOLATION, TX_READ_ONLY, IN_TRANSACTION};
    /**
     * The face announces utf8mb4_0900_ai_ci (id 255), which MariaDB 10.11 does not know; MariaDB's utf8mb4_general_ci
     * (id 45) stands in for it wherever a client names it: by name in any SQL, by id where a character-set variable
     * is assigned a number ({@code SET character_set_client = 255}, as Sluice's state replay writes it).
     */
    private static final String[] MYSQL_COLLATIONS = {"utf8mb4_0900_ai_ci"};
    private static final String[] MARIADB_COLLATIONS = {"utf8mb4_general_ci"};
    private static final String[] CHARSET_VARIABLES = {"character_set_client", "character_set_results", "character_set_connection",
            "collation_connection"};
    private static final int MAX_NEAR = 80;

    private VariableNames() {
    }

    /**
     * The name MySQL 8 does not know ({@code tx_isolation}, {@code tx_read_only}, {@code in_transaction}, as the client
     * wrote it) that the text uses, or null.
     */
    static String removedVariableIn(byte[] text, int from) {
        for (int i = from; i < text.length; i++) {
            if (isWordStart(text, from, i)) {
                for (String name : UNKNOWN_TO_MYSQL) {
                    if (wordAt(text, i, name)) {
                        return new String(text, i, name.length(), StandardCharsets.US_ASCII);
                    }
                }
            }
        }
        return null;
    }

    /** The client's SQL with MySQL 8's names (of variables and of the 0900 collation) replaced by MariaDB's. */
    static byte[] toMariaDb(byte[] text, int from) {
        return collationIdsToMariaDb(replace(replace(text, from, MYSQL_NAMES, MARIADB_NAMES), from, MYSQL_COLLATIONS, MARIADB_COLLATIONS), from);
    }

    /** {@code <character-set variable> = 255} becomes {@code = 45}: the announced collation id, by MariaDB's number. */
    private static byte[] collationIdsToMariaDb(byte[] text, int from) {
        byte[] out = null;
        for (int i = from; i < text.length; i++) {
            if (!isWordStart(text, from, i)) {
                continue;
            }
            for (String variable : CHARSET_VARIABLES) {
                if (!wordAt(text, i, variable)) {
                    continue;
                }
                int at = skipSpaceAndComments(text, i + variable.length());
                if (at < text.length && text[at] == ':') {
                    at++;
                }
                if (at >= text.length || text[at] != '=') {
                    break;
                }
                at = skipSpaceAndComments(text, at + 1);
                if (wordAt(text, at, Integer.toString(MySql8Face.UTF8MB4_0900_AI_CI))) {
                    if (out == null) {
                        out = text.clone();
                    }
                    // "255" becomes " 45": same length, so offsets found so far stay right.
                    out[at] = ' ';
                    out[at + 1] = '4';
                    out[at + 2] = '5';
                }
                break;
            }
        }
        return out == null ? text : out;
    }

    /** A name or message from MariaDB with its names replaced by MySQL 8's. */
    static byte[] toMySql(byte[] text) {
        return replace(text, 0, MARIADB_NAMES, MYSQL_NAMES);
    }

    static String toMySql(String text) {
        return new String(toMySql(text.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    /**
     * The text after {@code SET STATEMENT} when the statement is MariaDB's {@code SET STATEMENT var=value FOR stmt}
     * (which MySQL's parser rejects), or null. Only the first statement of the text is looked at.
     */
    static String setStatementRest(byte[] text, int from) {
        int i = skipSpaceAndComments(text, from);
        if (!wordAt(text, i, "set")) {
            return null;
        }
        int afterSet = i + 3;
        i = skipSpaceAndComments(text, afterSet);
        if (i == afterSet || !wordAt(text, i, "statement")) {
            return null;
        }
        int rest = skipSpaceAndComments(text, i + "statement".length());
        // "SET statement = 1" assigns a variable called statement: a different error on MySQL, not this one.
        if (rest < text.length && (text[rest] == '=' || text[rest] == ':')) {
            return null;
        }
        String near = new String(text, rest, text.length - rest, StandardCharsets.UTF_8);
        return near.length() > MAX_NEAR ? near.substring(0, MAX_NEAR) : near;
    }

    private static byte[] replace(byte[] text, int from, String[] names, String[] replacements) {
        ByteArrayOutputStream out = null;
        int copied = from;
        for (int i = from; i < text.length; i++) {
            if (!isWordStart(text, from, i)) {
                continue;
            }
            for (int n = 0; n < names.length; n++) {
                if (wordAt(text, i, names[n])) {
                    if (out == null) {
                        out = new ByteArrayOutputStream(text.length + 16);
                        out.write(text, 0, from);
                    }
                    out.write(text, copied, i - copied);
                    boolean upper = text[i] >= 'A' && text[i] <= 'Z';
                    String replacement = upper ? replacements[n].toUpperCase(java.util.Locale.ROOT) : replacements[n];
                    out.writeBytes(replacement.getBytes(StandardCharsets.US_ASCII));
                    i += names[n].length() - 1;
                    copied = i + 1;
                    break;
                }
            }
        }
        if (out == null) {
            return text;
        }
        out.write(text, copied, text.length - copied);
        return out.toByteArray();
    }

    private static boolean isWordStart(byte[] text, int from, int i) {
        return i == from || !isWordByte(text[i - 1]);
    }

    /** The word {@code word} (lower-case ASCII) at {@code i}, ending at a word boundary. */
    private static boolean wordAt(byte[] text, int i, String word) {
        int end = i + word.length();
        if (end > text.length) {
            return false;
        }
        for (int k = 0; k < word.length(); k++) {
            int c = text[i + k];
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            if (c != word.charAt(k)) {
                return false;
            }
        }
        return end == text.length || !isWordByte(text[end]);
    }

    /** Identifier characters: ASCII letters, digits, '_', '$', and every byte of a multi-byte character. */
    private static boolean isWordByte(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '_' || b == '$' || b < 0;
    }

    private static int skipSpaceAndComments(byte[] text, int i) {
        while (i < text.length) {
            byte b = text[i];
            if (b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f') {
                i++;
            } else if (b == '/' && i + 1 < text.length && text[i + 1] == '*' && (i + 2 >= text.length || text[i + 2] != '!')) {
                int end = indexOf(text, i + 2, (byte) '*', (byte) '/');
                i = end < 0 ? text.length : end + 2;
            } else if (b == '#' || (b == '-' && i + 2 < text.length && text[i + 1] == '-' && (text[i + 2] == ' ' || text[i + 2] == '\t'))) {
                while (i < text.length && text[i] != '\n') {
                    i++;
                }
            } else {
                return i;
            }
        }
        return i;
    }

    private static int indexOf(byte[] text, int from, byte first, byte second) {
        for (int i = from; i + 1 < text.length; i++) {
            if (text[i] == first && text[i + 1] == second) {
                return i;
            }
        }
        return -1;
    }
}
