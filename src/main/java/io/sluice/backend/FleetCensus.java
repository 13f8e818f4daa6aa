package io.sluice.backend;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Counts the Sluice instances that share a database and user, from what the database shows, so that each can
 * size its pool to a fair share of a fleet budget without talking to the others.
 *
 * <p>Every backend connection carries the connection attributes {@code program_name=sluice} and
 * {@code sluice_instance=<this process's id>} ({@link ConnectionSettings}). Where the Performance Schema records
 * them ({@code performance_schema.session_account_connect_attrs}, which lists the sessions of one's own account
 * and needs no grant beyond SELECT there), the count is exact: distinct instance ids. Elsewhere (MariaDB's default,
 * or no access) it falls back on {@code information_schema.PROCESSLIST}, which always shows one's own user's
 * connections: distinct client hosts of that user, i.e. one per pod (its own IP address). That fallback counts
 * every client host of the user, Sluice or not, and instances sharing an address as one.
 */
public final class FleetCensus {
    /** This process's id among the instances, in the attributes of each of its backend connections. */
    public static final String INSTANCE_ID = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    static final String PROGRAM_ATTRIBUTE = "program_name";
    static final String PROGRAM = "sluice";
    static final String INSTANCE_ATTRIBUTE = "sluice_instance";

    /** Connector/J's connectionAttributes value: name:value pairs, comma-separated. */
    static final String CONNECTION_ATTRIBUTES = PROGRAM_ATTRIBUTE + ":" + PROGRAM + "," + INSTANCE_ATTRIBUTE + ":" + INSTANCE_ID;

    /** Distinct instance ids among this account's Sluice sessions, and whether this instance's own are among them. */
    private static final String BY_ATTRIBUTES = "SELECT COUNT(DISTINCT i.ATTR_VALUE), COALESCE(SUM(i.ATTR_VALUE = ?), 0) "
            + "FROM performance_schema.session_account_connect_attrs p "
            + "JOIN performance_schema.session_account_connect_attrs i ON i.PROCESSLIST_ID = p.PROCESSLIST_ID "
            + "WHERE p.ATTR_NAME = '" + PROGRAM_ATTRIBUTE + "' AND p.ATTR_VALUE = '" + PROGRAM + "' "
            + "AND i.ATTR_NAME = '" + INSTANCE_ATTRIBUTE + "'";
    /** Distinct client hosts (the address without its port; IPv6 has colons of its own) of this connection's user. */
    private static final String BY_CLIENT_HOSTS = "SELECT COUNT(DISTINCT LEFT(HOST, LENGTH(HOST) - LOCATE(':', REVERSE(HOST)))) "
            + "FROM information_schema.PROCESSLIST WHERE USER = SUBSTRING_INDEX(USER(), '@', 1)";

    /** How the instances were counted, for metrics and readiness. */
    public enum Source {
        CONNECTION_ATTRIBUTES("performance_schema connection attributes"),
        CLIENT_HOSTS("client hosts in the processlist");

        private final String description;

        Source(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    /** What one count found. */
    public record Count(int databaseMaxConnections, int instances, Source source) {
    }

    private FleetCensus() {
    }

    /** Counts on {@code connection}, a pooled backend connection of the user whose pool is sized (itself one of them). */
    public static Count take(Connection connection) throws SQLException {
        int maxConnections;
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT @@max_connections")) {
            rs.next();
            maxConnections = rs.getInt(1);
        }
        Integer byAttributes = byAttributes(connection);
        if (byAttributes != null) {
            return new Count(maxConnections, byAttributes, Source.CONNECTION_ATTRIBUTES);
        }
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(BY_CLIENT_HOSTS)) {
            rs.next();
            return new Count(maxConnections, Math.max(1, rs.getInt(1)), Source.CLIENT_HOSTS);
        }
    }

    /** Null when the Performance Schema cannot say: not readable, or not recording (it does not even show this connection). */
    private static Integer byAttributes(Connection connection) {
        try (PreparedStatement s = connection.prepareStatement(BY_ATTRIBUTES)) {
            s.setString(1, INSTANCE_ID);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(2) > 0 ? rs.getInt(1) : null;
            }
        } catch (SQLException e) {
            return null;
        }
    }
}
