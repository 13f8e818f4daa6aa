package io.sluice.backend;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

import javax.net.ssl.HandshakeCompletedListener;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * The backend socket Connector/J reads and writes after the TLS handshake: an {@link SSLSocket} whose bytes go
 * through Sluice's {@link SSLEngine} ({@link EngineChannel}) over the backend's {@link SocketChannel}.
 *
 * <p>An SSLSocket because Connector/J asks {@code instanceof SSLSocket} to decide whether the connection is
 * encrypted: it sends clear-text passwords (IAM tokens) and the caching_sha2_password password only when it is.
 * Everything about the connection itself (timeouts, addresses, options, shutdown, close) goes to the channel's
 * socket, so that Connector/J's SO_TIMEOUT reaches the reads.
 *
 * <p>It is a {@link Supplier} of its engine, an {@link IntSupplier} of the bytes its read side holds
 * ({@link EngineChannel#held()}, which a take-over needs to be 0), and {@link #getChannel()} is the channel its records travel on, so that
 * {@link BackendConnection} can reach both through JDK types: Connector/J creates the socket factory from a class
 * loader of its own, whose copy of this class is not Sluice's in Quarkus's dev and test modes.
 */
final class EngineSocket extends SSLSocket implements Supplier<SSLEngine>, IntSupplier {
    private final Socket socket;
    private final EngineChannel tls;
    private final InputStream input = new In();
    private final OutputStream output = new Out();

    private EngineSocket(Socket channelSocket, EngineChannel tls) {
        this.socket = channelSocket;
        this.tls = tls;
    }

    /** Runs the handshake over the channel of {@code channelSocket}; the socket to use after it. */
    static EngineSocket handshake(Socket channelSocket, SSLEngine engine) throws IOException {
        EngineChannel tls = new EngineChannel(engine, channelSocket);
        tls.handshake();
        return new EngineSocket(channelSocket, tls);
    }

    /** This connection's engine, the one its TLS session lives in. */
    @Override
    public SSLEngine get() {
        return tls.engine();
    }

    /** Bytes read from the channel and not handed to Connector/J yet, decrypted or not: {@link EngineChannel#held()}. */
    @Override
    public int getAsInt() {
        return tls.held();
    }

    /** The channel the TLS records travel on: writing to it directly bypasses the engine. */
    @Override
    public SocketChannel getChannel() {
        return tls.channel();
    }

    @Override
    public InputStream getInputStream() {
        return input;
    }

    @Override
    public OutputStream getOutputStream() {
        return output;
    }

    private final class In extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            return tls.read(b, off, len);
        }

        @Override
        public int available() {
            return tls.available();
        }

        @Override
        public void close() throws IOException {
            EngineSocket.this.close();
        }
    }

    private final class Out extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            tls.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            EngineSocket.this.close();
        }
    }

    /**
     * Sends close_notify, then closes the channel. While an event loop holds the channel ({@link ChannelLoan}) it only
     * shuts the output down, as {@link GreetingShapingSocket#close()} does and for the same reason: closed from here, the
     * registered channel would drop out of the loop's selector unseen, its borrower left waiting; the server answers
     * the end of the stream by closing, which the loop reads. No close_notify then: the engine's records are the loop's.
     */
    @Override
    public void close() throws IOException {
        if (socket.isClosed()) {
            return;
        }
        if (GreetingShapingSocket.lentToEventLoop(socket.getChannel())) {
            try {
                socket.shutdownOutput();
            } catch (IOException alreadyGone) {
                // Shut down or reset already: the loop sees the end of the stream either way.
            }
            return;
        }
        try {
            tls.closeOutbound();
        } finally {
            socket.close();
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        tls.closeOutbound();
        socket.shutdownOutput();
    }

    /** Not while lent: see {@link GreetingShapingSocket#shutdownInput()}; the engine's inbound side is the loop's then. */
    @Override
    public void shutdownInput() throws IOException {
        if (GreetingShapingSocket.lentToEventLoop(socket.getChannel())) {
            return;
        }
        tls.closeInbound();
        socket.shutdownInput();
    }

    // TLS: the engine's, fixed by the handshake done before this socket was handed out.

    /** The handshake is done already; a second one (a renegotiation) is never started from here. */
    @Override
    public void startHandshake() {
    }

    @Override
    public SSLSession getSession() {
        return tls.engine().getSession();
    }

    @Override
    public SSLSession getHandshakeSession() {
        return tls.engine().getHandshakeSession();
    }

    @Override
    public String getApplicationProtocol() {
        return tls.engine().getApplicationProtocol();
    }

    @Override
    public String getHandshakeApplicationProtocol() {
        return tls.engine().getHandshakeApplicationProtocol();
    }

    @Override
    public SSLParameters getSSLParameters() {
        return tls.engine().getSSLParameters();
    }

    @Override
    public void setSSLParameters(SSLParameters params) {
        tls.engine().setSSLParameters(params);
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return tls.engine().getSupportedCipherSuites();
    }

    @Override
    public String[] getEnabledCipherSuites() {
        return tls.engine().getEnabledCipherSuites();
    }

    @Override
    public void setEnabledCipherSuites(String[] suites) {
        tls.engine().setEnabledCipherSuites(suites);
    }

    @Override
    public String[] getSupportedProtocols() {
        return tls.engine().getSupportedProtocols();
    }

    @Override
    public String[] getEnabledProtocols() {
        return tls.engine().getEnabledProtocols();
    }

    @Override
    public void setEnabledProtocols(String[] protocols) {
        tls.engine().setEnabledProtocols(protocols);
    }

    /** No handshake follows the one already done, so a listener would never be called. */
    @Override
    public void addHandshakeCompletedListener(HandshakeCompletedListener listener) {
        java.util.Objects.requireNonNull(listener);
    }

    @Override
    public void removeHandshakeCompletedListener(HandshakeCompletedListener listener) {
        java.util.Objects.requireNonNull(listener);
    }

    @Override
    public void setUseClientMode(boolean mode) {
        tls.engine().setUseClientMode(mode);
    }

    @Override
    public boolean getUseClientMode() {
        return tls.engine().getUseClientMode();
    }

    @Override
    public void setNeedClientAuth(boolean need) {
        tls.engine().setNeedClientAuth(need);
    }

    @Override
    public boolean getNeedClientAuth() {
        return tls.engine().getNeedClientAuth();
    }

    @Override
    public void setWantClientAuth(boolean want) {
        tls.engine().setWantClientAuth(want);
    }

    @Override
    public boolean getWantClientAuth() {
        return tls.engine().getWantClientAuth();
    }

    @Override
    public void setEnableSessionCreation(boolean flag) {
        tls.engine().setEnableSessionCreation(flag);
    }

    @Override
    public boolean getEnableSessionCreation() {
        return tls.engine().getEnableSessionCreation();
    }

    // The connection: the channel's socket's.

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

    /** TCP urgent data would bypass TLS: refused, as the JDK's SSLSocket does. */
    @Override
    public void sendUrgentData(int data) throws SocketException {
        throw new SocketException("sendUrgentData() is not supported over TLS");
    }

    @Override
    public void setOOBInline(boolean on) throws SocketException {
        throw new SocketException("setOOBInline() is not supported over TLS");
    }

    @Override
    public boolean getOOBInline() throws SocketException {
        throw new SocketException("getOOBInline() is not supported over TLS");
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
        return "TLS (Sluice's engine, " + getSession().getProtocol() + ") over " + socket;
    }
}
