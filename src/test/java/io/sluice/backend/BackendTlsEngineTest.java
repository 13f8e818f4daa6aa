package io.sluice.backend;

import com.mysql.cj.conf.DefaultPropertySet;
import com.mysql.cj.conf.PropertySet;
import com.mysql.cj.exceptions.SSLParamsException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Properties;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The engine Sluice sets up for a backend, from Connector/J's properties as Connector/J reads them. */
class BackendTlsEngineTest {

    private static PropertySet props(Map<String, String> values) {
        Properties p = new Properties();
        p.putAll(values);
        DefaultPropertySet set = new DefaultPropertySet();
        set.initializeProperties(p);
        return set;
    }

    private static SSLEngine engine(String host, Map<String, String> values) {
        return BackendTlsEngine.create(props(values), host, 3306);
    }

    @Test
    void byDefaultTls13And12AndNoHostNameCheck() {
        SSLEngine e = engine("db.example.com", Map.of("sslMode", "REQUIRED"));
        assertThat(e.getEnabledProtocols()).containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
        assertThat(e.getSSLParameters().getEndpointIdentificationAlgorithm()).isNull();
        assertThat(e.getUseClientMode()).isTrue();
    }

    @Test
    void verifyIdentityChecksTheHostAndOnlyIt() {
        assertThat(engine("db.example.com", Map.of("sslMode", "VERIFY_IDENTITY")).getSSLParameters().getEndpointIdentificationAlgorithm()).isEqualTo("HTTPS");
        assertThat(engine("db.example.com", Map.of("sslMode", "VERIFY_CA")).getSSLParameters().getEndpointIdentificationAlgorithm()).isNull();
    }

    @Test
    void aDnsNameGoesOutAsSniAnAddressDoesNot() {
        assertThat(engine("db.example.com", Map.of("sslMode", "REQUIRED")).getSSLParameters().getServerNames()).containsExactly(new SNIHostName("db.example.com"));
        assertThat(engine("10.0.0.7", Map.of("sslMode", "REQUIRED")).getSSLParameters().getServerNames()).isNullOrEmpty();
    }

    @Test
    void versionsAsConfiguredUnderEitherName() {
        assertThat(engine("h", Map.of("sslMode", "REQUIRED", "tlsVersions", "TLSv1.2")).getEnabledProtocols()).containsExactly("TLSv1.2");
        assertThat(engine("h", Map.of("sslMode", "REQUIRED", "enabledTLSProtocols", "TLSv1.3")).getEnabledProtocols()).containsExactly("TLSv1.3");
        // Old versions are dropped from a list, and a list of nothing else is refused, with Connector/J's words.
        assertThat(engine("h", Map.of("sslMode", "REQUIRED", "tlsVersions", "TLSv1.1,TLSv1.2")).getEnabledProtocols()).containsExactly("TLSv1.2");
        assertThatThrownBy(() -> engine("h", Map.of("sslMode", "REQUIRED", "tlsVersions", "TLSv1.1")))
                .isInstanceOf(SSLParamsException.class).hasMessageContaining("TLSv1 and TLSv1.1 are not supported");
        assertThatThrownBy(() -> engine("h", Map.of("sslMode", "REQUIRED", "tlsVersions", "SSLv3")))
                .isInstanceOf(SSLParamsException.class).hasMessageContaining("non valid TLS protocols");
    }

    @Test
    void cipherSuitesAsConfiguredAndOnlyAcceptableOnes() {
        assertThat(engine("h", Map.of("sslMode", "REQUIRED", "tlsCiphersuites", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_RSA_WITH_NULL_SHA256"))
                .getEnabledCipherSuites()).containsExactly("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
        assertThat(engine("h", Map.of("sslMode", "REQUIRED", "enabledSSLCipherSuites", "TLS_AES_256_GCM_SHA384")).getEnabledCipherSuites())
                .containsExactly("TLS_AES_256_GCM_SHA384");
        String[] defaults = engine("h", Map.of("sslMode", "REQUIRED")).getEnabledCipherSuites();
        assertThat(defaults).isNotEmpty().contains("TLS_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
        for (String part : List.of("_ANON_", "_NULL_", "_EXPORT", "_MD5", "_DES", "_3DES_", "_RC4_", "_PSK_", "_DH_")) {
            assertThat(defaults).noneMatch(s -> s.contains(part));
        }
    }

    @Test
    void verifyingWithoutAnyTrustStoreIsRefused() {
        assertThatThrownBy(() -> engine("h", Map.of("sslMode", "VERIFY_CA", "fallbackToSystemTrustStore", "false")))
                .isInstanceOf(SSLParamsException.class).hasMessageContaining("no X.509 Trust Manager");
        assertThatThrownBy(() -> engine("h", Map.of("sslMode", "VERIFY_CA", "trustCertificateKeyStoreUrl", "file:/nonexistent/sluice-trust.p12",
                "trustCertificateKeyStoreType", "PKCS12")))
                .isInstanceOf(SSLParamsException.class).hasMessageContaining("/nonexistent/sluice-trust.p12");
    }
}
