package io.sluice.backend;

import com.mysql.cj.conf.PropertyDefinitions.SslMode;
import com.mysql.cj.conf.PropertyKey;
import com.mysql.cj.conf.PropertySet;
import com.mysql.cj.exceptions.SSLParamsException;

import java.security.GeneralSecurityException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * The {@link SSLEngine} of one backend connection, set up from the connection's Connector/J properties as
 * Connector/J's own TLS would be (its ExportControlled): trust ({@link ServerTrust}), client certificate
 * ({@link ClientKeys}), versions and cipher suites ({@link TlsPolicy}), and for VERIFY_IDENTITY the host name
 * checked against the certificate. Sluice owns the engine, rather than Connector/J an SSLSocket, so that the same
 * TLS session can later carry packets from an event loop.
 *
 * <p>The engine is made for the host and port Connector/J connected to: the JDK then sends that host as SNI
 * server name when it is a DNS name (not for an IP address or a name without a dot), as for Connector/J's
 * SSLSocket, and checks the identity against it.
 *
 * <p>A context per connection, as Connector/J builds one: a trust or key store replaced on disk applies to the next
 * connection. That also means no TLS session is resumed across connections, as before.
 */
final class BackendTlsEngine {
    private BackendTlsEngine() {
    }

    static SSLEngine create(PropertySet props, String host, int port) {
        SSLContext context;
        try {
            String provider = props.getStringProperty(PropertyKey.sslContextProvider).getValue();
            context = provider == null || provider.isEmpty() ? SSLContext.getInstance("TLS") : SSLContext.getInstance("TLS", provider);
            context.init(ClientKeys.managers(props), ServerTrust.managers(props), null);
        } catch (GeneralSecurityException e) {
            throw new SSLParamsException("Cannot set up TLS towards the backend [" + e.getMessage() + "]", e);
        }
        SSLEngine engine = context.createSSLEngine(host, port);
        engine.setUseClientMode(true);
        SSLParameters params = engine.getSSLParameters();
        params.setProtocols(TlsPolicy.protocols(props, engine.getSupportedProtocols()));
        params.setCipherSuites(TlsPolicy.cipherSuites(props, engine.getEnabledCipherSuites()));
        if (props.<SslMode>getEnumProperty(PropertyKey.sslMode).getValue() == SslMode.VERIFY_IDENTITY) {
            // RFC 2818 / 6125 matching during the handshake: DNS or IP subject alternative names, a wildcard in the
            // leftmost label, the common name only without DNS names. A mismatch aborts the handshake, before any
            // credential goes out.
            params.setEndpointIdentificationAlgorithm("HTTPS");
        }
        engine.setSSLParameters(params);
        return engine;
    }
}
