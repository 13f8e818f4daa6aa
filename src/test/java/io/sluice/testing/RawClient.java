package io.sluice.testing;

import io.sluice.protocol.CapabilityFlags;
import io.sluice.protocol.HandshakeResponse;
import io.sluice.protocol.HandshakeV10;
import io.sluice.protocol.auth.NativePassword;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A deliberately simple MySQL client over a plain socket, for sending what real drivers never send.
 * It frames nothing for you unless asked: tests control every byte.
 */
public final class RawClient implements AutoCloseable {
    public static final int DEFAULT_CAPS = CapabilityFlags.CLIENT_PROTOCOL_41 | CapabilityFlags.CLIENT_SECURE_CONNECTION
            | CapabilityFlags.CLIENT_PLUGIN_AUTH | CapabilityFlags.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA
            | CapabilityFlags.CLIENT_TRANSACTIONS | CapabilityFlags.CLIENT_MULTI_RESULTS | CapabilityFlags.CLIENT_DEPRECATE_EOF
            | CapabilityFlags.CLIENT_CONNECT_WITH_DB | CapabilityFlags.CLIENT_LONG_PASSWORD;

    private Socket socket;
    private DataInputStream in;
    private OutputStream out;
    private HandshakeV10 handshake;

    public record Packet(int sequenceId, byte[] payload) {
        public int header() {
            return payload.length == 0 ? -1 : payload[0] & 0xff;
        }

        public boolean isOk() {
            return header() == 0x00;
        }

        public boolean isErr() {
            return header() == 0xff;
        }

        public int errorCode() {
            return (payload[1] & 0xff) | (payload[2] & 0xff) << 8;
        }

        public String message() {
            return new String(payload, 9, payload.length - 9, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return isErr() ? "ERR " + errorCode() + " " + message() : "packet 0x" + Integer.toHexString(header()) + " (" + payload.length + " bytes)";
        }
    }

    public RawClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(15_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    public Socket socket() {
        return socket;
    }

    /** Reads the server's handshake. */
    public HandshakeV10 readHandshake() throws IOException {
        Packet p = read();
        handshake = HandshakeV10.decode(p.payload());
        return handshake;
    }

    public HandshakeV10 handshake() {
        return handshake;
    }

    /**
     * Sends an SSLRequest and switches to TLS (trusting any certificate: the tests look at the certificate
     * themselves). Returns the session.
     */
    public javax.net.ssl.SSLSession startTls(int capabilities) throws Exception {
        byte[] request = new io.sluice.protocol.PayloadWriter(32).int4(capabilities | CapabilityFlags.CLIENT_SSL).int4(1 << 24).int1(45).zeros(23).toByteArray();
        write(1, request);
        javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
        tls.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
            public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {
            }

            public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {
            }

            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
            }
        }}, null);
        javax.net.ssl.SSLSocket secure = (javax.net.ssl.SSLSocket) tls.getSocketFactory().createSocket(socket, "127.0.0.1", socket.getPort(), true);
        secure.setUseClientMode(true);
        secure.startHandshake();
        socket = secure;
        in = new DataInputStream(secure.getInputStream());
        out = secure.getOutputStream();
        return secure.getSession();
    }

    /** Reads the handshake and logs in with mysql_native_password; returns the server's answer. */
    public Packet login(String user, String password, String schema) throws IOException {
        return login(user, password, schema, 0);
    }

    /**
     * The same, asking for {@code moreCapabilities} besides the default ones (CLIENT_LOCAL_FILES, say). The handshake is
     * read first unless {@link #readHandshake} has read it.
     */
    public Packet login(String user, String password, String schema, int moreCapabilities) throws IOException {
        if (handshake == null) {
            readHandshake();
        }
        byte[] auth = NativePassword.INSTANCE.expectedResponse(handshake.scramble(), password.getBytes(StandardCharsets.UTF_8));
        int caps = (DEFAULT_CAPS | moreCapabilities) & (schema == null ? ~CapabilityFlags.CLIENT_CONNECT_WITH_DB : ~0);
        write(1, new HandshakeResponse(caps, 16 * 1024 * 1024, 45, user, auth, schema, NativePassword.NAME, Map.of()).encode());
        return read();
    }

    /** Reads one physical packet; null when the server closed the connection. */
    public Packet read() throws IOException {
        return readPacket(in);
    }

    /** Reads one physical packet from {@code in}; null when the stream has ended. */
    public static Packet readPacket(DataInputStream in) throws IOException {
        byte[] header = new byte[4];
        try {
            in.readFully(header);
        } catch (EOFException e) {
            return null;
        }
        int length = (header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16;
        byte[] payload = new byte[length];
        in.readFully(payload);
        return new Packet(header[3] & 0xff, payload);
    }

    /** True when the server has closed the connection (reads end) within the socket timeout. */
    public boolean isClosedByServer() throws IOException {
        try {
            while (true) {
                if (read() == null) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            // A reset is a close too.
            return true;
        }
    }

    public void write(int sequenceId, byte[] payload) throws IOException {
        writeRaw(frame(sequenceId, payload));
    }

    /** One physical packet as it goes on the wire: a 3-byte length, the sequence id, the payload. */
    public static byte[] frame(int sequenceId, byte[] payload) {
        byte[] frame = new byte[payload.length + 4];
        frame[0] = (byte) payload.length;
        frame[1] = (byte) (payload.length >>> 8);
        frame[2] = (byte) (payload.length >>> 16);
        frame[3] = (byte) sequenceId;
        System.arraycopy(payload, 0, frame, 4, payload.length);
        return frame;
    }

    public void writeRaw(byte[] bytes) throws IOException {
        writeRaw(bytes, 0, bytes.length);
    }

    public void writeRaw(byte[] bytes, int offset, int length) throws IOException {
        out.write(bytes, offset, length);
        out.flush();
    }

    public Packet query(String sql) throws IOException {
        byte[] text = sql.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[text.length + 1];
        payload[0] = 0x03;
        System.arraycopy(text, 0, payload, 1, text.length);
        write(0, payload);
        return read();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
