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
    /**
     * Where Connector/J may read files for LOAD DATA LOCAL: nowhere. A path under {@code /dev/null} cannot exist, so
     * Connector/J refuses every file request before opening anything (and answers the server with an empty packet).
     *
     * <p>Sluice relays a client's LOAD DATA LOCAL itself, packet by packet (BackendLink), and only for a client that
     * enabled local files; Connector/J reads nothing for it. But Connector/J also answers file requests that come in
     * reply to its own queries (its connect-time setup, changeUser, the KILL QUERY connection), from any server or
     * whoever sits between: with {@code allowLoadLocalInfile=true} a malicious backend could read
     * /proc/self/environ or a service-account token. The server, though, accepts LOAD DATA LOCAL only from
     * connections that announced CLIENT_LOCAL_FILES, which Connector/J does when either allowLoadLocalInfile is on or
     * this path is set: so the path is set, to a place with no files.
     */
    static final String NO_LOCAL_FILES = "/dev/null/sluice-reads-no-local-files";
    /** Connector/J's sslMode values that never fall back to plain TCP (PREFERRED, its default, does). */
    private static final java.util.Set<String> TLS_ALWAYS = java.util.Set.of("REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY");

    public static Properties properties(boolean foundRows, Map<String, String> tls, Map<String, String> userProperties) {
        Properties p = new Properties();
        p.putAll(tls);
        // Users may override TLS details; Connector/J reads property names case-insensitively, so theirs replace ours.
        userProperties.forEach((k, v) -> set(p, k, v));
        // The server's RSA key for caching_sha2_password, fetched over plain TCP, could be anyone's: only over TLS
        // (where the password goes encrypted anyway) or when the user says so (sluice.backend.jdbc-properties).
        if (find(p, "allowPublicKeyRetrieval") == null) {
            p.put("allowPublicKeyRetrieval", Boolean.toString(TLS_ALWAYS.contains(String.valueOf(find(p, "sslMode")).toUpperCase(java.util.Locale.ROOT))));
        }
        p.putIfAbsent("connectTimeout", "5000");
        p.putIfAbsent("tcpKeepAlive", "true");
        p.put("useAffectedRows", Boolean.toString(!foundRows));
        // Connector/J never reads a file for anyone (see NO_LOCAL_FILES); not for the user to change.
        set(p, "allowLoadLocalInfile", "false");
        set(p, "allowLoadLocalInfileInPath", NO_LOCAL_FILES);
        set(p, "allowUrlInLocalInfile", "false");
        // Multi-statements follow each client's own flag through COM_SET_OPTION, so the connection starts without.
        p.put("allowMultiQueries", "false");
        p.put("autoReconnect", "false");
        p.put("cacheServerConfiguration", "true");
        p.put("useServerPrepStmts", "false");
        // Session tracking is how Sluice follows every backend's state (see BackendConnection.enableSessionTracking).
        p.put("trackSessionState", "true");
        // Connector/J would otherwise add STRICT_TRANS_TABLES to sql_mode: clients must find the server's own.
        p.put("jdbcCompliantTruncation", "false");
        // Who opened the connection, for the database's operators and for counting the fleet (FleetCensus).
        p.put("connectionAttributes", FleetCensus.CONNECTION_ATTRIBUTES);
        p.put("socketFactory", ProbingSocketFactory.class.getName());
        return p;
    }

    /**
     * Whether a connection attempt failed because the server asked for caching_sha2_password's full authentication,
     * which over plain TCP needs its RSA public key, and Connector/J was not allowed to fetch it.
     */
    public static boolean refusedPublicKeyRetrieval(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof com.mysql.cj.exceptions.UnableToConnectException && String.valueOf(t.getMessage()).contains("Public Key Retrieval")) {
                return true;
            }
        }
        return false;
    }

    /** Sets a property, replacing any spelling of its name: Connector/J reads names case-insensitively. */
    private static void set(Properties p, String name, String value) {
        p.keySet().removeIf(existing -> existing.toString().equalsIgnoreCase(name));
        p.put(name, value);
    }

    private static Object find(Properties p, String name) {
        for (var e : p.entrySet()) {
            if (e.getKey().toString().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }
}
