package io.sluice.testing.mysql8;

import io.sluice.protocol.CapabilityFlags;
import io.sluice.testing.TestDatabase;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A MySQL 8.4 server, as far as the protocol shows, made of the test run's MariaDB 10.11 and a translating relay
 * in front of it. No MySQL 8 server can run here; Sluice's users run RDS MySQL 8.0/8.4 and Aurora MySQL 3. The
 * face announces MySQL 8.4 and translates what that announcement makes clients do, so that a client (Sluice's
 * Connector/J backends above all) takes the code paths it takes against MySQL 8.4, and whatever MySQL 8.4 would
 * reject is rejected.
 *
 * <p>Start it in front of the test database with {@link #inFrontOfTestDatabase()}, or in front of any MariaDB with
 * {@link #start(String, int, Map)}; clients connect to 127.0.0.1:{@link #port()}. One thread per client connection,
 * which opens its own connection to MariaDB.
 *
 * <h2>Emulated</h2>
 * <ul>
 * <li><b>Greeting</b>: protocol 10, version {@value #SERVER_VERSION}, MariaDB's thread id (so CONNECTION_ID(), KILL
 * and the process list agree with it), a fresh scramble, character set 255 (utf8mb4_0900_ai_ci), default plugin
 * caching_sha2_password, and MySQL 8.4's capabilities ({@link #CAPABILITIES}: CLIENT_BASIC_FLAGS of mysql_com.h,
 * with query attributes, session tracking, deprecate-EOF and multi-factor authentication, less
 * CLIENT_OPTIONAL_RESULTSET_METADATA) and no MariaDB extended capabilities.</li>
 * <li><b>Authentication</b>: caching_sha2_password as MySQL 8.4 runs it (see {@link CachingSha2Authenticator}):
 * AuthSwitchRequest for any other plugin, fast path on a cache hit, full authentication with the RSA public key
 * otherwise, ERR 1045 (28000) "Access denied for user 'u'@'host' (using password: YES)". The cache starts empty
 * and {@link #flushAuthCache()} empties it. COM_CHANGE_USER authenticates again against the original scramble.
 * The face then logs in to MariaDB as the same user with mysql_native_password.</li>
 * <li><b>Query attributes</b> (CLIENT_QUERY_ATTRIBUTES): COM_QUERY and COM_STMT_EXECUTE are read in MySQL's format
 * and sent to MariaDB without attributes; a COM_QUERY that does not parse (a bare {@code 03 SELECT 1}) gets ERR
 * 1835 "Malformed communication packet." and the connection is closed, as MySQL 8 does.</li>
 * <li><b>Variable names</b>: {@code tx_isolation} / {@code tx_read_only} (removed in 8.0) and MariaDB's
 * {@code in_transaction} (never in MySQL) in a COM_QUERY or COM_STMT_PREPARE get ERR 1193 "Unknown system variable"; {@code transaction_isolation} / {@code transaction_read_only} are sent to MariaDB
 * under its names, and translated back in session-state tracking entries, column names (name and org_name) and
 * error messages.</li>
 * <li><b>SET STATEMENT ... FOR</b> (MariaDB only) gets ERR 1064 (42000), MySQL's syntax error.</li>
 * <li><b>Commands MySQL 8.4 does not have</b> (command bytes from 0x22 on, e.g. MariaDB's COM_STMT_BULK_EXECUTE)
 * get ERR 1047 (08S01) "Unknown command" without reaching MariaDB, as does an empty command packet.</li>
 * <li>Packets of 16 MiB and more both ways, LOAD DATA LOCAL INFILE, multiple result sets, cursors (COM_STMT_FETCH),
 * COM_STMT_SEND_LONG_DATA; sequence ids counted separately on each side.</li>
 * </ul>
 *
 * <h2>Not emulated</h2>
 * <ul>
 * <li>TLS (CLIENT_SSL is not offered) and compression (CLIENT_COMPRESS, zstd); a real 8.4 offers both.</li>
 * <li>CLIENT_OPTIONAL_RESULTSET_METADATA, which MySQL 8.4 offers, is not: MariaDB has no {@code resultset_metadata},
 * and none of the clients here (Connector/J, libmariadb) asks for it.</li>
 * <li>{@code SELECT VERSION()} and {@code @@version} still say MariaDB; so do {@code @@version_comment} and the
 * information_schema.</li>
 * <li>The 0900 collations: MariaDB's utf8mb4_general_ci (45) stands in for the announced utf8mb4_0900_ai_ci (255).
 * The face logs in to MariaDB with 45; in SQL text it rewrites the name utf8mb4_0900_ai_ci, and the id 255 assigned
 * to a character-set variable ({@code SET character_set_client = 255}), to MariaDB's. Answers are not translated
 * back: {@code @@collation_connection} reads utf8mb4_general_ci where MySQL says utf8mb4_0900_ai_ci, and sorting
 * follows general_ci's rules, not UCA 9.0.0's. Other 0900 collations fail with MariaDB's ERR 1273. Collation ids
 * above 247 sent by a client in a handshake become 45.</li>
 * <li>Row contents are never translated: {@code SHOW VARIABLES}, information_schema / performance_schema rows and
 * {@code SHOW WARNINGS} still say tx_isolation. The name translation is textual: it also applies inside string
 * literals and comments, to a column a table happens to call tx_isolation, and a statement anywhere in a
 * multi-statement COM_QUERY that names tx_isolation makes the whole packet fail with 1193 (MySQL would run the
 * statements before it). SET STATEMENT is recognised only as the first statement of a packet.</li>
 * <li>Session tracking: MySQL's SESSION_TRACK_GTIDS does not exist on MariaDB ({@code session_track_gtids} is an
 * unknown variable there). The other entry types have the same shape on both; their order and the list of
 * variables tracked by default ({@code session_track_system_variables}) are MariaDB's.</li>
 * <li>Error codes and messages are MariaDB's (the same numbers as MySQL's for the common errors; texts differ in
 * places, e.g. MariaDB's syntax errors name "MariaDB server version"); only 1045, 1193, 1064 (for SET STATEMENT),
 * 1835 and 1047 are MySQL's own words, MariaDB's 4166 for LOAD DATA LOCAL by a client that did not enable local
 * files becomes MySQL's 3948, and MariaDB's 1927 for a KILL of the session's own connection becomes MySQL's 1317.</li>
 * <li>Accounts: only those in the passwords map, all identified by caching_sha2_password; no multi-factor
 * accounts, no expired passwords, no per-host accounts (the cache is by user name), and MySQL's brute-force
 * delays are not imitated. A failed COM_CHANGE_USER leaves the session as it was without resetting it.</li>
 * <li>SQL that only MySQL 8.4 accepts (e.g. {@code resultset_metadata}, the {@code mysql_native_password} plugin
 * being absent, window-function or JSON differences) is not translated: MariaDB answers it as it does.</li>
 * <li>Replication commands (COM_BINLOG_DUMP, COM_REGISTER_SLAVE) are relayed as single-answer commands.</li>
 * </ul>
 */
public final class MySql8Face implements AutoCloseable {
    public static final String SERVER_VERSION = "8.4.3";
    public static final int UTF8MB4_0900_AI_CI = 255;
    static final int CLIENT_MULTI_FACTOR_AUTHENTICATION = 1 << 28;
    static final int CLIENT_REMEMBER_OPTIONS = 1 << 31;

    /**
     * MySQL 8.4's CLIENT_BASIC_FLAGS (CLIENT_ALL_FLAGS without SSL, compression and SSL_VERIFY_SERVER_CERT), which
     * a server without TLS and without protocol compression announces, less CLIENT_OPTIONAL_RESULTSET_METADATA.
     */
    public static final int CAPABILITIES = CapabilityFlags.CLIENT_LONG_PASSWORD | CapabilityFlags.CLIENT_FOUND_ROWS
            | CapabilityFlags.CLIENT_LONG_FLAG | CapabilityFlags.CLIENT_CONNECT_WITH_DB | CapabilityFlags.CLIENT_NO_SCHEMA
            | CapabilityFlags.CLIENT_ODBC | CapabilityFlags.CLIENT_LOCAL_FILES | CapabilityFlags.CLIENT_IGNORE_SPACE
            | CapabilityFlags.CLIENT_PROTOCOL_41 | CapabilityFlags.CLIENT_INTERACTIVE | CapabilityFlags.CLIENT_IGNORE_SIGPIPE
            | CapabilityFlags.CLIENT_TRANSACTIONS | CapabilityFlags.CLIENT_RESERVED | CapabilityFlags.CLIENT_SECURE_CONNECTION
            | CapabilityFlags.CLIENT_MULTI_STATEMENTS | CapabilityFlags.CLIENT_MULTI_RESULTS | CapabilityFlags.CLIENT_PS_MULTI_RESULTS
            | CapabilityFlags.CLIENT_PLUGIN_AUTH | CapabilityFlags.CLIENT_CONNECT_ATTRS | CapabilityFlags.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA
            | CapabilityFlags.CLIENT_CAN_HANDLE_EXPIRED_PASSWORDS | CapabilityFlags.CLIENT_SESSION_TRACK | CapabilityFlags.CLIENT_DEPRECATE_EOF
            | CapabilityFlags.CLIENT_QUERY_ATTRIBUTES
            | CLIENT_MULTI_FACTOR_AUTHENTICATION | CLIENT_REMEMBER_OPTIONS;

    private final String backendHost;
    private final int backendPort;
    private final ServerSocket listener;
    private final CachingSha2Authenticator authenticator;
    private final Set<FaceConnection> connections = ConcurrentHashMap.newKeySet();
    private final List<String> attributeNames = new CopyOnWriteArrayList<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final AtomicInteger malformedCommands = new AtomicInteger();
    private final Thread acceptor;

    private MySql8Face(String backendHost, int backendPort, Map<String, String> passwords) throws IOException {
        this.backendHost = backendHost;
        this.backendPort = backendPort;
        this.authenticator = new CachingSha2Authenticator(passwords);
        this.listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.acceptor = Thread.ofVirtual().name("mysql8-face-accept").start(this::accept);
    }

    /** A face in front of the MariaDB at backendHost:backendPort, knowing the accounts' passwords (user -> password). */
    public static MySql8Face start(String backendHost, int backendPort, Map<String, String> passwords) throws IOException {
        return new MySql8Face(backendHost, backendPort, passwords);
    }

    /** A face in front of {@link TestDatabase}, knowing its accounts: app, other, and root without a password. */
    public static MySql8Face inFrontOfTestDatabase() throws IOException {
        return start(TestDatabase.get().host(), TestDatabase.get().port(), Map.of(TestDatabase.APP_USER, TestDatabase.APP_PASSWORD,
                TestDatabase.OTHER_USER, TestDatabase.OTHER_PASSWORD, "root", ""));
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Empties caching_sha2_password's cache, as a server restart or FLUSH PRIVILEGES does: next logins take the full path. */
    public void flushAuthCache() {
        authenticator.flush();
    }

    /** Logins (and COM_CHANGE_USERs) that went through full authentication since the start. */
    public int fullAuthentications() {
        return authenticator.fullAuthentications();
    }

    /** Logins (and COM_CHANGE_USERs) that took the fast path since the start. */
    public int fastAuthentications() {
        return authenticator.fastAuthentications();
    }

    /** Names of the query attributes the face received (and did not pass on), in order of arrival. */
    public List<String> receivedAttributeNames() {
        return List.copyOf(attributeNames);
    }

    /** Commands answered with ER_MALFORMED_PACKET. */
    public int malformedCommands() {
        return malformedCommands.get();
    }

    /** Unexpected exceptions of connection threads (peers going away is not one); empty in a healthy run. */
    public List<Throwable> failures() {
        return List.copyOf(failures);
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing
        }
        connections.forEach(FaceConnection::close);
        acceptor.interrupt();
    }

    CachingSha2Authenticator authenticator() {
        return authenticator;
    }

    void recordAttributes(List<String> names) {
        attributeNames.addAll(names);
    }

    void recordMalformed() {
        malformedCommands.incrementAndGet();
    }

    void recordFailure(Throwable t) {
        failures.add(t);
    }

    void closed(FaceConnection connection) {
        connections.remove(connection);
    }

    private void accept() {
        while (!listener.isClosed()) {
            Socket clientSocket;
            try {
                clientSocket = listener.accept();
            } catch (IOException e) {
                return;
            }
            try {
                clientSocket.setTcpNoDelay(true);
                Socket backend = new Socket(backendHost, backendPort);
                backend.setTcpNoDelay(true);
                FaceConnection connection = new FaceConnection(this, clientSocket, backend);
                connections.add(connection);
                Thread.ofVirtual().name("mysql8-face-" + clientSocket.getPort()).start(connection);
            } catch (IOException e) {
                recordFailure(e);
                try {
                    clientSocket.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }
    }
}
