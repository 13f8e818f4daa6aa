package io.sluice.fuzz;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.frontend.ClientScript;
import io.sluice.frontend.ClientScript.ServerView;
import io.sluice.frontend.ClientScript.Step;
import io.sluice.frontend.SessionBench;
import io.sluice.protocol.CommandType;
import io.sluice.protocol.ErrPacket;
import io.sluice.protocol.Hex;
import io.sluice.protocol.PayloadWriter;
import io.sluice.protocol.auth.AuthPlugin;
import io.sluice.protocol.auth.CachingSha2Password;
import io.sluice.protocol.auth.NativePassword;
import io.sluice.protocol.auth.RsaPasswordExchange;

import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.sluice.protocol.CapabilityFlags.*;

/**
 * A whole client session, from the handshake response through any commands, against a real MariaDB: a
 * {@code ClientSession} on its own thread, fed by a scripted client through the session's transport interface
 * ({@link SessionBench}). The script is what the fuzzer writes: logins (whose password proof is computed on the
 * scramble the session sent, so the fuzzer gets past authentication), commands, COM_CHANGE_USER, answers to an
 * authentication switch, raw bytes for the framer, silences; then the client hangs up.
 *
 * <p>Whatever the script, the session must end on its own within {@link #SESSION_LIMIT}, nothing may escape its
 * {@code run()} nor be caught there as an unexpected failure (ERR 1105, logged), it closes its connection once, and
 * once it has ended no backend connection is still borrowed and the session is gone from the registry.
 */
class ClientSessionFuzzTest {
    static final int MAX_ACTIONS = 24;
    static final int MAX_PAYLOAD = 2048;
    static final int MAX_ATTRIBUTES = 128;
    static final Duration SESSION_LIMIT = Duration.ofSeconds(30);

    static final int USER_FUZZ = 0;
    static final int USER_UNKNOWN = 1;
    static final int USER_BYTES = 2;
    static final int PASSWORD_RIGHT = 0;
    static final int PASSWORD_EMPTY = 1;
    static final int PASSWORD_BYTES = 2;
    static final int PLUGIN_NATIVE = 0;
    static final int PLUGIN_SHA2 = 1;
    static final int PLUGIN_NONE = 2;
    static final int PLUGIN_BYTES = 3;
    static final int DATABASE_NONE = 0;
    static final int DATABASE_FUZZ = 1;
    static final int DATABASE_MISSING = 2;
    static final int DATABASE_BYTES = 3;
    private static final byte[] NONE = new byte[0];

    /** Who a client says it is, in its handshake response or COM_CHANGE_USER; byte arrays only for the choices that use them. */
    record Identity(int user, byte[] userName, int password, byte[] wrongPassword, int plugin, byte[] pluginName, int database,
            byte[] databaseName) {
        static final Identity RIGHT = new Identity(USER_FUZZ, NONE, PASSWORD_RIGHT, NONE, PLUGIN_NATIVE, NONE, DATABASE_NONE, NONE);

        static Identity from(FuzzedDataProvider data) {
            int user = data.consumeInt(0, 2);
            byte[] userName = user == USER_BYTES ? data.consumeBytes(data.consumeInt(0, 32)) : NONE;
            int password = data.consumeInt(0, 2);
            byte[] wrong = password == PASSWORD_BYTES ? data.consumeBytes(data.consumeInt(0, 40)) : NONE;
            int plugin = data.consumeInt(0, 3);
            byte[] pluginName = plugin == PLUGIN_BYTES ? data.consumeBytes(data.consumeInt(0, 32)) : NONE;
            int database = data.consumeInt(0, 3);
            byte[] databaseName = database == DATABASE_BYTES ? data.consumeBytes(data.consumeInt(0, 32)) : NONE;
            return new Identity(user, userName, password, wrong, plugin, pluginName, database, databaseName);
        }

        void write(FdpWriter w) {
            w.integer(user, 0, 2);
            if (user == USER_BYTES) {
                w.integer(userName.length, 0, 32).bytes(userName);
            }
            w.integer(password, 0, 2);
            if (password == PASSWORD_BYTES) {
                w.integer(wrongPassword.length, 0, 40).bytes(wrongPassword);
            }
            w.integer(plugin, 0, 3);
            if (plugin == PLUGIN_BYTES) {
                w.integer(pluginName.length, 0, 32).bytes(pluginName);
            }
            w.integer(database, 0, 3);
            if (database == DATABASE_BYTES) {
                w.integer(databaseName.length, 0, 32).bytes(databaseName);
            }
        }

        Identity with(int user, int password, int plugin, int database) {
            return new Identity(user, userName, password, wrongPassword, plugin, pluginName, database, databaseName);
        }

        byte[] name() {
            return switch (user) {
                case USER_FUZZ -> ascii(FuzzBackend.USER);
                case USER_UNKNOWN -> ascii("nobody");
                default -> userName;
            };
        }

        /** Null when no plugin is named. */
        byte[] pluginBytes() {
            return switch (plugin) {
                case PLUGIN_NATIVE -> ascii(NativePassword.NAME);
                case PLUGIN_SHA2 -> ascii(CachingSha2Password.NAME);
                case PLUGIN_NONE -> null;
                default -> pluginName;
            };
        }

        byte[] databaseBytes() {
            return switch (database) {
                case DATABASE_NONE -> NONE;
                case DATABASE_FUZZ -> ascii(FuzzBackend.SCHEMA);
                case DATABASE_MISSING -> ascii("no_such_schema");
                default -> databaseName;
            };
        }

        /** The password proof for {@code plugin} on {@code scramble}. */
        byte[] proof(String pluginName, byte[] scramble) {
            return switch (password) {
                case PASSWORD_RIGHT -> {
                    AuthPlugin method = AuthPlugin.byName(pluginName).orElse(NativePassword.INSTANCE);
                    yield method.expectedResponse(scramble == null ? new byte[20] : scramble, ascii(FuzzBackend.PASSWORD));
                }
                case PASSWORD_EMPTY -> NONE;
                default -> wrongPassword;
            };
        }

        String proofPlugin() {
            return plugin == PLUGIN_SHA2 ? CachingSha2Password.NAME : NativePassword.NAME;
        }
    }

    sealed interface Action {
        void write(FdpWriter w);

        /** What the client sends for this action. */
        Step step(ServerView server, Client client);
    }

    /**
     * A handshake response (HandshakeResponse41). Capabilities: {@code capabilitiesMode} 0 those of Connector/J, 1
     * those flipped by {@code capabilitiesBits}, 2 {@code capabilitiesBits} alone. {@code attributes} is the content of
     * the attribute block; {@code cut} bytes are taken off the end of the packet.
     */
    record Login(int capabilitiesMode, int capabilitiesBits, int collation, Identity who, byte[] attributes, int cut) implements Action {
        static Login from(FuzzedDataProvider data) {
            int mode = data.consumeInt(0, 2);
            int bits = mode == 0 ? 0 : data.consumeInt();
            return new Login(mode, bits, data.consumeInt(0, 255), Identity.from(data), data.consumeBytes(data.consumeInt(0, MAX_ATTRIBUTES)),
                    data.consumeInt(0, 255));
        }

        @Override
        public void write(FdpWriter w) {
            w.integer(0, 0, 5).integer(capabilitiesMode, 0, 2);
            if (capabilitiesMode != 0) {
                w.integer(capabilitiesBits);
            }
            w.integer(collation, 0, 255);
            who.write(w);
            w.integer(attributes.length, 0, MAX_ATTRIBUTES).bytes(attributes).integer(cut, 0, 255);
        }

        int capabilities() {
            return switch (capabilitiesMode) {
                case 0 -> Packets.CLIENT_CAPABILITIES;
                case 1 -> Packets.CLIENT_CAPABILITIES ^ capabilitiesBits;
                default -> capabilitiesBits;
            };
        }

        @Override
        public Step step(ServerView server, Client client) {
            int caps = capabilities();
            client.negotiated = caps & server.serverCapabilities();
            byte[] proof = who.proof(who.proofPlugin(), server.scramble());
            PayloadWriter w = new PayloadWriter().int4(caps).int4(16 << 20).int1(collation).zeros(23).bytes(who.name()).int1(0);
            if ((caps & CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA) != 0) {
                w.lenencBytes(proof);
            } else if ((caps & CLIENT_SECURE_CONNECTION) != 0) {
                w.int1(proof.length).bytes(proof);
            } else {
                w.bytes(proof).int1(0);
            }
            if ((caps & CLIENT_CONNECT_WITH_DB) != 0) {
                w.bytes(who.databaseBytes()).int1(0);
            }
            if ((caps & CLIENT_PLUGIN_AUTH) != 0 && who.pluginBytes() != null) {
                w.bytes(who.pluginBytes()).int1(0);
            }
            if ((caps & CLIENT_CONNECT_ATTRS) != 0) {
                w.lenencBytes(attributes);
            }
            return send(truncated(w.toByteArray(), cut), server.sequence());
        }
    }

    /**
     * A command packet. Sequence id: {@code sequenceMode} 0 a command's (0), 1 the one continuing the exchange (a LOAD
     * DATA LOCAL file's packets), 2 {@code sequenceId}. {@code fill} 1-3 pads the payload with {@code fillByte} to 64 KiB,
     * to the session's packet limit, or one byte beyond it. The session's own connection id, which the client learns
     * from the handshake, replaces {@code $ID} (in decimal, for KILL) and {@code $BID} (4 bytes, for COM_PROCESS_KILL).
     */
    record Command(int sequenceMode, int sequenceId, byte[] payload, int fill, int fillByte) implements Action {
        static Command from(FuzzedDataProvider data) {
            int mode = data.consumeInt(0, 2);
            int sequenceId = mode == 2 ? data.consumeInt(0, 255) : 0;
            byte[] payload = data.consumeBytes(data.consumeInt(0, MAX_PAYLOAD));
            int fill = data.consumeInt(0, 3);
            return new Command(mode, sequenceId, payload, fill, fill == 0 ? 0 : data.consumeInt(0, 255));
        }

        @Override
        public void write(FdpWriter w) {
            w.integer(1, 0, 5).integer(sequenceMode, 0, 2);
            if (sequenceMode == 2) {
                w.integer(sequenceId, 0, 255);
            }
            w.integer(payload.length, 0, MAX_PAYLOAD).bytes(payload).integer(fill, 0, 3);
            if (fill != 0) {
                w.integer(fillByte, 0, 255);
            }
        }

        byte[] bytes(long connectionId) {
            byte[] payload = withConnectionId(this.payload, connectionId);
            int target = switch (fill) {
                case 0 -> 0;
                case 1 -> 64 * 1024;
                case 2 -> FuzzBackend.MAX_PACKET;
                default -> FuzzBackend.MAX_PACKET + 1;
            };
            if (target <= payload.length) {
                return payload;
            }
            byte[] out = Arrays.copyOf(payload, target);
            Arrays.fill(out, payload.length, target, (byte) fillByte);
            return out;
        }

        @Override
        public Step step(ServerView server, Client client) {
            int sequence = switch (sequenceMode) {
                case 0 -> 0;
                case 1 -> server.sequence();
                default -> sequenceId;
            };
            return send(bytes(server.connectionId()), sequence);
        }
    }

    /** COM_CHANGE_USER, written under the capabilities the last login negotiated; {@code cut} bytes taken off its end. */
    record ChangeUser(Identity who, int collation, byte[] attributes, int cut) implements Action {
        static ChangeUser from(FuzzedDataProvider data) {
            return new ChangeUser(Identity.from(data), data.consumeInt(0, 0xffff), data.consumeBytes(data.consumeInt(0, MAX_ATTRIBUTES)),
                    data.consumeInt(0, 255));
        }

        @Override
        public void write(FdpWriter w) {
            w.integer(2, 0, 5);
            who.write(w);
            w.integer(collation, 0, 0xffff).integer(attributes.length, 0, MAX_ATTRIBUTES).bytes(attributes).integer(cut, 0, 255);
        }

        @Override
        public Step step(ServerView server, Client client) {
            int caps = client.negotiated;
            byte[] proof = who.proof(who.proofPlugin(), server.scramble());
            PayloadWriter w = new PayloadWriter().int1(CommandType.COM_CHANGE_USER).bytes(who.name()).int1(0);
            if ((caps & CLIENT_SECURE_CONNECTION) != 0) {
                w.int1(proof.length).bytes(proof);
            } else {
                w.bytes(proof).int1(0);
            }
            w.bytes(who.databaseBytes()).int1(0).int2(collation);
            if ((caps & CLIENT_PLUGIN_AUTH) != 0 && who.pluginBytes() != null) {
                w.bytes(who.pluginBytes()).int1(0);
            }
            if ((caps & CLIENT_CONNECT_ATTRS) != 0) {
                w.lenencBytes(attributes);
            }
            return send(truncated(w.toByteArray(), cut), 0);
        }
    }

    static final int ANSWER_PROOF = 0;
    static final int ANSWER_BYTES = 1;
    static final int ANSWER_REQUEST_KEY = 2;
    static final int ANSWER_RSA = 3;

    /**
     * A packet continuing authentication: {@code mode} 0 the right proof for the plugin switched to (or proposed), 1
     * {@code bytes}; for caching_sha2_password's full authentication 2 the request for the server's public key, 3 the
     * right password encrypted with the key the server sent.
     */
    record AuthAnswer(int mode, byte[] bytes) implements Action {
        static AuthAnswer from(FuzzedDataProvider data) {
            int mode = data.consumeInt(0, 3);
            return new AuthAnswer(mode, mode == ANSWER_BYTES ? data.consumeBytes(data.consumeInt(0, 300)) : NONE);
        }

        @Override
        public void write(FdpWriter w) {
            w.integer(3, 0, 5).integer(mode, 0, 3);
            if (mode == ANSWER_BYTES) {
                w.integer(bytes.length, 0, 300).bytes(bytes);
            }
        }

        @Override
        public Step step(ServerView server, Client client) {
            byte[] payload = switch (mode) {
                case ANSWER_PROOF -> Identity.RIGHT.proof(server.switchedToPlugin() != null ? server.switchedToPlugin() : client.proposedPlugin,
                        server.scramble());
                case ANSWER_BYTES -> bytes;
                case ANSWER_REQUEST_KEY -> new byte[] {RsaPasswordExchange.REQUEST_PUBLIC_KEY};
                default -> encrypted(server.publicKey(), server.scramble());
            };
            return send(payload, server.sequence());
        }

        /** The password, NUL-terminated, XOR the scramble, RSA-OAEP encrypted with the server's key, as MySQL clients send it. */
        private static byte[] encrypted(byte[] pem, byte[] scramble) {
            if (pem == null || scramble == null) {
                return NONE;
            }
            try {
                String base64 = new String(pem, StandardCharsets.US_ASCII).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
                var key = java.security.KeyFactory.getInstance("RSA")
                        .generatePublic(new java.security.spec.X509EncodedKeySpec(java.util.Base64.getDecoder().decode(base64)));
                byte[] password = Arrays.copyOf(ascii(FuzzBackend.PASSWORD), FuzzBackend.PASSWORD.length() + 1);
                for (int i = 0; i < password.length; i++) {
                    password[i] ^= scramble[i % scramble.length];
                }
                javax.crypto.Cipher cipher = javax.crypto.Cipher.getInstance("RSA/ECB/OAEPWithSHA-1AndMGF1Padding");
                cipher.init(javax.crypto.Cipher.ENCRYPT_MODE, key);
                return cipher.doFinal(password);
            } catch (java.security.GeneralSecurityException | IllegalArgumentException e) {
                throw new IllegalStateException("the server's public key does not work: " + new String(pem, StandardCharsets.US_ASCII), e);
            }
        }
    }

    /** Bytes straight to the framer: headers that lie, sequence ids out of order, packets cut anywhere. */
    record Raw(byte[] bytes) implements Action {
        @Override
        public void write(FdpWriter w) {
            w.integer(4, 0, 5).integer(bytes.length, 0, 64).bytes(bytes);
        }

        @Override
        public Step step(ServerView server, Client client) {
            return new Step.Send(bytes);
        }
    }

    /** Nothing arrives before the session's read times out. */
    record Silence() implements Action {
        @Override
        public void write(FdpWriter w) {
            w.integer(5, 0, 5);
        }

        @Override
        public Step step(ServerView server, Client client) {
            return new Step.Silence();
        }
    }

    /** A client: which plugin the server it talks to proposes, and what the client does. */
    record Script(boolean cachingSha2Server, List<Action> actions) {
        static Script from(FuzzedDataProvider data) {
            boolean cachingSha2 = data.consumeBoolean();
            List<Action> actions = new ArrayList<>();
            while (data.remainingBytes() > 0 && actions.size() < MAX_ACTIONS) {
                actions.add(switch (data.consumeInt(0, 5)) {
                    case 0 -> Login.from(data);
                    case 1 -> Command.from(data);
                    case 2 -> ChangeUser.from(data);
                    case 3 -> AuthAnswer.from(data);
                    case 4 -> new Raw(data.consumeBytes(data.consumeInt(0, 64)));
                    default -> new Silence();
                });
            }
            return new Script(cachingSha2, actions);
        }

        byte[] toInput() {
            FdpWriter w = new FdpWriter().bool(cachingSha2Server);
            actions.forEach(a -> a.write(w));
            return w.toByteArray();
        }

        @Override
        public String toString() {
            StringBuilder out = new StringBuilder("script (server proposing " + (cachingSha2Server ? "caching_sha2_password" : "mysql_native_password") + "):");
            for (Action a : actions) {
                out.append("\n  ").append(Described.of(a));
            }
            return out.append("\n  input: ").append(Hex.dump(toInput())).toString();
        }
    }

    /** The scripted client: one action per read, then it hangs up. */
    static final class Client implements ClientScript {
        private final Iterator<Action> actions;
        final String proposedPlugin;
        /** The capabilities in force, as the last login negotiated them (COM_CHANGE_USER's layout depends on them). */
        int negotiated = Packets.CLIENT_CAPABILITIES;

        Client(Script script) {
            this.actions = script.actions().iterator();
            this.proposedPlugin = script.cachingSha2Server() ? CachingSha2Password.NAME : NativePassword.NAME;
        }

        @Override
        public Step next(ServerView server) {
            return actions.hasNext() ? actions.next().step(server, this) : new Step.HangUp();
        }
    }

    /** Each input (each seed in the test phase) within 90 s: while fuzzing, libFuzzer's -timeout. */
    @Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    @FuzzTest(maxDuration = "60s")
    @DictionaryEntries({"SELECT ", "BEGIN", "COMMIT", "ROLLBACK", "SET @a=1", "SET NAMES latin1", "SET autocommit=0",
        "SET SESSION sql_mode='ANSI_QUOTES'", "LOCK TABLES t WRITE", "UNLOCK TABLES", "GET_LOCK('a',0)", "LAST_INSERT_ID()",
        "CONNECTION_ID()", "FOUND_ROWS()", "SQL_CALC_FOUND_ROWS", "CREATE TEMPORARY TABLE tmp (i INT)", "PREPARE s FROM 'SELECT 1'",
        "XA START 'x'", "KILL ", "KILL QUERY ", "INSERT INTO t (v) VALUES ('x')", "USE fuzz", "LOAD DATA LOCAL INFILE 'f' INTO TABLE t",
        "SELECT ?", "/*!", "@@", "fuzz", "mysql_native_password", "caching_sha2_password", "$ID", "$BID"})
    void servesAnyClient(FuzzedDataProvider data) throws InterruptedException {
        Script script = Script.from(data);
        SeedCorpus.assertReadAsWritten(ClientSessionFuzzTest.class, data, script::toInput);
        check(script);
    }

    static SessionBench.Run check(Script script) throws InterruptedException {
        FuzzBackend backend = FuzzBackend.get();
        SessionBench bench = script.cachingSha2Server() ? backend.cachingSha2Bench : backend.bench;
        SessionBench.Run run = bench.run(new Client(script), SESSION_LIMIT);
        if (!run.ended()) {
            AssertionError e = new AssertionError("the session did not end within " + SESSION_LIMIT + "; " + script);
            e.setStackTrace(run.stuckAt());
            throw e;
        }
        if (run.uncaught() != null) {
            throw new AssertionError("escaped the session's run(); " + script, run.uncaught());
        }
        if (!run.internalErrors().isEmpty()) {
            throw new AssertionError("the session failed unexpectedly (ERR 1105); " + script, run.internalErrors().getFirst());
        }
        for (ErrPacket err : run.errors()) {
            if (err.message().startsWith("Sluice internal error")) {
                throw new AssertionError("the session answered " + err + "; " + script);
            }
        }
        if (run.borrowed() != 0) {
            throw new AssertionError(run.borrowed() + " backend connections still borrowed after the session ended; " + script);
        }
        if (run.registered() != 0) {
            throw new AssertionError("the session is still registered after it ended; " + script);
        }
        if (run.closeCalls() != 1) {
            throw new AssertionError("the session closed its connection " + run.closeCalls() + " times; " + script);
        }
        return run;
    }

    private static final byte[] ID = ascii("$ID");
    private static final byte[] BINARY_ID = ascii("$BID");

    static byte[] withConnectionId(byte[] payload, long id) {
        byte[] out = replace(payload, BINARY_ID, new PayloadWriter(4).int4(id).toByteArray());
        return replace(out, ID, ascii(Long.toString(id)));
    }

    private static byte[] replace(byte[] in, byte[] token, byte[] with) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(in.length);
        int i = 0;
        while (i < in.length) {
            if (Arrays.equals(in, i, Math.min(in.length, i + token.length), token, 0, token.length)) {
                out.writeBytes(with);
                i += token.length;
            } else {
                out.write(in[i++]);
            }
        }
        return out.toByteArray();
    }

    static Step.Send send(byte[] payload, int sequenceId) {
        PayloadWriter w = new PayloadWriter(payload.length + 4).int3(payload.length).int1(sequenceId).bytes(payload);
        return new Step.Send(w.toByteArray());
    }

    static byte[] truncated(byte[] payload, int n) {
        return Arrays.copyOf(payload, Math.max(0, payload.length - n));
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---- seed inputs ----

    static final byte[] ATTRIBUTES = Packets.CONNECTOR_J_ATTRIBUTES;

    static Login login() {
        return new Login(0, 0, 45, Identity.RIGHT, ATTRIBUTES, 0);
    }

    static Login login(Identity who) {
        return new Login(0, 0, 45, who, ATTRIBUTES, 0);
    }

    static Command command(int command, byte[] body) {
        return new Command(0, 0, Packets.concat(new byte[] {(byte) command}, body), 0, 0);
    }

    static Command command(int command, String hexBody) {
        return command(command, Hex.bytes(hexBody));
    }

    static Command query(String sql) {
        return command(CommandType.COM_QUERY, ascii(sql));
    }

    static Command filled(int command, int fill, int fillByte) {
        return new Command(0, 0, new byte[] {(byte) command}, fill, fillByte);
    }

    static ChangeUser changeUser(Identity who) {
        return new ChangeUser(who, 45, ATTRIBUTES, 0);
    }

    static Command prepare(String sql) {
        return command(CommandType.COM_STMT_PREPARE, ascii(sql));
    }

    /** COM_STMT_EXECUTE of statement {@code id} with the given flags, iteration count 1, then {@code rest} (hex). */
    static Command execute(long id, int flags, String rest) {
        return command(CommandType.COM_STMT_EXECUTE, Packets.concat(
                new PayloadWriter().int4(id).int1(flags).int4(1).toByteArray(), Hex.bytes(rest)));
    }

    static Script input(Action... actions) {
        return new Script(false, List.of(actions));
    }

    /** A script for a server proposing caching_sha2_password. */
    static Script toSha2Server(Action... actions) {
        return new Script(true, List.of(actions));
    }

    static Map<String, byte[]> seeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        scripts().forEach((name, script) -> seeds.put(name, script.toInput()));
        return seeds;
    }

    /** The seed inputs as scripts, by name. */
    static Map<String, Script> scripts() {
        Map<String, Script> seeds = new LinkedHashMap<>();
        seeds.put("login-quit", input(login(), command(CommandType.COM_QUIT, "")));
        seeds.put("login-hang-up", input(login()));
        seeds.put("login-schema", input(login(Identity.RIGHT.with(USER_FUZZ, PASSWORD_RIGHT, PLUGIN_NATIVE, DATABASE_FUZZ)), query("SELECT DATABASE()")));
        seeds.put("login-missing-schema", input(login(Identity.RIGHT.with(USER_FUZZ, PASSWORD_RIGHT, PLUGIN_NATIVE, DATABASE_MISSING))));
        seeds.put("login-wrong-password", input(login(new Identity(USER_FUZZ, NONE, PASSWORD_BYTES, ascii("not the proof"), PLUGIN_NATIVE, NONE,
                DATABASE_NONE, NONE))));
        seeds.put("login-empty-password", input(login(Identity.RIGHT.with(USER_FUZZ, PASSWORD_EMPTY, PLUGIN_NATIVE, DATABASE_NONE))));
        seeds.put("login-unknown-user", input(login(Identity.RIGHT.with(USER_UNKNOWN, PASSWORD_RIGHT, PLUGIN_NATIVE, DATABASE_NONE))));
        seeds.put("login-sha2-switched", input(login(Identity.RIGHT.with(USER_FUZZ, PASSWORD_RIGHT, PLUGIN_SHA2, DATABASE_NONE)),
                new AuthAnswer(ANSWER_PROOF, NONE), query("SELECT 1")));
        seeds.put("login-sha2-switched-wrong", input(login(Identity.RIGHT.with(USER_FUZZ, PASSWORD_RIGHT, PLUGIN_SHA2, DATABASE_NONE)),
                new AuthAnswer(ANSWER_BYTES, ascii("x"))));
        seeds.put("login-unknown-plugin", input(login(new Identity(USER_FUZZ, NONE, PASSWORD_RIGHT, NONE, PLUGIN_BYTES, ascii("dialog"),
                DATABASE_NONE, NONE)), new AuthAnswer(ANSWER_PROOF, NONE), query("SELECT 1")));
        seeds.put("login-no-plugin", input(login(Identity.RIGHT.with(USER_FUZZ, PASSWORD_RIGHT, PLUGIN_NONE, DATABASE_NONE)), query("SELECT 1")));
        seeds.put("login-unknown-plugin-no-plugin-auth", input(new Login(1, CLIENT_PLUGIN_AUTH, 45,
                new Identity(USER_FUZZ, NONE, PASSWORD_RIGHT, NONE, PLUGIN_BYTES, ascii("dialog"), DATABASE_NONE, NONE), ATTRIBUTES, 0)));
        seeds.put("login-old-client", input(new Login(2, CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION | CLIENT_LONG_PASSWORD, 8,
                Identity.RIGHT, NONE, 0), query("SELECT 1"), command(CommandType.COM_FIELD_LIST, "74 00"), query("SELECT 1 FROM fuzz.t")));
        seeds.put("login-no-protocol-41", input(new Login(1, CLIENT_PROTOCOL_41, 45, Identity.RIGHT, ATTRIBUTES, 0)));
        seeds.put("login-ssl-request", input(new Raw(send(new PayloadWriter().int4(Packets.CLIENT_CAPABILITIES | CLIENT_SSL)
                .int4(16 << 20).int1(45).zeros(23).toByteArray(), 1).bytes())));
        seeds.put("login-all-capabilities", input(new Login(2, -1, 45, Identity.RIGHT, ATTRIBUTES, 0), query("SELECT 1")));
        seeds.put("login-collation-255", input(new Login(0, 0, 255, Identity.RIGHT, ATTRIBUTES, 0), query("SELECT 'é'")));
        seeds.put("login-collation-0", input(new Login(0, 0, 0, Identity.RIGHT, ATTRIBUTES, 0), query("SELECT 1")));
        seeds.put("login-attributes-lie", input(new Login(0, 0, 45, Identity.RIGHT, Hex.bytes("fc ff ff 61"), 0)));
        for (int cut : new int[] {1, 2, 10, 22, 30, 60, 80, 100, 110, 120, 150}) {
            seeds.put("login-truncated-by-" + cut, input(new Login(0, 0, 45, Identity.RIGHT, ATTRIBUTES, cut)));
        }
        seeds.put("login-wrong-sequence-id", input(new Raw(Hex.bytes("05 00 00 07 61 62 63 64 65"))));
        seeds.put("login-silence", input(new Silence()));
        seeds.put("login-huge-header", input(new Raw(Hex.bytes("ff ff ff 01"))));
        seeds.put("login-declares-1GiB", input(new Raw(Hex.bytes("ff ff ff 01 ff ff ff 02 ff ff ff 03 ff ff ff 04"))));
        seeds.put("login-empty-packet", input(new Raw(Hex.bytes("00 00 00 01"))));

        List<Integer> commands = new ArrayList<>();
        for (int c = 0; c <= 0x1f; c++) {
            commands.add(c);
        }
        commands.addAll(List.of(0x20, 0x7f, 0xff));
        for (int c : commands) {
            String name = String.format("cmd-%02x-", c);
            seeds.put(name + "empty", input(login(), command(c, ""), query("SELECT 1")));
            seeds.put(name + "short", input(login(), command(c, "01 00 00 00 00"), query("SELECT 1")));
            seeds.put(name + "64KiB", input(login(), filled(c, 1, 0x20), query("SELECT 1")));
        }
        for (int c : new int[] {CommandType.COM_QUERY, CommandType.COM_INIT_DB, CommandType.COM_STMT_PREPARE, CommandType.COM_STMT_EXECUTE,
            CommandType.COM_STMT_SEND_LONG_DATA, CommandType.COM_CHANGE_USER, CommandType.COM_FIELD_LIST, 0x20}) {
            seeds.put(String.format("cmd-%02x-at-limit", c), input(login(), filled(c, 2, 0x20), query("SELECT 1")));
            seeds.put(String.format("cmd-%02x-over-limit", c), input(login(), filled(c, 3, 0x20), query("SELECT 1")));
        }
        seeds.put("cmd-empty-packet", input(login(), new Command(0, 0, NONE, 0, 0), query("SELECT 1")));
        seeds.put("cmd-wrong-sequence-id", input(login(), new Command(2, 3, ascii("\u0003SELECT 1"), 0, 0)));
        seeds.put("cmd-huge-header", input(login(), new Raw(Hex.bytes("ff ff ff 00"))));
        seeds.put("cmd-declares-1GiB", input(login(), new Raw(Hex.bytes("ff ff ff 00 ff ff ff 01 ff ff ff 02 ff ff ff 03"))));
        seeds.put("cmd-truncated-packet", input(login(), new Raw(Hex.bytes("09 00 00 00 03 53 45 4c"))));
        seeds.put("cmd-silence", input(login(), new Silence()));

        seeds.put("prepare-execute", input(login(), prepare("SELECT ?, ?"),
                execute(1, 0, "00 01 08 00 08 00 01 00 00 00 00 00 00 00 02 00 00 00 00 00 00 00"), command(CommandType.COM_STMT_CLOSE, "01 00 00 00")));
        seeds.put("execute-null-bitmap-missing", input(login(), prepare("SELECT ?, ?"), execute(1, 0, "")));
        seeds.put("execute-types-missing", input(login(), prepare("SELECT ?, ?"), execute(1, 0, "00 01")));
        seeds.put("execute-types-cut", input(login(), prepare("SELECT ?, ?"), execute(1, 0, "00 01 08 00 08")));
        seeds.put("execute-values-missing", input(login(), prepare("SELECT ?, ?"), execute(1, 0, "00 01 08 00 08 00")));
        seeds.put("execute-without-types-first", input(login(), prepare("SELECT ?"), execute(1, 0, "00 00 01 00 00 00 00 00 00 00")));
        seeds.put("execute-types-then-without", input(login(), prepare("SELECT ?"), execute(1, 0, "00 01 08 00 01 00 00 00 00 00 00 00"),
                execute(1, 0, "00 00 02 00 00 00 00 00 00 00")));
        seeds.put("execute-last-prepared-id", input(login(), prepare("SELECT ?"), execute(0xffffffffL, 0, "00 01 08 00 01 00 00 00 00 00 00 00")));
        seeds.put("execute-unknown-id", input(login(), execute(7, 0, "")));
        seeds.put("execute-cut-in-id", input(login(), prepare("SELECT 1"), command(CommandType.COM_STMT_EXECUTE, "01 00")));
        StringBuilder many = new StringBuilder("SELECT ?");
        many.append(",?".repeat(999));
        seeds.put("execute-1000-params-short", input(login(), prepare(many.toString()), execute(1, 0, "00 00")));
        seeds.put("execute-1000-params-bound-cut", input(login(), prepare(many.toString()),
                execute(1, 0, "00 ".repeat(125) + "01 08 00")));
        seeds.put("execute-cursor-fetch", input(login(), prepare("SELECT id FROM fuzz.t"), execute(1, 1, ""),
                command(CommandType.COM_STMT_FETCH, "01 00 00 00 01 00 00 00"), command(CommandType.COM_STMT_RESET, "01 00 00 00")));
        seeds.put("fetch-without-cursor", input(login(), prepare("SELECT 1"), command(CommandType.COM_STMT_FETCH, "01 00 00 00 ff ff ff ff")));
        seeds.put("long-data-then-execute", input(login(), prepare("SELECT ?"), command(CommandType.COM_STMT_SEND_LONG_DATA, "01 00 00 00 00 00 61 62 63"),
                execute(1, 0, "00 01 fe 00")));
        seeds.put("long-data-bad-param-then-hang-up", input(login(), prepare("SELECT ?"), command(CommandType.COM_STMT_SEND_LONG_DATA, "01 00 00 00 09 00 61")));
        seeds.put("long-data-unknown-statement", input(login(), command(CommandType.COM_STMT_SEND_LONG_DATA, "05 00 00 00 00 00 61"), query("SELECT 1")));
        seeds.put("close-then-execute", input(login(), prepare("SELECT 1"), command(CommandType.COM_STMT_CLOSE, "01 00 00 00"), execute(1, 0, "")));
        seeds.put("prepare-error", input(login(), prepare("SELEC nonsense"), execute(1, 0, "")));
        seeds.put("reset-unknown-statement", input(login(), command(CommandType.COM_STMT_RESET, "09 00 00 00")));

        seeds.put("change-user", input(login(), query("SET @a = 1"), changeUser(Identity.RIGHT), query("SELECT @a")));
        seeds.put("change-user-schema", input(login(), changeUser(Identity.RIGHT.with(USER_FUZZ, PASSWORD_RIGHT, PLUGIN_NATIVE, DATABASE_FUZZ))));
        seeds.put("change-user-missing-schema", input(login(), changeUser(Identity.RIGHT.with(USER_FUZZ, PASSWORD_RIGHT, PLUGIN_NATIVE, DATABASE_MISSING))));
        seeds.put("change-user-wrong-password", input(login(), changeUser(new Identity(USER_FUZZ, NONE, PASSWORD_BYTES, ascii("nope"), PLUGIN_NATIVE,
                NONE, DATABASE_NONE, NONE))));
        seeds.put("change-user-unknown-user", input(login(), changeUser(Identity.RIGHT.with(USER_UNKNOWN, PASSWORD_RIGHT, PLUGIN_NATIVE, DATABASE_NONE))));
        seeds.put("change-user-sha2-switched", input(login(), changeUser(Identity.RIGHT.with(USER_FUZZ, PASSWORD_RIGHT, PLUGIN_SHA2, DATABASE_NONE)),
                new AuthAnswer(ANSWER_PROOF, NONE), query("SELECT 1")));
        seeds.put("change-user-in-transaction", input(login(), query("BEGIN"), query("INSERT INTO fuzz.t (v) VALUES ('x')"),
                changeUser(Identity.RIGHT), query("SELECT @@in_transaction")));
        seeds.put("change-user-collation-65535", input(login(), new ChangeUser(Identity.RIGHT, 0xffff, ATTRIBUTES, 0), query("SELECT 1")));
        seeds.put("change-user-attributes-lie", input(login(), new ChangeUser(Identity.RIGHT, 45, Hex.bytes("fd ff ff ff"), 0)));
        for (int cut : new int[] {1, 2, 5, 10, 20, 30, 40, 60, 80, 100}) {
            seeds.put("change-user-truncated-by-" + cut, input(login(), new ChangeUser(Identity.RIGHT, 45, ATTRIBUTES, cut), query("SELECT 1")));
        }
        seeds.put("change-user-old-client-cut", input(new Login(2, CLIENT_PROTOCOL_41, 8, Identity.RIGHT, NONE, 0),
                new ChangeUser(Identity.RIGHT, 8, NONE, 3)));

        seeds.put("transaction-hang-up", input(login(), query("BEGIN"), query("INSERT INTO fuzz.t (v) VALUES ('x')")));
        seeds.put("autocommit-off-hang-up", input(login(), query("SET autocommit = 0"), query("SELECT 1")));
        seeds.put("user-variable-pin", input(login(), query("SET @a = 1"), query("SELECT @a"), command(CommandType.COM_RESET_CONNECTION, ""), query("SELECT @a")));
        seeds.put("lock-tables-hang-up", input(login(), query("LOCK TABLES fuzz.t WRITE")));
        seeds.put("named-lock-hang-up", input(login(), query("SELECT GET_LOCK('fuzz', 0)")));
        seeds.put("temporary-table", input(login(), query("CREATE TEMPORARY TABLE fuzz.tmp (i INT)"), query("SELECT * FROM fuzz.tmp")));
        seeds.put("xa-hang-up", input(login(), query("XA START 'fuzz'")));
        seeds.put("text-prepare", input(login(), query("PREPARE s FROM 'SELECT 1'"), query("EXECUTE s")));
        seeds.put("last-insert-id", input(login(), query("INSERT INTO fuzz.t (v) VALUES ('x')"), query("SELECT LAST_INSERT_ID()")));
        seeds.put("found-rows", input(login(), query("SELECT SQL_CALC_FOUND_ROWS * FROM fuzz.t LIMIT 1"), query("SELECT FOUND_ROWS()")));
        seeds.put("session-variables", input(login(), query("SET NAMES latin1"), query("SET SESSION sql_mode = 'ANSI_QUOTES,NO_BACKSLASH_ESCAPES'"),
                query("SELECT \"a\\\"")));
        seeds.put("session-tracking-changed", input(login(), query("SET SESSION session_track_system_variables = ''"), query("SELECT 1")));
        seeds.put("multi-statements", input(login(), query("SELECT 1; SELECT 2; SET @b = 2"), query("SELECT @b")));
        seeds.put("multi-statements-off", input(login(), command(CommandType.COM_SET_OPTION, "01 00"), query("SELECT 1; SELECT 2")));
        seeds.put("set-option-unknown", input(login(), command(CommandType.COM_SET_OPTION, "05 00"), command(CommandType.COM_SET_OPTION, "00")));
        seeds.put("statement-timeout", input(login(), query("SELECT SLEEP(5)"), query("SELECT 1")));
        seeds.put("syntax-error", input(login(), query("SELEC"), query("SELECT 1")));
        seeds.put("use-schema", input(login(), command(CommandType.COM_INIT_DB, ascii(FuzzBackend.SCHEMA)), query("SELECT * FROM t LIMIT 1")));
        seeds.put("use-missing-schema", input(login(), command(CommandType.COM_INIT_DB, ascii("nope")), query("SELECT 1")));
        seeds.put("field-list", input(login(Identity.RIGHT.with(USER_FUZZ, PASSWORD_RIGHT, PLUGIN_NATIVE, DATABASE_FUZZ)),
                command(CommandType.COM_FIELD_LIST, "74 00")));
        seeds.put("statistics-and-ping", input(login(), command(CommandType.COM_STATISTICS, ""), command(CommandType.COM_PING, ""),
                query("BEGIN"), command(CommandType.COM_PING, "")));
        seeds.put("kill-unsupported-form", input(login(), query("KILL CONNECTION_ID()"), query("SELECT 1")));
        seeds.put("kill-self", input(login(), query("SELECT 1"), query("KILL $ID"), query("SELECT 1")));
        seeds.put("kill-query-self", input(login(), query("BEGIN"), query("KILL QUERY $ID"), query("SELECT 1")));
        seeds.put("kill-self-in-transaction", input(login(), query("BEGIN"), query("KILL CONNECTION $ID")));
        seeds.put("process-kill-self", input(login(), command(CommandType.COM_PROCESS_KILL, ascii("$BID")), query("SELECT 1")));
        seeds.put("kill-self-after-change-user", input(login(), changeUser(Identity.RIGHT), query("KILL $ID")));
        seeds.put("kill-query-unknown", input(login(), query("KILL QUERY 99999")));
        seeds.put("kill-unsupported", input(login(), query("KILL USER fuzz"), query("SELECT 1")));
        seeds.put("process-kill-short", input(login(), command(CommandType.COM_PROCESS_KILL, "01"), command(CommandType.COM_PROCESS_KILL, "ff ff ff ff")));
        seeds.put("local-infile", input(login(), query("LOAD DATA LOCAL INFILE 'f' INTO TABLE fuzz.t (v)"),
                new Command(1, 0, ascii("a\nb\n"), 0, 0), new Command(1, 0, NONE, 0, 0), query("SELECT COUNT(*) FROM fuzz.t")));
        seeds.put("local-infile-silence", input(login(), query("LOAD DATA LOCAL INFILE 'f' INTO TABLE fuzz.t (v)"), new Silence(),
                new Command(1, 0, ascii("a\n"), 0, 0), new Command(1, 0, NONE, 0, 0)));
        seeds.put("local-infile-hang-up", input(login(), query("LOAD DATA LOCAL INFILE 'f' INTO TABLE fuzz.t (v)"), new Command(1, 0, ascii("a\n"), 0, 0)));
        seeds.put("local-infile-out-of-order", input(login(), query("LOAD DATA LOCAL INFILE 'f' INTO TABLE fuzz.t (v)"),
                new Command(2, 9, ascii("a\n"), 0, 0)));
        seeds.put("local-infile-refused", input(new Login(1, CLIENT_LOCAL_FILES, 45, Identity.RIGHT, ATTRIBUTES, 0),
                query("LOAD DATA LOCAL INFILE 'f' INTO TABLE fuzz.t (v)"), query("SELECT 1")));
        seeds.put("reset-connection-in-transaction", input(login(), query("BEGIN"), command(CommandType.COM_RESET_CONNECTION, ""), query("SELECT 1")));
        seeds.put("big-result", input(login(), query("SELECT REPEAT('x', 1000000)"), query("SELECT seq FROM fuzz.seq_1_to_100000")));
        seeds.put("quit-in-transaction", input(login(), query("BEGIN"), command(CommandType.COM_QUIT, "")));

        Identity sha2 = Identity.RIGHT.with(USER_FUZZ, PASSWORD_RIGHT, PLUGIN_SHA2, DATABASE_NONE);
        Identity sha2Wrong = new Identity(USER_FUZZ, NONE, PASSWORD_BYTES, ascii("not the proof"), PLUGIN_SHA2, NONE, DATABASE_NONE, NONE);
        seeds.put("sha2-fast-auth", toSha2Server(login(sha2), query("SELECT 1")));
        seeds.put("sha2-native-client-switched", toSha2Server(login(), new AuthAnswer(ANSWER_PROOF, NONE), query("SELECT 1")));
        seeds.put("sha2-full-auth-rsa", toSha2Server(login(sha2Wrong), new AuthAnswer(ANSWER_REQUEST_KEY, NONE), new AuthAnswer(ANSWER_RSA, NONE),
                query("SELECT 1")));
        seeds.put("sha2-full-auth-empty-password", toSha2Server(login(sha2.with(USER_FUZZ, PASSWORD_EMPTY, PLUGIN_SHA2, DATABASE_NONE)),
                new AuthAnswer(ANSWER_REQUEST_KEY, NONE), new AuthAnswer(ANSWER_RSA, NONE)));
        seeds.put("sha2-full-auth-garbage", toSha2Server(login(sha2Wrong), new AuthAnswer(ANSWER_REQUEST_KEY, NONE),
                new AuthAnswer(ANSWER_BYTES, new byte[256])));
        seeds.put("sha2-full-auth-empty", toSha2Server(login(sha2Wrong), new AuthAnswer(ANSWER_BYTES, NONE)));
        seeds.put("sha2-full-auth-cleartext", toSha2Server(login(sha2Wrong), new AuthAnswer(ANSWER_BYTES, ascii(FuzzBackend.PASSWORD + "\0"))));
        seeds.put("sha2-full-auth-hang-up", toSha2Server(login(sha2Wrong), new AuthAnswer(ANSWER_REQUEST_KEY, NONE)));
        seeds.put("sha2-full-auth-silence", toSha2Server(login(sha2Wrong), new Silence()));
        seeds.put("sha2-change-user-full-auth", toSha2Server(login(sha2), changeUser(sha2Wrong), new AuthAnswer(ANSWER_REQUEST_KEY, NONE),
                new AuthAnswer(ANSWER_RSA, NONE), query("SELECT 1")));
        return seeds;
    }
}
