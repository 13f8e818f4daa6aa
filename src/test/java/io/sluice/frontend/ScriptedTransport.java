package io.sluice.frontend;

import io.sluice.relay.ClientTransport;
import io.sluice.relay.ClientGoneException;
import io.netty.buffer.Unpooled;
import io.sluice.protocol.ErrPacket;
import io.sluice.protocol.HandshakeV10;
import io.sluice.protocol.InboundPacket;
import io.sluice.protocol.PacketFramer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@link ClientTransport} over a {@link ClientScript} instead of a socket: what the script sends goes through a
 * {@link PacketFramer} and is handed out as {@link ClientConnection} hands out packets (a framing error once, in
 * order, after the packets before it; {@link ClientGoneException} once the client hung up or the connection was
 * closed). What the session writes is checked the way the encoder would use it, counted, and its ERR packets kept.
 */
final class ScriptedTransport implements ClientTransport, ClientScript.ServerView {
    private final ClientScript script;
    private final PacketFramer framer;
    private final ArrayDeque<Object> inbox = new ArrayDeque<>();
    private RuntimeException framingError;
    private boolean framingErrorDelivered;
    private boolean hungUp;
    private volatile boolean closed;
    private int sequenceId;
    private byte[] scramble;
    private long connectionId;
    private int serverCapabilities;
    private String switchedToPlugin;
    private byte[] publicKey;
    private int packetsWritten;
    private long bytesWritten;
    private int closeCalls;
    private int silencesWaitedOut;
    private final List<ErrPacket> errors = new ArrayList<>();

    private final int maxPacketSize;

    ScriptedTransport(ClientScript script, int maxLoginPacketSize, int maxPacketSize) {
        this.script = script;
        this.maxPacketSize = maxPacketSize;
        this.framer = new PacketFramer(maxLoginPacketSize, 0);
    }

    @Override
    public void authenticated() {
        framer.limit(maxPacketSize, PacketFramer.MAX_DISCARDED);
        framer.passInPieces(ClientConnection.LONG_DATA, inbox::add);
    }

    @Override
    public void filePacketsFollow(boolean follow) {
        framer.passInPieces(follow ? ClientConnection.FILE_DATA : ClientConnection.LONG_DATA, inbox::add);
    }

    @Override
    public InboundPacket receive(long timeoutNanos) {
        Object next = next(timeoutNanos);
        if (next instanceof io.sluice.protocol.PayloadPiece) {
            throw new AssertionError("the session reads a packet where a piece of a payload comes");
        }
        return (InboundPacket) next;
    }

    @Override
    public io.sluice.protocol.PayloadPiece receivePiece() {
        if (!(next(0) instanceof io.sluice.protocol.PayloadPiece piece)) {
            throw new AssertionError("the session reads a piece of a payload where a packet comes");
        }
        return piece;
    }

    private Object next(long timeoutNanos) {
        while (inbox.isEmpty()) {
            if (framingError != null) {
                if (framingErrorDelivered) {
                    // ClientConnection reads nothing more after a framing error: this read would block for good.
                    throw new AssertionError("the session reads on after the framing error " + framingError);
                }
                framingErrorDelivered = true;
                throw framingError;
            }
            if (closed || hungUp) {
                throw ClientGoneException.INSTANCE;
            }
            switch (script.next(this)) {
                case ClientScript.Step.Send send -> {
                    try {
                        framer.feed(Unpooled.wrappedBuffer(send.bytes()), inbox::add);
                    } catch (RuntimeException e) {
                        framingError = e;
                    }
                }
                case ClientScript.Step.Silence silence -> {
                    // A read with a time limit times out; one without (timeoutNanos 0, as while a LOAD DATA LOCAL file
                    // is coming) waits on, for whatever the client does next.
                    if (timeoutNanos > 0) {
                        return null;
                    }
                    silencesWaitedOut++;
                }
                case ClientScript.Step.HangUp hangUp -> hungUp = true;
            }
        }
        return inbox.poll();
    }

    @Override
    public void sequence(int next) {
        sequenceId = next & 0xff;
    }

    @Override
    public int sequence() {
        return sequenceId;
    }

    @Override
    public void write(byte[] payload, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, payload.length);
        if (packetsWritten == 0 && length > 0 && payload[offset] == HandshakeV10.PROTOCOL_VERSION) {
            HandshakeV10 handshake = HandshakeV10.decode(java.util.Arrays.copyOfRange(payload, offset, offset + length));
            scramble = handshake.scramble();
            connectionId = handshake.connectionId();
            serverCapabilities = handshake.capabilities();
        } else if (length > 0 && (payload[offset] & 0xff) == ErrPacket.HEADER) {
            errors.add(ErrPacket.decode(java.util.Arrays.copyOfRange(payload, offset, offset + length), length));
        } else if (length > 1 && payload[offset] == io.sluice.protocol.AuthMoreData.HEADER
                && new String(payload, offset + 1, length - 1, StandardCharsets.ISO_8859_1).startsWith("-----BEGIN PUBLIC KEY-----")) {
            publicKey = java.util.Arrays.copyOfRange(payload, offset + 1, offset + length);
        } else if (length > 1 && (payload[offset] & 0xff) == 0xfe) {
            // An AuthSwitchRequest (0xfe, a plugin's name, its data), as opposed to an EOF or a result set's end.
            String rest = new String(payload, offset + 1, length - 1, StandardCharsets.ISO_8859_1);
            for (String plugin : List.of(io.sluice.protocol.auth.NativePassword.NAME, io.sluice.protocol.auth.CachingSha2Password.NAME)) {
                if (rest.startsWith(plugin + "\0")) {
                    switchedToPlugin = plugin;
                }
            }
        }
        packetsWritten++;
        bytesWritten += length;
        // As PacketEncoder numbers the physical packets of a logical one.
        sequenceId = (sequenceId + length / PacketFramer.MAX_PHYSICAL_PAYLOAD + 1) & 0xff;
    }

    @Override
    public void startPart(int length) {
        if (length < PacketFramer.MAX_PHYSICAL_PAYLOAD) {
            packetsWritten++;
        }
        sequenceId = (sequenceId + 1) & 0xff;
    }

    @Override
    public void writePartBytes(byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        bytesWritten += length;
    }

    @Override
    public void flush() {
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closeCalls++;
        closed = true;
    }

    @Override
    public void abort() {
        closed = true;
    }

    @Override
    public String remoteHost() {
        return "127.0.0.2";
    }

    // ---- what the script sees ----

    @Override
    public byte[] scramble() {
        return scramble;
    }

    @Override
    public long connectionId() {
        return connectionId;
    }

    @Override
    public int serverCapabilities() {
        return serverCapabilities;
    }

    @Override
    public String switchedToPlugin() {
        return switchedToPlugin;
    }

    @Override
    public byte[] publicKey() {
        return publicKey;
    }

    // ---- what the bench reports ----

    List<ErrPacket> errors() {
        return errors;
    }

    int packetsWritten() {
        return packetsWritten;
    }

    long bytesWritten() {
        return bytesWritten;
    }

    int closeCalls() {
        return closeCalls;
    }

    int silencesWaitedOut() {
        return silencesWaitedOut;
    }
}
