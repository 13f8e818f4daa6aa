package io.sluice.testing.mysql8;

import io.sluice.protocol.AuthSwitchRequest;
import io.sluice.protocol.CapabilityFlags;
import io.sluice.protocol.CommandType;
import io.sluice.protocol.HandshakeResponse;
import io.sluice.protocol.HandshakeV10;
import io.sluice.protocol.MalformedPacketException;
import io.sluice.protocol.PayloadReader;
import io.sluice.protocol.PayloadWriter;
import io.sluice.protocol.auth.NativePassword;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The face's connection to MariaDB: its greeting, and logins (initial and COM_CHANGE_USER) with
 * mysql_native_password computed from the password the face knows.
 */
final class MariaDbSide {
    /** utf8mb4_general_ci: MariaDB 10.11 has no collation 255 (utf8mb4_0900_ai_ci) nor any MySQL 8 id above 247. */
    static final int UTF8MB4_GENERAL_CI = 45;
    static final int HIGHEST_MARIADB_COLLATION_ID = 247;
    /** Capabilities MariaDB must not get: it knows no query attributes, and the face speaks neither TLS nor compression. */
    static final int NOT_FORWARDED = CapabilityFlags.CLIENT_QUERY_ATTRIBUTES | CapabilityFlags.CLIENT_SSL
            | CapabilityFlags.CLIENT_COMPRESS | CapabilityFlags.CLIENT_ZSTD_COMPRESSION_ALGORITHM;

    private final PacketStream stream;
    private final HandshakeV10 greeting;

    MariaDbSide(PacketStream stream) throws IOException {
        this.stream = stream;
        this.greeting = HandshakeV10.decode(stream.read());
    }

    PacketStream stream() {
        return stream;
    }

    long threadId() {
        return greeting.connectionId();
    }

    /** The client's capabilities MariaDB also has, less what it must not get; CLIENT_LONG_PASSWORD marks a MySQL client. */
    int capabilitiesFor(int clientCapabilities) {
        return clientCapabilities & (greeting.capabilities() | CapabilityFlags.CLIENT_LONG_PASSWORD) & ~NOT_FORWARDED;
    }

    static int collationFor(int clientCollation) {
        return clientCollation == 0 || clientCollation > HIGHEST_MARIADB_COLLATION_ID ? UTF8MB4_GENERAL_CI : clientCollation;
    }

    /** Logs in; returns MariaDB's final answer (OK or ERR), unread by anyone else. */
    byte[] login(HandshakeResponse client, String password) throws IOException {
        int caps = capabilitiesFor(client.capabilities()) | CapabilityFlags.CLIENT_PLUGIN_AUTH;
        byte[] auth = nativeResponse(greeting.scramble(), password);
        stream.write(new HandshakeResponse(caps, client.maxPacketSize(), collationFor(client.collationId()), client.username(), auth,
                client.database(), NativePassword.NAME, client.attributes()).encode());
        return finishAuthentication(password);
    }

    /** COM_CHANGE_USER on MariaDB's side, answering its original scramble; returns its final answer. */
    byte[] changeUser(String user, String password, String database, int collation, Map<String, String> attributes, int clientCapabilities)
            throws IOException {
        byte[] auth = nativeResponse(greeting.scramble(), password);
        PayloadWriter w = new PayloadWriter(128).int1(CommandType.COM_CHANGE_USER).nulTerminated(user)
                .int1(auth.length).bytes(auth).nulTerminated(database == null ? "" : database)
                .int2(collationFor(collation)).nulTerminated(NativePassword.NAME);
        if ((capabilitiesFor(clientCapabilities) & CapabilityFlags.CLIENT_CONNECT_ATTRS) != 0) {
            PayloadWriter a = new PayloadWriter();
            attributes.forEach((k, v) -> a.lenencString(k).lenencString(v));
            w.lenencBytes(a.toByteArray());
        }
        stream.resetSequence();
        stream.write(w.toByteArray());
        return finishAuthentication(password);
    }

    /** Reads MariaDB's answer; an AuthSwitchRequest (0xfe) to mysql_native_password is answered on its new scramble. */
    private byte[] finishAuthentication(String password) throws IOException {
        byte[] answer = stream.read();
        if (answer.length > 0 && (answer[0] & 0xff) == AuthSwitchRequest.HEADER) {
            PayloadReader r = new PayloadReader(answer);
            r.skip(1);
            String plugin = r.readNulTerminatedString();
            if (!NativePassword.NAME.equals(plugin)) {
                throw new MalformedPacketException("MariaDB asked for " + plugin + "; the face speaks only mysql_native_password to it");
            }
            byte[] data = r.readRest();
            byte[] scramble = java.util.Arrays.copyOf(data, Math.min(20, data.length));
            stream.write(nativeResponse(scramble, password));
            answer = stream.read();
        }
        return answer;
    }

    private static byte[] nativeResponse(byte[] scramble, String password) {
        return NativePassword.INSTANCE.expectedResponse(scramble, password.getBytes(StandardCharsets.UTF_8));
    }
}
