package io.sluice.testing;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * A malicious database, or a man in the middle in front of a real one: a TCP relay to the test MariaDB that follows
 * the MySQL protocol packet by packet and, for the queries its {@linkplain #plan plan} picks, does what an honest
 * server never does. Everything else passes through untouched, so Connector/J and Sluice log in and work as usual.
 *
 * <p>What it emulates: a server (or an attacker on the path, e.g. with backend TLS off, as on loopback by default)
 * that answers a COM_QUERY with a LOCAL INFILE request for a file of its choosing, and one that reports a statement's
 * outcome falsely (an ERR or a malformed packet where the server sent OK). What it does not: TLS (it relays bytes, so
 * a TLS connection would only pass through untouched), compression, or the other commands (only COM_QUERY is judged).
 */
public final class HostileBackend implements AutoCloseable {

    /** What to do with one COM_QUERY. */
    public sealed interface Action {
        /** Relay it, and its answer, untouched. */
        Action FORWARD = new Forward();

        record Forward() implements Action {
        }

        /**
         * Do not relay it; ask the client for {@code path} with a LOCAL INFILE request, keep whatever it sends up to
         * its empty packet, then answer ERR 1105.
         */
        record RequestFile(String path) implements Action {
        }

        /** Relay it, and replace the first packet of the server's answer with {@code payload}. */
        record AnswerInstead(byte[] payload) implements Action {
        }
    }

    /** ERR 1105 with a message: what the hostile server answers after a file upload, and what it can lie with. */
    public static byte[] err(String message) {
        byte[] text = ("#HY000" + message).getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[3 + text.length];
        payload[0] = (byte) 0xff;
        payload[1] = (byte) (1105 & 0xff);
        payload[2] = (byte) (1105 >> 8);
        System.arraycopy(text, 0, payload, 3, text.length);
        return payload;
    }

    private final int targetPort;
    private final ServerSocket server;
    private final List<String> queries = Collections.synchronizedList(new ArrayList<>());
    private final List<byte[]> uploads = Collections.synchronizedList(new ArrayList<>());
    private final List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());
    private volatile Function<String, Action> plan = q -> Action.FORWARD;

    /** Listens on a free loopback port, relaying to {@code targetPort} on loopback. */
    public HostileBackend(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("hostile-backend-accept").start(this::accept);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** What to do with each COM_QUERY, by its text; every query is relayed untouched until this is set. */
    public void plan(Function<String, Action> plan) {
        this.plan = plan;
    }

    /** The texts of the COM_QUERY commands seen so far, in order, whatever was done with them. */
    public List<String> queries() {
        synchronized (queries) {
            return List.copyOf(queries);
        }
    }

    /** Every packet a client sent in answer to a LOCAL INFILE request, the closing empty ones included. */
    public List<byte[]> uploads() {
        synchronized (uploads) {
            return List.copyOf(uploads);
        }
    }

    /** Forgets the queries and uploads seen, and relays everything again. */
    public void reset() {
        plan = q -> Action.FORWARD;
        queries.clear();
        uploads.clear();
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            try {
                Socket database = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(client);
                sockets.add(database);
                new Relay(client, database).start();
            } catch (IOException e) {
                // The database is unreachable: so is this hostile one.
                try {
                    client.close();
                } catch (IOException ignored) {
                    // Closing anyway.
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        synchronized (sockets) {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    /** One connection: packets from the client judged one by one, the server's answers passed on (or replaced). */
    private final class Relay {
        private final Socket client;
        private final Socket database;
        private final DataInputStream fromClient;
        private final OutputStream toClient;
        private final OutputStream toDatabase;
        /** The replacement for the first packet of the answer now coming from the server, or null. */
        private volatile byte[] replaceNext;

        Relay(Socket client, Socket database) throws IOException {
            this.client = client;
            this.database = database;
            this.fromClient = new DataInputStream(client.getInputStream());
            this.toClient = client.getOutputStream();
            this.toDatabase = database.getOutputStream();
        }

        void start() {
            Thread.ofPlatform().daemon().name("hostile-backend-up").start(this::clientToDatabase);
            Thread.ofPlatform().daemon().name("hostile-backend-down").start(this::databaseToClient);
        }

        private void clientToDatabase() {
            try {
                Packet next = null;
                while (true) {
                    Packet p = next != null ? next : Packet.read(fromClient);
                    next = null;
                    if (p == null) {
                        break;
                    }
                    // A command is a packet with sequence id 0; login packets come later in their exchange.
                    if (p.sequenceId == 0 && p.payload.length > 0 && p.payload[0] == 0x03) {
                        String query = new String(p.payload, 1, p.payload.length - 1, StandardCharsets.UTF_8);
                        queries.add(query);
                        Action action = plan.apply(query);
                        if (action instanceof Action.RequestFile file) {
                            next = requestFile(file.path());
                            continue;
                        }
                        if (action instanceof Action.AnswerInstead instead) {
                            replaceNext = instead.payload();
                        }
                    }
                    synchronized (toDatabase) {
                        p.write(toDatabase);
                    }
                }
            } catch (IOException e) {
                // Either side went away.
            }
            closeBoth();
        }

        /**
         * Asks the client for a file, keeps what it sends, answers ERR. Returns the client's next command when it
         * took the request for the whole answer and went on (as Connector/J does for some of its own statements).
         */
        private Packet requestFile(String path) throws IOException {
            byte[] name = path.getBytes(StandardCharsets.UTF_8);
            byte[] request = new byte[name.length + 1];
            request[0] = (byte) 0xfb;
            System.arraycopy(name, 0, request, 1, name.length);
            int sequenceId = 1;
            synchronized (toClient) {
                new Packet(sequenceId, request).write(toClient);
            }
            while (true) {
                Packet upload = Packet.read(fromClient);
                if (upload == null) {
                    throw new EOFException("client left during the file upload");
                }
                if (upload.sequenceId == 0) {
                    return upload;
                }
                uploads.add(upload.payload);
                sequenceId = upload.sequenceId;
                if (upload.payload.length == 0) {
                    break;
                }
            }
            synchronized (toClient) {
                new Packet(sequenceId + 1, err("hostile backend: thanks for the file")).write(toClient);
            }
            return null;
        }

        private void databaseToClient() {
            try {
                DataInputStream in = new DataInputStream(database.getInputStream());
                while (true) {
                    Packet p = Packet.read(in);
                    if (p == null) {
                        break;
                    }
                    byte[] replacement = replaceNext;
                    if (replacement != null) {
                        replaceNext = null;
                        p = new Packet(p.sequenceId, replacement);
                    }
                    synchronized (toClient) {
                        p.write(toClient);
                    }
                }
            } catch (IOException e) {
                // Either side went away.
            }
            closeBoth();
        }

        private void closeBoth() {
            try {
                client.close();
                database.close();
            } catch (IOException ignored) {
                // Closing anyway.
            }
        }
    }

    /** One physical packet. */
    private record Packet(int sequenceId, byte[] payload) {
        static Packet read(InputStream in) throws IOException {
            RawClient.Packet p = RawClient.readPacket(in instanceof DataInputStream d ? d : new DataInputStream(in));
            return p == null ? null : new Packet(p.sequenceId(), p.payload());
        }

        void write(OutputStream out) throws IOException {
            out.write(RawClient.frame(sequenceId, payload));
            out.flush();
        }
    }
}
