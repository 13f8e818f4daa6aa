package io.sluice.backend;

import com.mysql.cj.conf.PropertyDefinitions.SslMode;
import com.mysql.cj.conf.PropertyKey;
import com.mysql.cj.conf.PropertySet;
import com.mysql.cj.exceptions.SSLParamsException;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXCertPathValidatorResult;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * How a backend's certificate is judged, as Connector/J judges it (its ExportControlled), so that moving the TLS
 * handshake into Sluice changes nothing a user configured through Connector/J's property names:
 * <ul>
 * <li>sslMode VERIFY_CA and VERIFY_IDENTITY (or fipsCompliantJsse): the chain must lead to a CA of the trust store
 * (trustCertificateKeyStoreUrl/Type/Password), or of the JVM's when none is named and fallbackToSystemTrustStore is
 * on; the host name is checked by the engine ({@link BackendTlsEngine}), not here;</li>
 * <li>PREFERRED and REQUIRED: any certificate, as long as it has not expired (Connector/J checks the dates even
 * there).</li>
 * </ul>
 *
 * <p>The managers are plain {@link X509TrustManager}s, as Connector/J's are: the JDK then wraps them in its own
 * checks of algorithm constraints and of the endpoint identity the engine asks for.
 */
final class ServerTrust {
    private ServerTrust() {
    }

    static boolean verifiesServer(PropertySet props) {
        SslMode mode = props.<SslMode>getEnumProperty(PropertyKey.sslMode).getValue();
        return props.getBooleanProperty(PropertyKey.fipsCompliantJsse).getValue() || mode == SslMode.VERIFY_CA || mode == SslMode.VERIFY_IDENTITY;
    }

    static TrustManager[] managers(PropertySet props) {
        boolean fips = props.getBooleanProperty(PropertyKey.fipsCompliantJsse).getValue();
        if (!verifiesServer(props)) {
            return new TrustManager[] {new DatesOnly()};
        }
        boolean fallback = props.getBooleanProperty(PropertyKey.fallbackToSystemTrustStore).getValue();
        KeyStores.Location named = new KeyStores.Location(props.getStringProperty(PropertyKey.trustCertificateKeyStoreUrl).getValue(),
                props.getStringProperty(PropertyKey.trustCertificateKeyStoreType).getValue(),
                props.getStringProperty(PropertyKey.trustCertificateKeyStorePassword).getValue());
        KeyStores.Location location = !named.named() && fallback
                ? KeyStores.Location.system("trustStore", props.getStringProperty(PropertyKey.trustCertificateKeyStoreType).getInitialValue())
                : named;
        KeyStore store = KeyStores.load(location, props.getStringProperty(PropertyKey.keyStoreProvider).getValue(), "trust", null);
        if (store == null && !fallback) {
            throw new SSLParamsException(NO_TRUST_MANAGER);
        }
        List<TrustManager> managers = new ArrayList<>();
        try {
            String provider = props.getStringProperty(PropertyKey.trustManagerFactoryProvider).getValue();
            TrustManagerFactory factory = provider == null || provider.isEmpty() ? TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm())
                    : TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm(), provider);
            // A null store: the JVM's default trust store (javax.net.ssl.trustStore, else cacerts).
            factory.init(store);
            for (TrustManager m : factory.getTrustManagers()) {
                if (m instanceof X509TrustManager x509) {
                    // In FIPS mode Connector/J leaves the provider's manager as it is.
                    managers.add(fips ? x509 : new ChainToAnchor(x509));
                }
            }
        } catch (GeneralSecurityException e) {
            throw new SSLParamsException("Cannot set up server certificate validation [" + e.getMessage() + "]", e);
        }
        if (managers.isEmpty()) {
            throw new SSLParamsException(NO_TRUST_MANAGER);
        }
        return managers.toArray(TrustManager[]::new);
    }

    private static final String NO_TRUST_MANAGER = "Failed setting up server certificate validation because no X.509 Trust Manager was found.";

    /** Every certificate of the chain must be within its dates; nothing else is asked (PREFERRED, REQUIRED). */
    static final class DatesOnly implements X509TrustManager {
        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            for (X509Certificate c : chain) {
                c.checkValidity();
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a backend connection has no clients");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    /**
     * The store's manager, after what Connector/J adds to it: every certificate of the chain within its dates, and
     * the CA the chain leads to as well (the JDK's own validation does not check a trust anchor's dates).
     */
    static final class ChainToAnchor implements X509TrustManager {
        private final X509TrustManager store;

        ChainToAnchor(X509TrustManager store) {
            this.store = store;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            for (X509Certificate c : chain) {
                c.checkValidity();
            }
            try {
                Set<TrustAnchor> anchors = Arrays.stream(store.getAcceptedIssuers()).map(c -> new TrustAnchor(c, null)).collect(Collectors.toSet());
                PKIXParameters params = new PKIXParameters(anchors);
                params.setRevocationEnabled(false);
                var path = CertificateFactory.getInstance("X.509").generateCertPath(Arrays.asList(chain));
                var result = (PKIXCertPathValidatorResult) CertPathValidator.getInstance("PKIX").validate(path, params);
                result.getTrustAnchor().getTrustedCert().checkValidity();
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                // IllegalArgumentException: a store with no CA at all, which no chain can lead to.
                throw e instanceof CertificateException ce ? ce : new CertificateException(e);
            }
            store.checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            store.checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return store.getAcceptedIssuers();
        }
    }
}
