package io.sluice.backend;

import com.mysql.cj.conf.PropertySet;
import com.mysql.cj.log.Log;
import com.mysql.cj.protocol.ServerSession;
import com.mysql.cj.protocol.SocketConnection;
import com.mysql.cj.protocol.StandardSocketFactory;
import io.sluice.protocol.CapabilityFlags;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.function.BooleanSupplier;

import javax.net.ssl.SSLEngine;

/**
 * Connector/J's socket factory, with sockets made from a {@link SocketChannel} so that Sluice can ask, without
 * blocking, whether the server has closed an idle connection. A restarted or failed-over database closes every
 * connection it had; checking before a pooled connection is handed out means no client statement is ever sent
 * down one of those (Connector/J's own sockets could only tell by a read that blocks). Registered for reflection:
 * Connector/J creates it by name, also in a native executable.
 *
 * <p>It also shapes the server's greeting before Connector/J reads it ({@link GreetingShapingSocket}), so that
 * Connector/J never agrees a capability that would change how the commands Sluice relays must be written.
 *
 * <p>TLS to the backend is Sluice's too ({@link #performTlsHandshake}): the engine is set up from Connector/J's
 * properties and runs over the same channel, so that the TLS session outlives Connector/J's use of the socket.
 */
@io.quarkus.runtime.annotations.RegisterForReflection
public class ProbingSocketFactory extends StandardSocketFactory implements BooleanSupplier {
    private static final ByteBuffer DISCARD = ByteBuffer.allocate(1);

    /**
     * Capabilities a backend's greeting is stripped of. CLIENT_QUERY_ATTRIBUTES (MySQL 8.0.23+): once agreed, the
     * server reads every COM_QUERY and COM_STMT_EXECUTE with a parameter block first, so Sluice's own statements and
     * every client command relayed as the client wrote it would be misread. Connector/J asks for it whenever it is
     * offered; Sluice does not offer it to clients either.
     */
    static final int SHAPED_AWAY = CapabilityFlags.CLIENT_QUERY_ATTRIBUTES;

    @Override
    @SuppressWarnings("unchecked")
    public <T extends Closeable> T connect(String hostname, int portNumber, PropertySet props, int loginTimeout) throws IOException {
        super.connect(hostname, portNumber, props, loginTimeout);
        return (T) new GreetingShapingSocket(rawSocket, shapedAway());
    }

    /** The capabilities the greeting is stripped of; a test's subclass may strip others, to see shaping work. */
    protected int shapedAway() {
        return SHAPED_AWAY;
    }

    /**
     * Replaces Connector/J's TLS (an SSLSocket of the JDK layered over the raw socket, whose engine nobody else can
     * reach) with an {@link SSLEngine} of Sluice's over the channel ({@link BackendTlsEngine}, {@link EngineSocket}).
     * Connector/J calls it after sending its SSL request, when the greeting, shaped in clear text, is behind it; from
     * then on it reads and writes only the socket returned here. Whether TLS is used at all (sslMode DISABLED,
     * PREFERRED against a server without TLS) is still Connector/J's decision, taken before this call.
     */
    @Override
    @SuppressWarnings("unchecked")
    public <T extends Closeable> T performTlsHandshake(SocketConnection socketConnection, ServerSession serverSession, Log log) throws IOException {
        SSLEngine engine = BackendTlsEngine.create(socketConnection.getPropertySet(), socketConnection.getHost(), socketConnection.getPort());
        sslSocket = EngineSocket.handshake(rawSocket, engine);
        return (T) sslSocket;
    }

    @Override
    protected Socket createSocket(PropertySet props) {
        try {
            return SocketChannel.open().socket();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@link #peerClosed()}, through an interface of the JDK: Connector/J instantiates this factory by name, and
     * where it sits in another class loader than Sluice's code (Quarkus dev and test modes) a cast to this class
     * would fail while a JDK interface is shared by all.
     */
    @Override
    public boolean getAsBoolean() {
        return peerClosed();
    }

    /**
     * True when the connection cannot be used: the server closed it, reset it, or (a protocol error) sent bytes
     * nobody asked for. Only meaningful between commands, when nothing is due from the server.
     */
    boolean peerClosed() {
        SocketChannel channel = rawSocket == null ? null : rawSocket.getChannel();
        if (channel == null) {
            return false;
        }
        try {
            synchronized (channel.blockingLock()) {
                channel.configureBlocking(false);
                try {
                    return channel.read(DISCARD.clear()) != 0;
                } finally {
                    channel.configureBlocking(true);
                }
            }
        } catch (IOException e) {
            return true;
        }
    }
}
