package io.sluice.backend;

import com.mysql.cj.conf.PropertySet;
import com.mysql.cj.protocol.StandardSocketFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.function.BooleanSupplier;

/**
 * Connector/J's socket factory, with sockets made from a {@link SocketChannel} so that Sluice can ask, without
 * blocking, whether the server has closed an idle connection. A restarted or failed-over database closes every
 * connection it had; checking before a pooled connection is handed out means no client statement is ever sent
 * down one of those (Connector/J's own sockets could only tell by a read that blocks). Registered for reflection:
 * Connector/J creates it by name, also in a native executable.
 */
@io.quarkus.runtime.annotations.RegisterForReflection
public class ProbingSocketFactory extends StandardSocketFactory implements BooleanSupplier {
    private static final ByteBuffer DISCARD = ByteBuffer.allocate(1);

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
