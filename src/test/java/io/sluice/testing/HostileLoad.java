package io.sluice.testing;

import io.sluice.protocol.HandshakeResponse;
import io.sluice.protocol.auth.NativePassword;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Hostile clients and well-behaved ones against one packaged Sluice, shared by the memory test
 * ({@code HostileLoadIT}) and the bench ({@code bench/hostile.sh}). The hostile ones log in as a user of their own
 * ({@code other}: clients of one user share that user's pool, which no bound can protect from its own clients), or
 * not at all, and do, each kind in equal numbers, in a loop for the whole run:
 * <ul>
 *   <li>{@link Attack#LOGIN_HEADER}: before login, a header announcing a 16 MiB packet and 1 KiB of it;</li>
 *   <li>{@link Attack#LOGIN_SLOWLORIS}: a handshake response sent one byte a second;</li>
 *   <li>{@link Attack#COMMAND_HEADER}: after login, a header announcing a 16 MiB command and 4 KiB of it, then nothing;</li>
 *   <li>{@link Attack#COMMAND_SLOWLORIS}: after login, a command sent one byte a second;</li>
 *   <li>{@link Attack#ENDLESS_PREPARES}: server-side prepares of distinct 60 KiB statements, never closed;</li>
 *   <li>{@link Attack#UNREAD_ROWS}: a query for 100,000 rows of 1 MiB, and not a byte of the answer read;</li>
 *   <li>{@link Attack#UNREAD_LONG_ROW}: a query for one row of 20 MB (longer than a packet), not a byte of it read;</li>
 *   <li>{@link Attack#LARGE_STATEMENT}: after login, 12 MB of a 16 MB statement at once, then a byte a second.</li>
 * </ul>
 * The well-behaved clients ({@code app}) loop short queries meanwhile. Sluice's heap is read from its metrics, its
 * resident memory from /proc.
 */
public final class HostileLoad {

    public enum Attack {
        LOGIN_HEADER, LOGIN_SLOWLORIS, COMMAND_HEADER, COMMAND_SLOWLORIS, ENDLESS_PREPARES, UNREAD_ROWS, UNREAD_LONG_ROW, LARGE_STATEMENT
    }

    /** The statement {@link Attack#LARGE_STATEMENT} begins, framed: one packet, shared by all its clients. */
    private static final byte[] LARGE_STATEMENT = largeStatement(16_000_000);
    private static final int LARGE_STATEMENT_BEGUN = 12_000_000;

    /** What one run showed. */
    public record Figures(int hostileClients, int goodClients, long seconds, long goodQueries, long goodErrors, String firstGoodError,
            Map<Attack, Long> attempts, long heapUsedMaxBytes, long heapMaxBytes, long packetBytesMax, long rssMaxBytes, boolean outOfMemoryError,
            boolean aliveAfterwards, boolean answersAfterwards) {

        public double goodQueriesPerSecond() {
            return seconds == 0 ? 0 : (double) goodQueries / seconds;
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder();
            s.append(String.format("hostile clients        %d (%s)%n", hostileClients, attempts));
            s.append(String.format("well-behaved clients   %d%n", goodClients));
            s.append(String.format("duration               %d s%n", seconds));
            s.append(String.format("good queries           %d (%.0f per second)%n", goodQueries, goodQueriesPerSecond()));
            s.append(String.format("good errors            %d%s%n", goodErrors, firstGoodError == null ? "" : " (first: " + firstGoodError + ")"));
            s.append(String.format("heap used, max seen    %.1f MiB of %.1f MiB%n", heapUsedMaxBytes / 1048576.0, heapMaxBytes / 1048576.0));
            s.append(String.format("client packets, max    %.1f MiB%n", packetBytesMax / 1048576.0));
            s.append(String.format("resident memory, max   %.1f MiB%n", rssMaxBytes / 1048576.0));
            s.append(String.format("OutOfMemoryError       %s%n", outOfMemoryError ? "yes" : "no"));
            s.append(String.format("alive afterwards       %s, answers: %s", aliveAfterwards ? "yes" : "no", answersAfterwards ? "yes" : "no"));
            return s.toString();
        }
    }

    private final PackagedSluice sluice;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Map<Attack, AtomicLong> attempts = new EnumMap<>(Attack.class);
    private final AtomicLong goodQueries = new AtomicLong();
    private final AtomicLong goodErrors = new AtomicLong();
    private final AtomicReference<String> firstGoodError = new AtomicReference<>();
    private final List<AutoCloseable> open = java.util.Collections.synchronizedList(new ArrayList<>());

    private HostileLoad(PackagedSluice sluice) {
        this.sluice = sluice;
        for (Attack a : Attack.values()) {
            attempts.put(a, new AtomicLong());
        }
    }

    /** The JVM options and settings the run's Sluice starts with: a small heap, and the hostile user. */
    public static final List<String> JVM_OPTIONS = List.of("-Xmx256m");
    /** The gauge of bytes held by clients' packets, bounded by sluice.client.max-packet-bytes-total (unset: a quarter of the heap). */
    public static final String PACKET_BYTES = "sluice_client_packet_bytes";
    public static final String[] SETTINGS = {"sluice.users.other.password=" + TestDatabase.OTHER_PASSWORD};

    public static Figures run(PackagedSluice sluice, int hostile, int good, Duration duration) throws Exception {
        return new HostileLoad(sluice).run(hostile, good, duration);
    }

    private Figures run(int hostile, int good, Duration duration) throws Exception {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < good; i++) {
            threads.add(Thread.ofPlatform().name("good-" + i).start(this::goodClient));
        }
        Attack[] kinds = Attack.values();
        for (int i = 0; i < hostile; i++) {
            Attack attack = kinds[i % kinds.length];
            threads.add(Thread.ofVirtual().name("hostile-" + attack + "-" + i).start(() -> attack(attack)));
        }
        long heapMax = 0;
        long heapUsedMax = 0;
        long rssMax = 0;
        long packetBytesMax = 0;
        long started = System.nanoTime();
        long end = started + duration.toNanos();
        while (System.nanoTime() < end && sluice.process.isAlive()) {
            Thread.sleep(1000);
            String metrics = sluice.metrics();
            heapUsedMax = Math.max(heapUsedMax, sum(metrics, "jvm_memory_used_bytes{area=\"heap\""));
            heapMax = Math.max(heapMax, sum(metrics, "jvm_memory_max_bytes{area=\"heap\""));
            packetBytesMax = Math.max(packetBytesMax, sum(metrics, PACKET_BYTES + " "));
            rssMax = Math.max(rssMax, residentBytes(sluice.process.pid()));
        }
        long seconds = Math.round((System.nanoTime() - started) / 1e9);
        running.set(false);
        synchronized (open) {
            for (AutoCloseable c : open) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // Closing anyway.
                }
            }
        }
        long joinDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (Thread t : threads) {
            t.join(Duration.ofNanos(Math.max(1, joinDeadline - System.nanoTime())));
        }
        boolean answers;
        try (Connection c = DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + sluice.port + "/app?sslMode=DISABLED&connectTimeout=10000&socketTimeout=10000",
                TestDatabase.APP_USER, TestDatabase.APP_PASSWORD); ResultSet rs = c.createStatement().executeQuery("SELECT 'still serving'")) {
            answers = rs.next() && rs.getString(1).equals("still serving");
        } catch (SQLException e) {
            answers = false;
        }
        boolean oom = Files.readString(sluice.output).contains("OutOfMemoryError");
        Map<Attack, Long> tried = new EnumMap<>(Attack.class);
        attempts.forEach((k, v) -> tried.put(k, v.get()));
        return new Figures(hostile, good, seconds, goodQueries.get(), goodErrors.get(), firstGoodError.get(), tried, heapUsedMax, heapMax,
                packetBytesMax, rssMax, oom, sluice.process.isAlive(), answers);
    }

    /** Sums the values of the Prometheus lines starting with {@code prefix} (one per memory pool). */
    private static long sum(String metrics, String prefix) {
        long total = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith(prefix)) {
                double v = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                total += v > 0 ? (long) v : 0;
            }
        }
        return total;
    }

    private static long residentBytes(long pid) {
        try {
            for (String line : Files.readAllLines(java.nio.file.Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // Not Linux, or the process is gone.
        }
        return 0;
    }

    // ---- the well-behaved ----

    private void goodClient() {
        while (running.get()) {
            // A read timeout: a Sluice that stopped answering shows as errors, not as a run that never ends.
            try (Connection c = DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + sluice.port + "/app?sslMode=DISABLED&socketTimeout=30000",
                    TestDatabase.APP_USER, TestDatabase.APP_PASSWORD); PreparedStatement p = c.prepareStatement("SELECT ? + 1")) {
                open.add(abortOf(c));
                for (int i = 0; running.get(); i++) {
                    p.setInt(1, i);
                    try (ResultSet rs = p.executeQuery()) {
                        if (!rs.next() || rs.getInt(1) != i + 1) {
                            throw new SQLException("wrong answer to SELECT " + i + " + 1");
                        }
                    }
                    goodQueries.incrementAndGet();
                }
            } catch (SQLException e) {
                if (running.get()) {
                    goodErrors.incrementAndGet();
                    firstGoodError.compareAndSet(null, e.getErrorCode() + " " + e.getMessage());
                }
            }
        }
    }

    // ---- the hostile ----

    private void attack(Attack attack) {
        while (running.get()) {
            attempts.get(attack).incrementAndGet();
            try {
                switch (attack) {
                    case LOGIN_HEADER -> loginHeader();
                    case LOGIN_SLOWLORIS -> loginSlowloris();
                    case COMMAND_HEADER -> commandHeader();
                    case COMMAND_SLOWLORIS -> commandSlowloris();
                    case ENDLESS_PREPARES -> endlessPrepares();
                    case UNREAD_ROWS -> unreadRows();
                    case UNREAD_LONG_ROW -> unreadLongRow();
                    case LARGE_STATEMENT -> largeStatement();
                }
            } catch (Exception e) {
                // Sluice hung up on it, as it should sooner or later; it comes back.
            }
            pause(100);
        }
    }

    /** Closing a Connector/J connection from another thread waits for its statement; aborting does not. */
    private static AutoCloseable abortOf(Connection c) {
        return () -> c.abort(Runnable::run);
    }

    private RawClient raw() throws IOException {
        RawClient c = new RawClient(sluice.port);
        open.add(c);
        c.socket().setSoTimeout(120_000);
        return c;
    }

    private RawClient loggedIn() throws IOException {
        RawClient c = raw();
        if (!c.login(TestDatabase.OTHER_USER, TestDatabase.OTHER_PASSWORD, null).isOk()) {
            throw new IOException("login refused");
        }
        return c;
    }

    private void loginHeader() throws Exception {
        try (RawClient c = raw()) {
            c.readHandshake();
            c.writeRaw(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 1});
            c.writeRaw(new byte[1024]);
            c.isClosedByServer();
        }
    }

    private void loginSlowloris() throws Exception {
        try (RawClient c = raw()) {
            var hs = c.readHandshake();
            byte[] auth = NativePassword.INSTANCE.expectedResponse(hs.scramble(), TestDatabase.OTHER_PASSWORD.getBytes(StandardCharsets.UTF_8));
            byte[] payload = new HandshakeResponse(RawClient.DEFAULT_CAPS, 1 << 24, 45, TestDatabase.OTHER_USER, auth, null,
                    NativePassword.NAME, Map.of()).encode();
            trickle(c, RawClient.frame(1, payload));
        }
    }

    private void commandHeader() throws Exception {
        try (RawClient c = loggedIn()) {
            c.writeRaw(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xfe, 0});
            byte[] some = new byte[4096];
            some[0] = 0x03;
            c.writeRaw(some);
            c.isClosedByServer();
        }
    }

    private void commandSlowloris() throws Exception {
        try (RawClient c = loggedIn()) {
            trickle(c, RawClient.frame(0, "\u0003SELECT 'one byte a second'".getBytes(StandardCharsets.US_ASCII)));
        }
    }

    private void endlessPrepares() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + sluice.port + "/other?sslMode=DISABLED"
                + "&useServerPrepStmts=true&cachePrepStmts=false&emulateUnsupportedPstmts=false&socketTimeout=30000",
                TestDatabase.OTHER_USER, TestDatabase.OTHER_PASSWORD)) {
            open.add(abortOf(c));
            String padding = "x".repeat(60 * 1024);
            List<PreparedStatement> kept = new ArrayList<>();
            for (long n = 0; running.get(); n++) {
                try {
                    kept.add(c.prepareStatement("SELECT " + n + ", ? /* " + padding + " */"));
                } catch (SQLException e) {
                    if (e.getErrorCode() != 1461) {
                        throw e;
                    }
                    // Refused: its budget is spent. It tries again, and again.
                    pause(50);
                }
            }
        }
    }

    private void unreadRows() throws Exception {
        unread("SELECT REPEAT('x', 1048576) FROM seq_1_to_100000");
    }

    /** Longer than a packet: Sluice must pass it in pieces rather than hold it (or a 16 MiB packet of it) whole. */
    private void unreadLongRow() throws Exception {
        unread("SELECT REPEAT('x', 20000000)");
    }

    /**
     * Statements are read whole before they are relayed: Sluice must not hold every such client's, whatever their
     * number (sluice.client.max-packet-bytes-total), and a client that stops mid-way is disconnected after
     * sluice.client.packet-timeout (30 s).
     */
    private void largeStatement() throws Exception {
        try (RawClient c = loggedIn()) {
            // Blocks once Sluice stops reading this client.
            c.writeRaw(LARGE_STATEMENT, 0, LARGE_STATEMENT_BEGUN);
            trickle(c, java.util.Arrays.copyOfRange(LARGE_STATEMENT, LARGE_STATEMENT_BEGUN, LARGE_STATEMENT_BEGUN + 120));
        }
    }

    private static byte[] largeStatement(int length) {
        byte[] payload = new byte[length];
        byte[] start = "\u0003DO 1 /*".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(start, 0, payload, 0, start.length);
        java.util.Arrays.fill(payload, start.length, length, (byte) 'x');
        return RawClient.frame(0, payload);
    }

    private void unread(String query) throws Exception {
        try (RawClient c = loggedIn()) {
            c.write(0, ("\u0003" + query).getBytes(StandardCharsets.US_ASCII));
            // Reads nothing: Sluice must stop reading from the backend, and give up on this client after
            // sluice.client.write-timeout (60 s); then it comes back for more.
            long until = System.nanoTime() + Duration.ofSeconds(65).toNanos();
            while (running.get() && System.nanoTime() < until) {
                pause(500);
            }
        }
    }

    private void trickle(RawClient c, byte[] bytes) throws IOException {
        for (byte b : bytes) {
            if (!running.get()) {
                return;
            }
            c.writeRaw(new byte[] {b});
            pause(1000);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The bench: {@code java -cp ... io.sluice.testing.HostileLoad [hostile] [good] [seconds]} (bench/hostile.sh), the
     * packaged Sluice with {@code -Xmx256m} in front of a private MariaDB, the figures printed.
     */
    public static void main(String[] args) throws Exception {
        int hostile = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int good = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 60;
        try (PackagedSluice sluice = PackagedSluice.start(JVM_OPTIONS, SETTINGS)) {
            System.out.printf("Hostile load: %d hostile clients, %d well-behaved, %d s, Sluice with %s%n", hostile, good, seconds, JVM_OPTIONS);
            System.out.println(run(sluice, hostile, good, Duration.ofSeconds(seconds)));
        }
        System.exit(0);
    }
}
