package io.sluice.testing;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;

/** A test CA and certificates it signs for 127.0.0.1 / localhost, written as PEM files. */
public final class TestCertificates {
    private final KeyPair caKeys;
    private final X509Certificate ca;
    private final Path directory;

    public TestCertificates() throws Exception {
        directory = Files.createTempDirectory("sluice-certs");
        caKeys = rsa();
        X500Name name = new X500Name("CN=Sluice Test CA");
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.ONE, from(), until(), name, caKeys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        ca = sign(b, caKeys);
        write("ca.pem", pem(ca));
    }

    public Path caPem() {
        return directory.resolve("ca.pem");
    }

    /** A server certificate for 127.0.0.1 and localhost with serial {@code serial}; returns {cert.pem, key.pem}. */
    public Path[] server(String prefix, long serial) throws Exception {
        KeyPair keys = rsa();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name("CN=Sluice Test CA"), BigInteger.valueOf(serial),
                from(), until(), new X500Name("CN=localhost"), keys.getPublic())
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
        X509Certificate cert = sign(b, caKeys);
        Path certFile = write(prefix + "-cert.pem", pem(cert) + pem(ca));
        Path keyFile = write(prefix + "-key.pem", pem(keys.getPrivate()));
        return new Path[] {certFile, keyFile};
    }

    /**
     * A server certificate whose only name is the DNS name {@code dnsName} (no IP address), so that a host-name check
     * passes for that name and fails for the address it resolves to; returns {cert.pem, key.pem}.
     */
    public Path[] serverNamed(String prefix, long serial, String dnsName) throws Exception {
        KeyPair keys = rsa();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name("CN=Sluice Test CA"), BigInteger.valueOf(serial),
                from(), until(), new X500Name("CN=" + dnsName), keys.getPublic())
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName)));
        X509Certificate cert = sign(b, caKeys);
        return new Path[] {write(prefix + "-cert.pem", pem(cert) + pem(ca)), write(prefix + "-key.pem", pem(keys.getPrivate()))};
    }

    /** A PKCS#12 key store with a client certificate for {@code commonName} signed by the CA; password "changeit". */
    public Path clientKeyStore(String commonName) throws Exception {
        KeyPair keys = rsa();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name("CN=Sluice Test CA"), BigInteger.valueOf(System.nanoTime()),
                from(), until(), new X500Name("CN=" + commonName), keys.getPublic());
        X509Certificate cert = sign(b, caKeys);
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("client", keys.getPrivate(), "changeit".toCharArray(), new java.security.cert.Certificate[] {cert, ca});
        Path file = directory.resolve(commonName + "-client.p12");
        try (var out = Files.newOutputStream(file)) {
            store.store(out, "changeit".toCharArray());
        }
        return file;
    }

    /** A PKCS#12 trust store holding the CA, as Connector/J wants one; password "changeit". */
    public Path trustStore() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", ca);
        Path file = directory.resolve("truststore.p12");
        try (var out = Files.newOutputStream(file)) {
            store.store(out, "changeit".toCharArray());
        }
        return file;
    }

    private Path write(String name, String content) throws Exception {
        Path file = directory.resolve(name);
        Path tmp = directory.resolve(name + ".tmp");
        Files.writeString(tmp, content);
        // Replace atomically, as a Kubernetes Secret update does, so a reload never sees half a file.
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(signer.getPrivate())));
    }

    private static String pem(Object o) throws Exception {
        StringWriter s = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(s)) {
            w.writeObject(o);
        }
        return s.toString();
    }

    private static Date from() {
        return Date.from(Instant.now().minus(1, ChronoUnit.DAYS));
    }

    private static Date until() {
        return Date.from(Instant.now().plus(30, ChronoUnit.DAYS));
    }
}
