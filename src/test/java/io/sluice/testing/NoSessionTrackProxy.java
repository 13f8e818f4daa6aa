package io.sluice.testing;

import io.sluice.protocol.CapabilityFlags;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A stand-in for a backend that does not agree CLIENT_SESSION_TRACK: a TCP proxy in front of the test MariaDB
 * that clears that flag in the server's handshake and relays every other byte unchanged, as an old server or a
 * proxy in front of one would present itself. Clients connecting through it negotiate without session tracking,
 * so the server sends no session-state data. What it does not emulate: anything else such a server lacks.
 */
public final class NoSessionTrackProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final String targetHost;
    private final int targetPort;

    public NoSessionTrackProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("no-session-track-proxy").start(this::accept);
    }

    public int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(targetHost, targetPort);
                Thread.ofVirtual().start(() -> serverToClient(server, client));
                Thread.ofVirtual().start(() -> copy(client, server));
            } catch (IOException e) {
                return;
            }
        }
    }

    /** The first packet is the handshake, whose CLIENT_SESSION_TRACK is cleared; the rest is copied. */
    private static void serverToClient(Socket server, Socket client) {
        try {
            DataInputStream in = new DataInputStream(server.getInputStream());
            byte[] header = in.readNBytes(4);
            int length = (header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16;
            byte[] handshake = in.readNBytes(length);
            int pos = 1;
            while (handshake[pos] != 0) {
                pos++; // server version, NUL-terminated
            }
            // NUL, connection id (4), auth data part 1 (8), filler (1), capabilities low (2), charset (1), status (2)
            int upperCapabilities = pos + 1 + 4 + 8 + 1 + 2 + 1 + 2;
            handshake[upperCapabilities + 1] &= (byte) ~(CapabilityFlags.CLIENT_SESSION_TRACK >>> 24);
            handshake[upperCapabilities] &= (byte) ~(CapabilityFlags.CLIENT_SESSION_TRACK >>> 16);
            OutputStream out = client.getOutputStream();
            out.write(header);
            out.write(handshake);
            out.flush();
            in.transferTo(out);
        } catch (IOException ignored) {
            // Either side closed.
        } finally {
            closeQuietly(server);
            closeQuietly(client);
        }
    }

    private static void copy(Socket from, Socket to) {
        try (InputStream in = from.getInputStream()) {
            in.transferTo(to.getOutputStream());
        } catch (IOException ignored) {
            // Either side closed.
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // Closing anyway.
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
