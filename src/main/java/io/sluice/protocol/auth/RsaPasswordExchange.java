package io.sluice.protocol.auth;

import javax.crypto.Cipher;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * caching_sha2_password's full authentication without TLS: the client fetches the server's RSA public key
 * (PEM), and sends its password XOR the scramble, encrypted with RSA-OAEP (SHA-1, MGF1), as MySQL 8.0.5+ does.
 */
public final class RsaPasswordExchange {
    /** The client's request for the public key. */
    public static final int REQUEST_PUBLIC_KEY = 0x02;

    private final KeyPair keys;

    private RsaPasswordExchange(KeyPair keys) {
        this.keys = keys;
    }

    public static RsaPasswordExchange generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return new RsaPasswordExchange(g.generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA is part of every JDK", e);
        }
    }

    /** From a PEM PKCS#8 private key (the public key is derived from it). */
    public static RsaPasswordExchange fromPem(String pem) throws GeneralSecurityException {
        String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        KeyFactory rsa = KeyFactory.getInstance("RSA");
        PrivateKey privateKey = rsa.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        if (!(privateKey instanceof RSAPrivateCrtKey crt)) {
            throw new GeneralSecurityException("not an RSA private key with its public exponent");
        }
        PublicKey publicKey = rsa.generatePublic(new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()));
        return new RsaPasswordExchange(new KeyPair(publicKey, privateKey));
    }

    /** The public key as the client expects it: PEM "PUBLIC KEY" (X.509 SubjectPublicKeyInfo). */
    public byte[] publicKeyPem() {
        String body = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keys.getPublic().getEncoded());
        return ("-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** The password the client sent, or null when the message does not decrypt. */
    public byte[] decryptPassword(byte[] encrypted, byte[] scramble) {
        try {
            Cipher cipher = Cipher.getInstance("RSA/ECB/OAEPWithSHA-1AndMGF1Padding");
            cipher.init(Cipher.DECRYPT_MODE, keys.getPrivate());
            byte[] mixed = Digests.xor(cipher.doFinal(encrypted), scramble);
            return withoutTrailingNul(mixed);
        } catch (GeneralSecurityException e) {
            return null;
        }
    }

    /** A password sent in clear over TLS ends with a NUL. */
    public static byte[] withoutTrailingNul(byte[] password) {
        int end = password.length;
        while (end > 0 && password[end - 1] == 0) {
            end--;
        }
        return Arrays.copyOf(password, end);
    }

    /** For tests and clients: what a client sends for {@code password}. */
    public byte[] encryptForTest(byte[] password, byte[] scramble) throws GeneralSecurityException {
        byte[] withNul = Arrays.copyOf(password, password.length + 1);
        Cipher cipher = Cipher.getInstance("RSA/ECB/OAEPWithSHA-1AndMGF1Padding");
        cipher.init(Cipher.ENCRYPT_MODE, keys.getPublic());
        return cipher.doFinal(Digests.xor(withNul, scramble));
    }
}
