package io.sluice.backend;

import com.mysql.cj.NativeSession;
import com.mysql.cj.conf.PropertyKey;
import com.mysql.cj.exceptions.CJCommunicationsException;
import com.mysql.cj.exceptions.CJException;
import com.mysql.cj.exceptions.CJPacketTooBigException;
import com.mysql.cj.jdbc.JdbcConnection;
import com.mysql.cj.protocol.MessageReader;
import com.mysql.cj.protocol.SocketConnection;
import com.mysql.cj.protocol.a.NativeCapabilities;
import com.mysql.cj.protocol.a.NativePacketHeader;
import com.mysql.cj.protocol.a.NativePacketPayload;
import com.mysql.cj.protocol.a.NativeProtocol;
import com.mysql.cj.protocol.a.NativeServerSession;

import io.sluice.credentials.Credential;
import io.sluice.protocol.CapabilityFlags;
import io.sluice.protocol.ErrPacket;
import io.sluice.protocol.OkPacket;
import io.sluice.protocol.PacketFramer;
import io.sluice.protocol.ResponseScanner;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Raw packet access to one physical Connector/J connection: the only class that reaches into Connector/J's
 * protocol layer. Connector/J owns the socket, the 4-byte headers and the backend's sequence ids; Sluice
 * sends whole command payloads and reads whole (multi-packet reassembled) payloads, or, where a payload may be
 * long (a client's rows), the packets as they come, in pieces of at most {@link #READ_CHUNK} bytes.
 *
 * <p>Not thread-safe: one borrower at a time, which the pool guarantees.
 *
 * <p>The socket may be lent to an event loop ({@link #loan()}); while it is, every method here that reads or writes
 * packets fails with {@link LoanException} rather than disturb the loop's byte stream.
 */
public final class BackendConnection {
    private static final int READ_BUFFER_SIZE = 16 * 1024;
    /** Buffers grown by a big row are dropped afterwards rather than held by an idle connection. */
    private static final int READ_BUFFER_KEEP = 1024 * 1024;
    /** The most of one packet {@link #readPart} holds at a time where rows may come; longer rows pass in pieces. */
    public static final int READ_CHUNK = 256 * 1024;

    private final JdbcConnection physical;
    private final NativeProtocol protocol;
    private final long threadId;
    private final int clientFlags;
    private final String serverVersion;
    private final int serverCollationId;
    private final String serverAuthPlugin;
    private NativePacketPayload readBuffer = new NativePacketPayload(READ_BUFFER_SIZE);
    private int lastLength;
    private boolean continues;
    private int partLeft;
    /** The sequence id of the next packet {@link #sendPacket} sends; -1: the one after the last packet read. */
    private int nextSendSequence = -1;
    /** Bytes of the payload being sent in parts, up to the packet started last. */
    private long partsPayload;
    private final TransactionEvidence transaction = new TransactionEvidence();
    private final ChannelLoan loan;

    private BackendConnection(JdbcConnection physical) {
        this.physical = physical;
        NativeSession session = (NativeSession) physical.getSession();
        this.protocol = session.getProtocol();
        NativeServerSession server = protocol.getServerSession();
        NativeCapabilities caps = server.getCapabilities();
        this.threadId = session.getThreadId();
        this.clientFlags = (int) server.getClientParam();
        this.serverVersion = caps.getServerVersion().toString();
        this.serverCollationId = caps.getServerDefaultCollationIndex();
        this.serverAuthPlugin = authPluginOf(caps.getInitialHandshakePacket());
        SocketConnection socket = protocol.getSocketConnection();
        // With TLS the socket is Sluice's EngineSocket, reached through JDK types (its engine and the bytes it holds) as
        // it may come from another class loader; Connector/J's own SSLSocket has neither, and the loan refuses it.
        try {
            java.net.Socket mysqlSocket = socket.getMysqlSocket();
            this.loan = new ChannelLoan(mysqlSocket.getChannel(), socket.getMysqlInput(), socket.isSSLEstablished(), tlsEngine(),
                    mysqlSocket instanceof java.util.function.IntSupplier held ? held : null, threadId);
        } catch (IOException e) {
            // Connector/J says so only of a socket it no longer has.
            throw lost(e.getMessage(), e);
        }
    }

    /** The hand-over of this connection's socket between Connector/J and an event loop. */
    public ChannelLoan loan() {
        return loan;
    }

    /** Packets go through Connector/J only while it holds the socket; a closed loan leaves Connector/J to fail on its own. */
    private void requireConnectorJ() {
        if (loan.withLoop()) {
            throw new LoanException("Backend connection " + threadId + " is lent to an event loop (" + loan.owner() + "): Connector/J must not use it");
        }
    }

    /** Wraps the physical connection under a pooled JDBC connection. */
    public static BackendConnection attach(Connection pooled) throws SQLException {
        return new BackendConnection(pooled.unwrap(JdbcConnection.class));
    }

    /** The physical connection, the identity under which the pool knows this backend. */
    public static Object physicalOf(Connection pooled) throws SQLException {
        return pooled.unwrap(JdbcConnection.class);
    }

    /** Starts a command: {@code payload[0]} is the command byte. The backend's sequence ids restart at 0. */
    public void sendCommand(byte[] payload, int length) {
        requireConnectorJ();
        NativePacketPayload packet = new NativePacketPayload(payload);
        // sendCommand sends 'position' bytes, not the array length.
        packet.setPosition(length);
        nextSendSequence = -1;
        try {
            protocol.sendCommand(packet, true, 0);
        } catch (CJPacketTooBigException e) {
            throw new BackendException(BackendException.Kind.PACKET_TOO_BIG, e.getMessage(), e);
        } catch (CJException e) {
            throw lost(e);
        }
    }

    /** Sends a further packet within the current command (the contents of a LOAD DATA LOCAL file). */
    public void sendPacket(byte[] payload, int length) {
        requireConnectorJ();
        checkAllowed(length);
        int sequence = nextSequence();
        try {
            protocol.getPacketSender().send(payload, length, (byte) sequence);
        } catch (IOException e) {
            throw lost(e.getMessage(), e);
        } catch (CJException e) {
            throw lost(e);
        }
        // A payload of 0xffffff bytes or more went as several packets.
        nextSendSequence = (sequence + length / PacketFramer.MAX_PHYSICAL_PAYLOAD + 1) & 0xff;
    }

    /**
     * Starts a command whose first packet's payload follows in parts ({@link #sendPart}), as the client sends it (a
     * COM_STMT_SEND_LONG_DATA): {@code length} is the physical packet's, 0xffffff meaning the payload continues in a
     * packet {@link #continuePayload} starts. Nothing of it is held: each part goes to the socket as it comes.
     */
    public void startCommandPacket(int length) {
        startPhysicalPacket(length, 0, length);
    }

    /** Starts a further payload within the current command (a LOAD DATA LOCAL file's packet), sent in parts. */
    public void startPacket(int length) {
        startPhysicalPacket(length, nextSequence(), length);
    }

    /** Starts the next physical packet of the payload being sent in parts. */
    public void continuePayload(int length) {
        startPhysicalPacket(length, nextSendSequence, partsPayload + length);
    }

    /** Bytes of the physical packet started last, in order. */
    public void sendPart(byte[] bytes, int offset, int length) {
        requireConnectorJ();
        try {
            protocol.getSocketConnection().getMysqlOutput().write(bytes, offset, length);
        } catch (IOException e) {
            throw lost(e.getMessage(), e);
        }
    }

    /** The payload sent in parts is complete: what is buffered goes out. */
    public void endParts() {
        requireConnectorJ();
        try {
            protocol.getSocketConnection().getMysqlOutput().flush();
        } catch (IOException e) {
            throw lost(e.getMessage(), e);
        }
    }

    private void startPhysicalPacket(int length, int sequence, long payloadSoFar) {
        requireConnectorJ();
        // Checked before the header goes, as Connector/J checks a whole payload: refused, the backend is still clean.
        checkAllowed(payloadSoFar);
        byte[] header = {(byte) length, (byte) (length >>> 8), (byte) (length >>> 16), (byte) sequence};
        partsPayload = payloadSoFar;
        nextSendSequence = (sequence + 1) & 0xff;
        sendPart(header, 0, header.length);
    }

    private void checkAllowed(long payloadLength) {
        int max = protocol.getPropertySet().getIntegerProperty(PropertyKey.maxAllowedPacket).getValue();
        if (max > 0 && payloadLength > max) {
            throw new BackendException(BackendException.Kind.PACKET_TOO_BIG, "Packet for query is too large (" + payloadLength + " > " + max + ")", null);
        }
    }

    /** The sequence id of a further packet of this command: after the last packet read or sent in it. */
    private int nextSequence() {
        // Connector/J counts only the packets it read itself, and readPart() reads past it; its reader sees every packet.
        return nextSendSequence >= 0 ? nextSendSequence : (protocol.getPacketReader().getMessageSequence() + 1) & 0xff;
    }

    /**
     * Reads the next payload; it stays in {@link #buffer()} (first {@code length} bytes) until the next read.
     *
     * @return the payload length
     */
    public int read() {
        requireConnectorJ();
        if (readBuffer.getCapacity() > READ_BUFFER_KEEP) {
            readBuffer = new NativePacketPayload(READ_BUFFER_SIZE);
        }
        try {
            NativePacketPayload p = protocol.readMessage(readBuffer);
            nextSendSequence = -1;
            readBuffer = p;
            lastLength = p.getPayloadLength();
            return lastLength;
        } catch (CJException e) {
            throw lost(e);
        }
    }

    /**
     * Starts reading the next packet as the backend sent it: a whole payload, or one part of a payload of 16 MiB or
     * more, every part of which but the last is {@value PacketFramer#MAX_PHYSICAL_PAYLOAD} bytes ({@link #continues()}
     * says more of it follows). Unlike {@link #read()}, parts are never joined. Where rows may come, a packet longer
     * than {@link #READ_CHUNK} is read a chunk at a time: {@link #buffer()} holds its first {@link #length()} bytes,
     * and {@link #readMore()} the next ones, so that a row near max_allowed_packet passes through in pieces of a
     * bounded size. An end of rows or an error is always read whole.
     *
     * @param rowsExpected whether the packet may be a row (the response is in its rows)
     * @return the packet's length
     */
    public int readPart(boolean rowsExpected) {
        requireConnectorJ();
        if (readBuffer.getCapacity() > READ_BUFFER_KEEP) {
            readBuffer = new NativePacketPayload(READ_BUFFER_SIZE);
        }
        // Connector/J's reader joins the parts of a long payload; the reader it decorates reads one header at a time.
        MessageReader<NativePacketHeader, NativePacketPayload> packets = protocol.getPacketReader().undecorateAll();
        try {
            NativePacketHeader header = packets.readHeader();
            nextSendSequence = -1;
            int length = header.getMessageSize();
            continues = length == PacketFramer.MAX_PHYSICAL_PAYLOAD;
            int now = rowsExpected ? Math.min(length, READ_CHUNK) : length;
            readInto(0, now);
            int first = now == 0 ? -1 : readBuffer.getByteBuffer()[0] & 0xff;
            if (now < length && !continues && (first == OkPacket.EOF_HEADER || first == ErrPacket.HEADER)) {
                readInto(now, length - now);
                now = length;
            }
            partLeft = length - now;
            lastLength = now;
            return length;
        } catch (CJException e) {
            throw lost(e);
        } catch (IOException e) {
            throw lost(e.getMessage(), e);
        }
    }

    /** Reads the next chunk of the packet {@link #readPart} started into {@link #buffer()}; returns its length. */
    public int readMore() {
        requireConnectorJ();
        int now = Math.min(partLeft, READ_CHUNK);
        try {
            readInto(0, now);
        } catch (IOException e) {
            throw lost(e.getMessage(), e);
        }
        partLeft -= now;
        lastLength = now;
        return now;
    }

    /** Bytes of the packet {@link #readPart} started that {@link #readMore} has still to read. */
    public int partLeft() {
        return partLeft;
    }

    /** Whether the packet {@link #readPart} read last is a part of a longer payload, more of which follows. */
    public boolean continues() {
        return continues;
    }

    private void readInto(int offset, int count) throws IOException {
        byte[] bytes = readBuffer.getByteBuffer();
        if (bytes.length < offset + count) {
            bytes = java.util.Arrays.copyOf(bytes, offset + count);
            readBuffer.setByteBuffer(bytes);
        }
        protocol.getSocketConnection().getMysqlInput().readFully(bytes, offset, count);
    }

    /**
     * Runs a command of Sluice's own (state replay, reset) to completion, consuming any result set, and
     * returns a copy of the packet that ended it: an OK, EOF or ERR.
     */
    public byte[] call(byte[] payload) {
        sendCommand(payload, payload.length);
        ResponseScanner scanner = scannerFor(payload[0] & 0xff);
        while (true) {
            int length = read();
            ResponseScanner.Role role = scanner.next(buffer(), length);
            if (role == ResponseScanner.Role.LOCAL_INFILE_REQUEST) {
                // Sluice's own statements never load files; an empty packet declines.
                sendPacket(new byte[0], 0);
                continue;
            }
            if (scanner.isComplete()) {
                return java.util.Arrays.copyOf(buffer(), length);
            }
        }
    }

    /**
     * Follows the response to {@code command}: every response read on this connection is scanned by one of these,
     * so that {@link #transaction()} knows what the answers said.
     */
    public ResponseScanner scannerFor(int command) {
        return transaction.follow(new ResponseScanner(command, sessionTrack()));
    }

    /** What the answers read here say about the session's transaction. */
    public TransactionEvidence transaction() {
        return transaction;
    }

    /**
     * Turns on the server's session-state tracking for everything Sluice follows: every system variable, the
     * schema, transaction characteristics, and a flag for changes the server does not name. Needed after the
     * connection opens and after every COM_RESET_CONNECTION, which puts these back to the global defaults.
     *
     * <p>Sluice follows client sessions only through this tracking, so a backend without it is refused rather
     * than used blind: one that did not agree CLIENT_SESSION_TRACK in its handshake (a server before MySQL 5.7 or
     * MariaDB 10.2, or a proxy in front of one), one that refuses the settings, and one that accepts them but
     * reports nothing (it would let every client's SET leak to the next client).
     *
     * @throws BackendException of kind UNSUPPORTED when the backend cannot track sessions
     */
    public void enableSessionTracking() {
        if (!sessionTrack()) {
            throw new BackendException(BackendException.Kind.UNSUPPORTED, SESSION_TRACKING_REFUSED
                    + ": the backend (" + serverVersion + ") did not agree CLIENT_SESSION_TRACK in its handshake", null);
        }
        byte[] answer = call(TRACKING);
        if ((answer[0] & 0xff) != OkPacket.HEADER) {
            throw new BackendException(BackendException.Kind.UNSUPPORTED, SESSION_TRACKING_REFUSED
                    + ": the backend refused it (MySQL 5.7+ or MariaDB 10.2+ needed): " + ErrPacket.decode(answer, answer.length).message(), null);
        }
        OkPacket ok = OkPacket.decode(answer, answer.length, true);
        if (ok.sessionStateInfo() == null || ok.sessionStateInfo().length == 0) {
            throw new BackendException(BackendException.Kind.UNSUPPORTED, SESSION_TRACKING_REFUSED
                    + ": the backend (" + serverVersion + ") accepted the session_track_* settings but reports no session state", null);
        }
    }

    /** How every refusal for missing session tracking starts: what readiness and clients are shown. */
    public static final String SESSION_TRACKING_REFUSED = "Backend refused: Sluice needs session-state tracking";

    private static final byte[] TRACKING = ("\u0003SET SESSION session_track_schema = ON, session_track_state_change = ON, "
            + "session_track_system_variables = '*', session_track_transaction_info = 'CHARACTERISTICS'")
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** Whether this connection negotiated CLIENT_SESSION_TRACK, which changes the layout of its OK packets. */
    public boolean sessionTrack() {
        return (clientFlags & CapabilityFlags.CLIENT_SESSION_TRACK) != 0;
    }

    public byte[] buffer() {
        return readBuffer.getByteBuffer();
    }

    public int length() {
        return lastLength;
    }

    /**
     * Logs in again as the same user with no default schema (COM_CHANGE_USER through Connector/J): the only
     * way to take a connection out of a schema once it has one. All session state is reset with it.
     */
    public void changeUser(Credential credential) {
        requireConnectorJ();
        try {
            physical.changeUser(credential.username(), credential.passwordString());
            transaction.sessionStarted();
        } catch (SQLException | CJException e) {
            throw new BackendException(BackendException.Kind.CONNECTION_LOST, "Lost connection to backend while resetting it", e);
        }
    }

    /**
     * Whether the server has closed this connection while it sat idle (a restart, a failover, wait_timeout).
     * Checked before a pooled connection is handed out, so that no client statement is sent down a dead one.
     */
    public boolean isClosedByServer() {
        if (loan.owner() == ChannelLoan.Owner.CLOSED) {
            return true;
        }
        if (loan.withLoop()) {
            // Resting on an event loop between commands: what the server sends or its closing the connection there closes
            // the channel at once (CLOSED above), and the take-over checks the channel again.
            return false;
        }
        requireConnectorJ();
        return protocol.getSocketConnection().getSocketFactory() instanceof java.util.function.BooleanSupplier closedByPeer
                && closedByPeer.getAsBoolean();
    }

    /**
     * The TLS engine of this connection, null when it runs over plain TCP. The engine is Sluice's
     * ({@link ProbingSocketFactory#performTlsHandshake}), so that code other than Connector/J can carry on the same
     * TLS session over the same channel ({@link #socketChannel()}); its session says what was negotiated.
     */
    public javax.net.ssl.SSLEngine tlsEngine() {
        // A JDK interface, not EngineSocket: Connector/J's copy of that class may come from another class loader.
        return socket() instanceof java.util.function.Supplier<?> engineSocket && engineSocket.get() instanceof javax.net.ssl.SSLEngine engine ? engine : null;
    }

    /** The channel under this connection's socket, TLS or not: with TLS its bytes are records of {@link #tlsEngine()}. */
    public java.nio.channels.SocketChannel socketChannel() {
        java.net.Socket socket = socket();
        return socket == null ? null : socket.getChannel();
    }

    private java.net.Socket socket() {
        try {
            return protocol.getSocketConnection().getMysqlSocket();
        } catch (IOException e) {
            return null;
        }
    }

    /** Closes the socket without a goodbye, for a connection whose state cannot be trusted any more. */
    public void abort() {
        // A lent socket is closed by its loop first, so that its borrower hears of it; then Connector/J's side.
        loan.close().whenComplete((closed, failure) -> {
            try {
                physical.abortInternal();
            } catch (SQLException | RuntimeException ignored) {
                // Already broken; the pool discards it either way.
            }
        });
    }

    public long threadId() {
        return threadId;
    }

    /** Capability flags negotiated for this connection (what Connector/J asked for and the server granted). */
    public int clientFlags() {
        return clientFlags;
    }

    public String serverVersion() {
        return serverVersion;
    }

    public int serverCollationId() {
        return serverCollationId;
    }

    /** The authentication plugin the server proposed in its greeting. */
    public String serverAuthPlugin() {
        return serverAuthPlugin;
    }

    /** Read from the greeting as the server sent it (Connector/J keeps the packet but not the plugin's name). */
    private static String authPluginOf(NativePacketPayload greeting) {
        byte[] payload = java.util.Arrays.copyOf(greeting.getByteBuffer(), greeting.getPayloadLength());
        try {
            return io.sluice.protocol.HandshakeV10.decode(payload).authPluginName();
        } catch (io.sluice.protocol.MalformedPacketException e) {
            // Connector/J logged in with it, so it was a greeting; only a pre-4.1 one would lack the name.
            return io.sluice.protocol.auth.NativePassword.NAME;
        }
    }

    private static BackendException lost(CJException e) {
        return lost(e instanceof CJCommunicationsException ? "communications link failure" : e.getMessage(), e);
    }

    private static BackendException lost(String detail, Exception cause) {
        return new BackendException(BackendException.Kind.CONNECTION_LOST, "Lost connection to backend during query (" + detail + ")", cause);
    }
}
