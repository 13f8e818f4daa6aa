package io.sluice.backend;

import io.agroal.pool.wrapper.ConnectionWrapper;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/**
 * The only doors to Connector/J's and Agroal's implementation classes outside this package: the driver that opens
 * backend connections, and the way to make Agroal destroy a connection rather than pool it again. Everything else
 * uses JDBC and Agroal's API.
 */
public final class ConnectorJ {
    private ConnectorJ() {
    }

    /** The driver class Agroal opens backend connections with. */
    public static Class<? extends java.sql.Driver> driverClass() {
        return com.mysql.cj.jdbc.Driver.class;
    }

    /** A connection of its own, outside any pool (a KILL QUERY's). */
    public static Connection connect(String host, int port, Properties properties) throws SQLException {
        return new com.mysql.cj.jdbc.Driver().connect(ConnectionSettings.jdbcUrl(host, port), properties);
    }

    /**
     * Makes Agroal destroy {@code pooled} when it is closed, instead of pooling it again: the only per-connection way
     * Agroal offers. A connection of no pool is left as it is.
     */
    public static void destroyOnClose(Connection pooled) {
        if (pooled instanceof ConnectionWrapper wrapper) {
            wrapper.getHandler().setFlushOnly();
        }
    }
}
