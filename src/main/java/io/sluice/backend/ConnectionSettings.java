package io.sluice.backend;

import java.util.Map;
import java.util.Properties;

/**
 * The Connector/J properties every backend connection is opened with. They fix the capability flags
 * Sluice relies on, whatever the user adds through {@code sluice.backend.jdbc-properties}.
 */
public final class ConnectionSettings {
    private ConnectionSettings() {
    }

    public static String jdbcUrl(String host, int port) {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return "jdbc:mysql://" + h + ":" + port + "/";
    }

    /**
     * @param foundRows whether the connection reports matched rather than changed rows (CLIENT_FOUND_ROWS);
     *                  a client only ever runs on a backend that agrees with its own flag
     */
    public static Properties properties(boolean foundRows, Map<String, String> tls, Map<String, String> userProperties) {
        Properties p = new Properties();
        p.putAll(tls);
        // Users may override TLS details; Connector/J reads property names case-insensitively, so theirs replace ours.
        userProperties.forEach((k, v) -> {
            p.keySet().removeIf(existing -> existing.toString().equalsIgnoreCase(k));
            p.put(k, v);
        });
        p.putIfAbsent("allowPublicKeyRetrieval", "true");
        p.putIfAbsent("connectTimeout", "5000");
        p.putIfAbsent("tcpKeepAlive", "true");
        p.put("useAffectedRows", Boolean.toString(!foundRows));
        // Sluice relays LOAD DATA LOCAL file requests to clients that enabled them, and never reads a file itself.
        p.put("allowLoadLocalInfile", "true");
        // Multi-statements follow each client's own flag through COM_SET_OPTION, so the connection starts without.
        p.put("allowMultiQueries", "false");
        p.put("autoReconnect", "false");
        p.put("cacheServerConfiguration", "true");
        p.put("useServerPrepStmts", "false");
        // Session tracking is how Sluice follows every backend's state (see BackendConnection.enableSessionTracking).
        p.put("trackSessionState", "true");
        // Connector/J would otherwise add STRICT_TRANS_TABLES to sql_mode: clients must find the server's own.
        p.put("jdbcCompliantTruncation", "false");
        p.put("connectionAttributes", "program_name:sluice");
        p.put("socketFactory", ProbingSocketFactory.class.getName());
        return p;
    }
}
