package io.sluice.testing.mysql8;

import io.sluice.protocol.CapabilityFlags;
import io.sluice.protocol.ChangeUserRequest;
import io.sluice.protocol.CommandType;
import io.sluice.protocol.ErrPacket;
import io.sluice.protocol.ErrorCode;
import io.sluice.protocol.HandshakeResponse;
import io.sluice.protocol.HandshakeV10;
import io.sluice.protocol.MalformedPacketException;
import io.sluice.protocol.OkPacket;
import io.sluice.protocol.PayloadReader;
import io.sluice.protocol.PayloadWriter;
import io.sluice.protocol.ServerStatus;
import io.sluice.protocol.auth.CachingSha2Password;
import io.sluice.protocol.auth.Scramble;

import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.util.HashMap;
import java.util.Map;

/** One client connection and the MariaDB connection behind it, from greeting to close, on one thread. */
final class FaceConnection implements Runnable {
    private static final int ER_UNKNOWN_SYSTEM_VARIABLE = 1193;
    private static final int ER_PARSE_ERROR = 1064;
    /** COM_END of MySQL 8.4's enum_server_command: bytes from here on (MariaDB's COM_STMT_BULK_EXECUTE 0xfa among them) are no command. */
    private static final int COM_END = 0x22;

    private final MySql8Face face;
    private final PacketStream client;
    private final Socket backendSocket;
    private final Map<Long, PreparedStatementState> statements = new HashMap<>();
    private final byte[] scramble = Scramble.generate();
    private MariaDbSide mariaDb;
    private int capabilities;
    private ResponseRelay relay;

    FaceConnection(MySql8Face face, Socket clientSocket, Socket backendSocket) throws IOException {
        this.face = face;
        this.client = new PacketStream(clientSocket);
        this.backendSocket = backendSocket;
    }

    @Override
    public void run() {
        try (client; PacketStream server = new PacketStream(backendSocket)) {
            mariaDb = new MariaDbSide(server);
            if (handshake()) {
                commands(server);
            }
        } catch (EOFException | java.net.SocketException e) {
            // A peer went away: the other side is closed with it.
        } catch (IOException | RuntimeException e) {
            face.recordFailure(e);
        } finally {
            face.closed(this);
        }
    }

    void close() {
        client.close();
        try {
            backendSocket.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    private boolean handshake() throws IOException {
        client.write(new HandshakeV10(MySql8Face.SERVER_VERSION, mariaDb.threadId(), scramble, MySql8Face.CAPABILITIES,
                MySql8Face.UTF8MB4_0900_AI_CI, ServerStatus.SERVER_STATUS_AUTOCOMMIT, CachingSha2Password.NAME).encode());
        byte[] payload = client.read();
        if (HandshakeResponse.isSslRequest(payload)) {
            // CLIENT_SSL is not offered; MySQL would not get this far either.
            client.write(new ErrPacket(ErrorCode.ER_HANDSHAKE_ERROR, "08S01", "Bad handshake").encode());
            return false;
        }
        HandshakeResponse response = HandshakeResponse.decode(payload);
        capabilities = response.capabilities() & MySql8Face.CAPABILITIES;
        relay = new ResponseRelay(client, mariaDb.stream(), has(CapabilityFlags.CLIENT_DEPRECATE_EOF), has(CapabilityFlags.CLIENT_SESSION_TRACK));
        String password = face.authenticator().authenticate(client, response.username(), response.authPluginName(), response.authResponse(), scramble);
        if (password == null) {
            return false;
        }
        byte[] answer = mariaDb.login(response, password);
        client.write(relay.authResult(answer));
        return OkPacket.HEADER == (answer[0] & 0xff);
    }

    private void commands(PacketStream server) throws IOException {
        while (true) {
            client.resetSequence();
            byte[] command;
            try {
                command = client.read();
            } catch (EOFException e) {
                return;
            }
            server.resetSequence();
            int type = command.length == 0 ? -1 : command[0] & 0xff;
            try {
                if (!dispatch(type, command, server)) {
                    return;
                }
            } catch (MalformedPacketException e) {
                // MySQL answers a command it cannot parse with ER_MALFORMED_PACKET and drops the connection.
                face.recordMalformed();
                System.err.println("MySQL 8 face: malformed command from the client: " + e.getMessage());
                client.write(new ErrPacket(ErrorCode.ER_MALFORMED_PACKET, "HY000", "Malformed communication packet.").encode());
                return;
            }
        }
    }

    /** Handles one command; false when the connection ends. */
    private boolean dispatch(int type, byte[] command, PacketStream server) throws IOException {
        switch (type) {
            case CommandType.COM_QUIT -> {
                server.write(command);
                return false;
            }
            case CommandType.COM_QUERY -> query(command, server);
            case CommandType.COM_STMT_PREPARE -> prepare(command, server);
            case CommandType.COM_STMT_EXECUTE -> execute(command, server);
            case CommandType.COM_STMT_CLOSE -> {
                statements.remove(statementId(command));
                server.write(command);
            }
            case CommandType.COM_STMT_SEND_LONG_DATA -> {
                PreparedStatementState statement = statements.get(statementId(command));
                if (statement != null && command.length >= 7) {
                    statement.longDataSent((command[5] & 0xff) | (command[6] & 0xff) << 8);
                }
                server.write(command);
            }
            case CommandType.COM_STMT_RESET -> {
                PreparedStatementState statement = statements.get(statementId(command));
                if (statement != null) {
                    statement.executed();
                }
                server.write(command);
                relay.single();
            }
            case CommandType.COM_STMT_FETCH -> {
                server.write(command);
                relay.rows();
            }
            case CommandType.COM_FIELD_LIST -> {
                server.write(command);
                relay.fieldList();
            }
            case CommandType.COM_PROCESS_INFO -> {
                server.write(command);
                relay.results();
            }
            case CommandType.COM_CHANGE_USER -> changeUser(command);
            case CommandType.COM_RESET_CONNECTION -> {
                statements.clear();
                server.write(command);
                relay.single();
            }
            default -> {
                // MySQL reads an empty command packet as COM_SLEEP, which is no command either.
                if (type >= COM_END || type < 0) {
                    client.write(new ErrPacket(ErrorCode.ER_UNKNOWN_COM_ERROR, "08S01", "Unknown command").encode());
                } else {
                    server.write(command);
                    relay.single();
                }
            }
        }
        return true;
    }

    private void query(byte[] command, PacketStream server) throws IOException {
        int sqlOffset = 1;
        if (has(CapabilityFlags.CLIENT_QUERY_ATTRIBUTES)) {
            QueryAttributes.Query parsed = QueryAttributes.parseQuery(command);
            sqlOffset = parsed.sqlOffset();
            face.recordAttributes(parsed.attributeNames());
        }
        ErrPacket refusal = refusalAsMySqlWould(command, sqlOffset);
        if (refusal != null) {
            // MariaDB raises the same error itself, so that the session sees a failed statement as MySQL's would
            // (ROW_COUNT() -1, the error in SHOW WARNINGS, FOUND_ROWS() kept); the client gets MySQL's words as they are.
            server.write(signal(refusal));
            server.read();
            client.write(refusal.encode());
            return;
        }
        server.write(mariaDbText(CommandType.COM_QUERY, command, sqlOffset));
        relay.results();
    }

    private void prepare(byte[] command, PacketStream server) throws IOException {
        ErrPacket refusal = refusalAsMySqlWould(command, 1);
        if (refusal != null) {
            client.write(refusal.encode());
            return;
        }
        server.write(mariaDbText(CommandType.COM_STMT_PREPARE, command, 1));
        ResponseRelay.Prepared prepared = relay.prepare();
        if (prepared != null) {
            statements.put(prepared.statementId(), new PreparedStatementState(prepared.paramCount()));
        }
    }

    private void execute(byte[] command, PacketStream server) throws IOException {
        PreparedStatementState statement = statements.get(statementId(command));
        if (statement != null && has(CapabilityFlags.CLIENT_QUERY_ATTRIBUTES)) {
            QueryAttributes.Execute translated = QueryAttributes.translateExecute(command, statement);
            face.recordAttributes(translated.attributeNames());
            command = translated.payload();
        } else if (statement != null) {
            statement.executed();
        }
        server.write(command);
        relay.results();
    }

    /**
     * MySQL 8.4 rejects what MariaDB would run: the removed variable names (ERR 1193, as for any unknown
     * variable) and MariaDB's SET STATEMENT ... FOR (a syntax error, ERR 1064). Null when MySQL would run it.
     */
    private static ErrPacket refusalAsMySqlWould(byte[] command, int sqlOffset) {
        String removed = VariableNames.removedVariableIn(command, sqlOffset);
        if (removed != null) {
            return new ErrPacket(ER_UNKNOWN_SYSTEM_VARIABLE, "HY000", "Unknown system variable '" + removed + "'");
        }
        String near = VariableNames.setStatementRest(command, sqlOffset);
        if (near != null) {
            return new ErrPacket(ER_PARSE_ERROR, "42000", "You have an error in your SQL syntax; check the manual that corresponds to your "
                    + "MySQL server version for the right syntax to use near '" + near + "' at line 1");
        }
        return null;
    }

    /** A COM_QUERY with which MariaDB raises {@code err} as the statement's own error. */
    private static byte[] signal(ErrPacket err) {
        String sql = "SIGNAL SQLSTATE '" + err.sqlState() + "' SET MYSQL_ERRNO = " + err.code()
                + ", MESSAGE_TEXT = '" + err.message().replace("\\", "\\\\").replace("'", "''") + "'";
        return new PayloadWriter(sql.length() + 1).int1(CommandType.COM_QUERY).string(sql).toByteArray();
    }

    private static byte[] mariaDbText(int commandType, byte[] command, int sqlOffset) {
        byte[] sql = VariableNames.toMariaDb(command, sqlOffset);
        byte[] out = new byte[1 + sql.length - sqlOffset];
        out[0] = (byte) commandType;
        System.arraycopy(sql, sqlOffset, out, 1, sql.length - sqlOffset);
        return out;
    }

    /**
     * COM_CHANGE_USER: the client proves its password against the face's original scramble (caching_sha2 fast
     * path on a cache hit, full authentication otherwise), then the face changes user on MariaDB. MySQL leaves
     * the session as it was when authentication fails; so does the face, which then sends MariaDB nothing.
     */
    private void changeUser(byte[] command) throws IOException {
        ChangeUserRequest request = ChangeUserRequest.decode(command, capabilities);
        String password = face.authenticator().authenticate(client, request.username(), request.authPluginName(), request.authResponse(), scramble);
        if (password == null) {
            return;
        }
        byte[] answer = mariaDb.changeUser(request.username(), password, request.database(), request.collationId(), request.attributes(), capabilities);
        if ((answer[0] & 0xff) == OkPacket.HEADER) {
            statements.clear();
        }
        client.write(relay.authResult(answer));
    }

    private boolean has(int flag) {
        return (capabilities & flag) != 0;
    }

    private static long statementId(byte[] command) {
        PayloadReader r = new PayloadReader(command);
        r.skip(1);
        return r.readInt4();
    }
}
