package io.sluice.testing.mysql8;

import io.sluice.protocol.AuthMoreData;
import io.sluice.protocol.AuthSwitchRequest;
import io.sluice.protocol.ErrPacket;
import io.sluice.protocol.ErrorCode;
import io.sluice.protocol.auth.CachingSha2Password;
import io.sluice.protocol.auth.RsaPasswordExchange;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server side of caching_sha2_password as MySQL 8.4 runs it, for the login and for COM_CHANGE_USER: an
 * AuthSwitchRequest when the client answered with another plugin (mysql_native_password is off by default in
 * 8.4); the fast path (AuthMoreData 0x03) when the account is in the cache and the scramble answer matches;
 * otherwise full authentication (AuthMoreData 0x04), which without TLS means the client asks for the RSA public
 * key (0x02) and sends its password XOR the scramble, RSA-OAEP encrypted. A successful full authentication puts
 * the account in the cache, which {@link #flush()} empties as a restart or FLUSH PRIVILEGES does.
 */
final class CachingSha2Authenticator {
    private static final byte[] FAST_AUTH_SUCCESS = {AuthMoreData.FAST_AUTH_SUCCESS};
    private static final byte[] PERFORM_FULL_AUTHENTICATION = {AuthMoreData.PERFORM_FULL_AUTHENTICATION};

    private final Map<String, String> passwords;
    private final RsaPasswordExchange rsa = RsaPasswordExchange.generate();
    /** user -> SHA256(SHA256(password)), as MySQL's cache keeps it. */
    private final Map<String, byte[]> cache = new ConcurrentHashMap<>();
    private final AtomicInteger fullAuthentications = new AtomicInteger();
    private final AtomicInteger fastAuthentications = new AtomicInteger();

    CachingSha2Authenticator(Map<String, String> passwords) {
        this.passwords = Map.copyOf(passwords);
    }

    /** The account's password when the client proved it knows it; null after an ERR 1045 was sent. */
    String authenticate(PacketStream client, String user, String plugin, byte[] response, byte[] scramble) throws IOException {
        String password = passwords.get(user);
        if (!CachingSha2Password.NAME.equals(plugin)) {
            client.write(new AuthSwitchRequest(CachingSha2Password.NAME, scramble).encode());
            response = client.read();
        }
        // Connector/J sends a single NUL for an empty password; MySQL takes it, like an empty answer, as "no password".
        if (response.length == 0 || (response.length == 1 && response[0] == 0)) {
            // No password given: only an account without one gets in, and MySQL answers OK straight away.
            return password != null && password.isEmpty() ? password : deny(client, user, false);
        }
        if (password != null && isCached(user, password)
                && CachingSha2Password.INSTANCE.verify(scramble, response, password.getBytes(StandardCharsets.UTF_8))) {
            fastAuthentications.incrementAndGet();
            client.write(AuthMoreData.encode(FAST_AUTH_SUCCESS));
            return password;
        }
        client.write(AuthMoreData.encode(PERFORM_FULL_AUTHENTICATION));
        fullAuthentications.incrementAndGet();
        byte[] message = client.read();
        if (message.length == 1 && message[0] == RsaPasswordExchange.REQUEST_PUBLIC_KEY) {
            client.write(AuthMoreData.encode(rsa.publicKeyPem()));
            message = client.read();
        }
        byte[] sent = rsa.decryptPassword(message, scramble);
        if (password == null || sent == null || !MessageDigest.isEqual(sent, password.getBytes(StandardCharsets.UTF_8))) {
            return deny(client, user, true);
        }
        cache.put(user, doubleSha256(password));
        return password;
    }

    void flush() {
        cache.clear();
    }

    int fullAuthentications() {
        return fullAuthentications.get();
    }

    int fastAuthentications() {
        return fastAuthentications.get();
    }

    private boolean isCached(String user, String password) {
        byte[] cached = cache.get(user);
        return cached != null && MessageDigest.isEqual(cached, doubleSha256(password));
    }

    private static String deny(PacketStream client, String user, boolean usingPassword) throws IOException {
        String host = client.remoteAddress();
        client.write(new ErrPacket(ErrorCode.ER_ACCESS_DENIED_ERROR, "28000",
                "Access denied for user '" + user + "'@'" + host + "' (using password: " + (usingPassword ? "YES" : "NO") + ")").encode());
        return null;
    }

    private static byte[] doubleSha256(String password) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return sha.digest(sha.digest(password.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
