package io.sluice.backend;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.nio.channels.SocketChannel;
import java.util.Set;

/**
 * A connected backend socket whose input shows Connector/J a shaped greeting ({@link GreetingShapingInput}).
 * Everything else goes to the channel's own socket, so that the channel stays reachable through
 * {@link #getChannel()}. The socket is already connected when wrapped: Connector/J only reads, writes, times out
 * and closes it.
 *
 * <p>While an event loop holds the channel ({@link ChannelLoan}), closing the socket or either of its streams only
 * shuts the connection down: see {@link #close()}.
 */
final class GreetingShapingSocket extends Socket {
    private final Socket socket;
    private final InputStream input;
    private final OutputStream output;

    GreetingShapingSocket(Socket connected, int clearedCapabilities) throws IOException {
        super((SocketImpl) null);
        this.socket = connected;
        // A socket's streams close the socket when closed, as Connector/J does first when it closes a connection.
        this.input = new GreetingShapingInput(new FilterInputStream(connected.getInputStream()) {
            @Override
            public void close() throws IOException {
                GreetingShapingSocket.this.close();
            }
        }, clearedCapabilities);
        OutputStream out = connected.getOutputStream();
        this.output = new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                // FilterOutputStream's own writes a byte at a time.
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                GreetingShapingSocket.this.close();
            }
        };
    }

    @Override
    public InputStream getInputStream() {
        return input;
    }

    @Override
    public OutputStream getOutputStream() {
        return output;
    }

    @Override
    public SocketChannel getChannel() {
        return socket.getChannel();
    }

    @Override
    public void connect(SocketAddress endpoint) throws IOException {
        socket.connect(endpoint);
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
        socket.connect(endpoint, timeout);
    }

    @Override
    public void bind(SocketAddress bindpoint) throws IOException {
        socket.bind(bindpoint);
    }

    @Override
    public InetAddress getInetAddress() {
        return socket.getInetAddress();
    }

    @Override
    public InetAddress getLocalAddress() {
        return socket.getLocalAddress();
    }

    @Override
    public int getPort() {
        return socket.getPort();
    }

    @Override
    public int getLocalPort() {
        return socket.getLocalPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return socket.getRemoteSocketAddress();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return socket.getLocalSocketAddress();
    }

    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
        socket.setTcpNoDelay(on);
    }

    @Override
    public boolean getTcpNoDelay() throws SocketException {
        return socket.getTcpNoDelay();
    }

    @Override
    public void setSoLinger(boolean on, int linger) throws SocketException {
        socket.setSoLinger(on, linger);
    }

    @Override
    public int getSoLinger() throws SocketException {
        return socket.getSoLinger();
    }

    @Override
    public void sendUrgentData(int data) throws IOException {
        socket.sendUrgentData(data);
    }

    @Override
    public void setOOBInline(boolean on) throws SocketException {
        socket.setOOBInline(on);
    }

    @Override
    public boolean getOOBInline() throws SocketException {
        return socket.getOOBInline();
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        socket.setSoTimeout(timeout);
    }

    @Override
    public int getSoTimeout() throws SocketException {
        return socket.getSoTimeout();
    }

    @Override
    public void setSendBufferSize(int size) throws SocketException {
        socket.setSendBufferSize(size);
    }

    @Override
    public int getSendBufferSize() throws SocketException {
        return socket.getSendBufferSize();
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        socket.setReceiveBufferSize(size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return socket.getReceiveBufferSize();
    }

    @Override
    public void setKeepAlive(boolean on) throws SocketException {
        socket.setKeepAlive(on);
    }

    @Override
    public boolean getKeepAlive() throws SocketException {
        return socket.getKeepAlive();
    }

    @Override
    public void setTrafficClass(int tc) throws SocketException {
        socket.setTrafficClass(tc);
    }

    @Override
    public int getTrafficClass() throws SocketException {
        return socket.getTrafficClass();
    }

    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        socket.setReuseAddress(on);
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        return socket.getReuseAddress();
    }

    /**
     * Closes the socket, unless an event loop holds its channel: then it only sends the server an end of stream, the
     * server closes the connection, and the loop reads the end of the stream, closes the channel and tells its borrower.
     * Closed from here, a channel registered with a selector would just drop out of it, unseen (a cancelled key reports
     * nothing), the borrower left waiting. This is how Connector/J closing a lent connection (a JDBC call that failed
     * because of the loan, Agroal shutting down) reaches the loop. A server that never answers the end of stream leaves
     * the borrower to its own timers, as any silent server does while lent.
     */
    @Override
    public void close() throws IOException {
        if (lentToEventLoop()) {
            try {
                socket.shutdownOutput();
            } catch (IOException alreadyGone) {
                // Shut down or reset already: the loop sees the end of the stream either way.
            }
            return;
        }
        socket.close();
    }

    /**
     * Whether an event loop holds the channel ({@link ChannelLoan}): registered with a selector and non-blocking, which
     * only a loan makes it. Read from the channel, since this class may sit in another class loader than ChannelLoan
     * (see ProbingSocketFactory). A channel given back may stay registered (its key cancelled) until its old loop
     * next wakes, so it is read under the lock ProbingSocketFactory's probe holds while it goes non-blocking.
     */
    private boolean lentToEventLoop() {
        return lentToEventLoop(socket.getChannel());
    }

    /** Whether an event loop holds {@code channel}, as {@link #lentToEventLoop()} reads it; also EngineSocket's answer. */
    static boolean lentToEventLoop(SocketChannel channel) {
        if (channel == null) {
            return false;
        }
        synchronized (channel.blockingLock()) {
            return channel.isOpen() && channel.isRegistered() && !channel.isBlocking();
        }
    }

    /**
     * Not while lent (Connector/J does it when it closes the connection): Netty takes the end of a stream whose input was
     * shut down here for a half-closure it knew of, and would neither close the channel nor tell anyone.
     */
    @Override
    public void shutdownInput() throws IOException {
        if (!lentToEventLoop()) {
            socket.shutdownInput();
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public boolean isConnected() {
        return socket.isConnected();
    }

    @Override
    public boolean isBound() {
        return socket.isBound();
    }

    @Override
    public boolean isClosed() {
        return socket.isClosed();
    }

    @Override
    public boolean isInputShutdown() {
        return socket.isInputShutdown();
    }

    @Override
    public boolean isOutputShutdown() {
        return socket.isOutputShutdown();
    }

    @Override
    public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
        socket.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return socket.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return socket.supportedOptions();
    }

    @Override
    public String toString() {
        return socket.toString();
    }
}
