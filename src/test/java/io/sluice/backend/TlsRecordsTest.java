package io.sluice.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.sluice.testing.TestCertificates;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link TlsRecords} against a JDK server engine in memory, for what MariaDB does not send on its own: key updates,
 * close_notify, records cut at every byte. (ChannelLoanTlsTest runs it against MariaDB.) The client trusts any
 * certificate here: what is tested is the records, not the trust.
 */
class TlsRecordsTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    private SSLEngine server;
    private SSLEngine client;
    private TlsRecords records;
    private final ByteArrayCollector plaintext = new ByteArrayCollector();
    private final ByteArrayCollector toServer = new ByteArrayCollector();
    private final TlsRecords.Sink sink = new TlsRecords.Sink() {
        @Override
        public void plaintext(ByteBuf bytes) {
            plaintext.add(bytes);
        }

        @Override
        public void toServer(ByteBuf bytes) {
            toServer.add(bytes);
        }
    };

    private static KeyManagerFactory serverKeys;

    @BeforeAll
    static void keys() throws Exception {
        TestCertificates certs = new TestCertificates();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(certs.clientKeyStore("localhost"))) {
            keys.load(in, "changeit".toCharArray());
        }
        serverKeys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        serverKeys.init(keys, "changeit".toCharArray());
    }

    @BeforeEach
    void handshake() throws Exception {
        KeyManagerFactory kmf = serverKeys;
        SSLContext serverContext = SSLContext.getInstance("TLSv1.3");
        serverContext.init(kmf.getKeyManagers(), null, null);
        server = serverContext.createSSLEngine();
        server.setUseClientMode(false);
        SSLContext clientContext = SSLContext.getInstance("TLSv1.3");
        clientContext.init(null, new TrustManager[] {new TrustAll()}, null);
        client = clientContext.createSSLEngine("localhost", 3306);
        client.setUseClientMode(true);
        client.beginHandshake();
        server.beginHandshake();
        ByteBuffer toS = ByteBuffer.allocate(1 << 16);
        ByteBuffer toC = ByteBuffer.allocate(1 << 16);
        ByteBuffer sink = ByteBuffer.allocate(1 << 16);
        for (int i = 0; i < 100 && !(done(client) && done(server)); i++) {
            step(client, toC, toS, sink);
            step(server, toS, toC, sink);
        }
        assertThat(done(client) && done(server)).isTrue();
        // The server's session tickets, if any, left in toC: they go through the codec like any record.
        records = new TlsRecords(client);
        toC.flip();
        if (toC.hasRemaining()) {
            records.unwrap(Unpooled.wrappedBuffer(toC), ALLOC, this.sink);
        }
        assertThat(records.heldRecordBytes()).isZero();
    }

    private static boolean done(SSLEngine engine) {
        HandshakeStatus s = engine.getHandshakeStatus();
        return s == HandshakeStatus.NOT_HANDSHAKING || s == HandshakeStatus.FINISHED;
    }

    /** One move of {@code engine}'s handshake: it reads from {@code in} (kept ready to fill) and writes to {@code out}. */
    private static void step(SSLEngine engine, ByteBuffer in, ByteBuffer out, ByteBuffer app) throws Exception {
        while (true) {
            switch (engine.getHandshakeStatus()) {
                case NEED_WRAP -> engine.wrap(ByteBuffer.allocate(0), out);
                case NEED_TASK -> engine.getDelegatedTask().run();
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    in.flip();
                    SSLEngineResult r = engine.unwrap(in, app.clear());
                    in.compact();
                    if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW || r.bytesConsumed() == 0 && r.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP) {
                        return;
                    }
                }
                default -> {
                    return;
                }
            }
        }
    }

    /** What the server sends: {@code plain} wrapped into records. */
    private ByteBuf serverSends(byte[] plain) throws Exception {
        ByteBuffer src = ByteBuffer.wrap(plain);
        ByteBuf out = Unpooled.buffer();
        // At least once: with nothing to send, a key update or close_notify the engine has pending.
        do {
            ByteBuffer dst = ByteBuffer.allocate(server.getSession().getPacketBufferSize());
            server.wrap(src, dst);
            out.writeBytes(dst.flip());
        } while (src.hasRemaining() || server.getHandshakeStatus() == HandshakeStatus.NEED_WRAP && !server.isOutboundDone());
        return out;
    }

    /** What the server reads of {@code records}. */
    private byte[] serverReads(byte[] records) throws Exception {
        ByteBuffer src = ByteBuffer.wrap(records);
        ByteBuffer dst = ByteBuffer.allocate(1 << 17);
        while (src.hasRemaining()) {
            SSLEngineResult r = server.unwrap(src, dst);
            assertThat(r.getStatus()).isEqualTo(SSLEngineResult.Status.OK);
            while (server.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                server.getDelegatedTask().run();
            }
        }
        return Arrays.copyOf(dst.array(), dst.position());
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    @Test
    void recordsCutAtEveryByteAndSeveralInOneReadComeOutWhole() throws Exception {
        byte[] answer = bytes(40_000);
        for (int cut : new int[] {1, 3, 5, 7, 4096, 100_000}) {
            ByteBuf wire = serverSends(answer);
            while (wire.isReadable()) {
                records.unwrap(wire.readRetainedSlice(Math.min(cut, wire.readableBytes())).copy(), ALLOC, sink);
            }
            wire.release();
            assertThat(plaintext.take()).isEqualTo(answer);
            assertThat(records.heldRecordBytes()).isZero();
        }
    }

    @Test
    void aRecordsFirstBytesAreHeldUntilTheRestComes() throws Exception {
        ByteBuf wire = serverSends(bytes(100));
        int length = wire.readableBytes();
        records.unwrap(wire.readRetainedSlice(length - 1).copy(), ALLOC, sink);
        assertThat(records.heldRecordBytes()).isEqualTo(length - 1);
        assertThat(plaintext.take()).isEmpty();
        records.unwrap(wire.readRetainedSlice(1).copy(), ALLOC, sink);
        wire.release();
        assertThat(records.heldRecordBytes()).isZero();
        assertThat(plaintext.take()).isEqualTo(bytes(100));
    }

    @Test
    void writesOfSeveralRecordsReachTheServer() throws Exception {
        byte[] statement = bytes(50_000);
        ByteBuf wire = records.wrap(Unpooled.wrappedBuffer(statement), ALLOC);
        byte[] sent = new byte[wire.readableBytes()];
        wire.readBytes(sent).release();
        assertThat(serverReads(sent)).isEqualTo(statement);
    }

    @Test
    void aKeyUpdateTheServerAsksForIsAnsweredAndBothDirectionsGoOn() throws Exception {
        // On a TLS 1.3 session, beginHandshake() sends a KeyUpdate asking for the peer's.
        server.beginHandshake();
        ByteBuf keyUpdate = serverSends(new byte[0]);
        assertThat(keyUpdate.isReadable()).isTrue();
        records.unwrap(keyUpdate, ALLOC, sink);
        assertThat(plaintext.take()).isEmpty();
        byte[] answer = toServer.take();
        assertThat(answer).isNotEmpty();
        assertThat(records.midExchange()).isFalse();
        serverReads(answer);
        records.unwrap(serverSends(bytes(300)), ALLOC, sink);
        assertThat(plaintext.take()).isEqualTo(bytes(300));
        ByteBuf wire = records.wrap(Unpooled.wrappedBuffer(bytes(200)), ALLOC);
        byte[] sent = new byte[wire.readableBytes()];
        wire.readBytes(sent).release();
        assertThat(serverReads(sent)).isEqualTo(bytes(200));
    }

    @Test
    void closeNotifyFromTheServerClosesTheInboundSideAndIsAnswered() throws Exception {
        server.closeOutbound();
        ByteBuf goodbye = serverSends(new byte[0]);
        records.unwrap(goodbye, ALLOC, sink);
        assertThat(records.inboundClosed()).isTrue();
        assertThat(plaintext.take()).isEmpty();
        // TLS 1.3 closes each direction on its own: the engine has no close_notify of its own to answer with.
        assertThat(toServer.take()).isEmpty();
    }

    @Test
    void wholeRecordReadsTheLengthFromTheHeader() {
        assertThat(TlsRecords.wholeRecord(Unpooled.wrappedBuffer(new byte[] {23, 3, 3, 0}))).isEqualTo(-1);
        assertThat(TlsRecords.wholeRecord(Unpooled.wrappedBuffer(new byte[] {23, 3, 3, 0, 2, 9}))).isEqualTo(-1);
        assertThat(TlsRecords.wholeRecord(Unpooled.wrappedBuffer(new byte[] {23, 3, 3, 0, 2, 9, 9, 1}))).isEqualTo(7);
    }

    /** Buffers handed to the sink, taken as one array (and released). */
    private static final class ByteArrayCollector {
        private final List<byte[]> parts = new ArrayList<>();

        void add(ByteBuf bytes) {
            byte[] b = new byte[bytes.readableBytes()];
            bytes.readBytes(b).release();
            parts.add(b);
        }

        byte[] take() {
            int n = parts.stream().mapToInt(p -> p.length).sum();
            byte[] all = new byte[n];
            int at = 0;
            for (byte[] p : parts) {
                System.arraycopy(p, 0, all, at, p.length);
                at += p.length;
            }
            parts.clear();
            return all;
        }
    }

    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
