package io.sluice.relay;

import io.sluice.protocol.InboundPacket;
import io.sluice.protocol.PacketFramer;

import java.util.Arrays;
import java.util.List;

/** A transport whose writes are kept instead of sent; everything else goes to the real client. */
final class AnswerCapture implements ClientTransport {
    private final ClientTransport client;
    private final List<byte[]> captured;
    private final java.io.ByteArrayOutputStream partial = new java.io.ByteArrayOutputStream();
    private int partLength;
    private int partWritten;

    AnswerCapture(ClientTransport client, List<byte[]> captured) {
        this.client = client;
        this.captured = captured;
    }

    @Override
    public InboundPacket receive(long timeoutNanos) throws InterruptedException {
        return client.receive(timeoutNanos);
    }

    @Override
    public void authenticated() {
        client.authenticated();
    }

    @Override
    public io.sluice.protocol.PayloadPiece receivePiece() throws InterruptedException {
        return client.receivePiece();
    }

    @Override
    public void filePacketsFollow(boolean follow) {
        client.filePacketsFollow(follow);
    }

    @Override
    public void sequence(int next) {
        client.sequence(next);
    }

    @Override
    public int sequence() {
        return client.sequence();
    }

    @Override
    public void write(byte[] payload, int offset, int length) {
        captured.add(Arrays.copyOfRange(payload, offset, offset + length));
    }

    /** A captured answer is kept whole: its pieces are joined. */
    @Override
    public void startPart(int length) {
        partLength = length;
        partWritten = 0;
    }

    @Override
    public void writePartBytes(byte[] bytes, int offset, int length) {
        partial.write(bytes, offset, length);
        partWritten += length;
        if (partWritten == partLength && partLength < PacketFramer.MAX_PHYSICAL_PAYLOAD) {
            captured.add(partial.toByteArray());
            partial.reset();
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public boolean isClosed() {
        return client.isClosed();
    }

    @Override
    public void close() {
        client.close();
    }

    @Override
    public void abort() {
        client.abort();
    }

    @Override
    public String remoteHost() {
        return client.remoteHost();
    }

    @Override
    public boolean isTls() {
        return client.isTls();
    }
}
