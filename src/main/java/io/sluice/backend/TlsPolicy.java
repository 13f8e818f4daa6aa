package io.sluice.backend;

import com.mysql.cj.conf.PropertyKey;
import com.mysql.cj.conf.PropertySet;
import com.mysql.cj.conf.RuntimeProperty;
import com.mysql.cj.exceptions.SSLParamsException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * Which TLS versions and cipher suites a backend connection may use, by Connector/J's rules: tlsVersions (alias
 * enabledTLSProtocols) when set, else TLSv1.3 and TLSv1.2; tlsCiphersuites (alias enabledSSLCipherSuites) when set,
 * else the JVM's; either way only suites Connector/J's own list (TlsSettings.properties in its jar) allows. Reading
 * that list from the driver keeps Sluice's choice in step with the driver's as both change.
 */
final class TlsPolicy {
    private TlsPolicy() {
    }

    /** The versions Connector/J knows, newest first; of these only the approved ones may be used. */
    private static final List<String> KNOWN = List.of("TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1");
    private static final List<String> APPROVED = List.of("TLSv1.3", "TLSv1.2");

    private static final String SETTINGS = "/com/mysql/cj/TlsSettings.properties";
    private static final Set<String> ALLOWED_SUITES;
    private static final List<String> UNACCEPTABLE_PARTS;

    static {
        Properties settings = new Properties();
        try (InputStream in = PropertyKey.class.getResourceAsStream(SETTINGS)) {
            if (in == null) {
                throw new IOException(SETTINGS + " not found next to Connector/J");
            }
            settings.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> allowed = new ArrayList<>();
        for (String group : List.of("TLSCiphers.Mandatory", "TLSCiphers.Approved", "TLSCiphers.Deprecated")) {
            for (String suite : list(settings.getProperty(group))) {
                // "TLS_" names are Oracle's and OpenJDK's, "SSL_" names IBM's.
                allowed.add("TLS_" + suite);
                allowed.add("SSL_" + suite);
            }
        }
        ALLOWED_SUITES = Set.copyOf(allowed);
        UNACCEPTABLE_PARTS = list(settings.getProperty("TLSCiphers.Unacceptable.Mask"));
    }

    /** The versions to enable, of those the engine supports. */
    static String[] protocols(PropertySet props, String[] supported) {
        RuntimeProperty<String> configured = props.getStringProperty(PropertyKey.tlsVersions);
        List<String> wanted = configured.isExplicitlySet() ? valid(configured.getValue()) : APPROVED;
        List<String> engine = Arrays.asList(supported);
        return wanted.stream().filter(engine::contains).toArray(String[]::new);
    }

    /** The suites to enable, of those the engine has enabled by default. */
    static String[] cipherSuites(PropertySet props, String[] enabled) {
        String configured = props.getStringProperty(PropertyKey.tlsCiphersuites).getValue();
        List<String> engine = Arrays.asList(enabled);
        List<String> wanted = configured == null || configured.isEmpty() ? engine : list(configured).stream().filter(engine::contains).toList();
        return wanted.stream().filter(ALLOWED_SUITES::contains).filter(s -> UNACCEPTABLE_PARTS.stream().noneMatch(s::contains)).toArray(String[]::new);
    }

    /** The approved versions in a configured list, newest first; refused with Connector/J's messages. */
    private static List<String> valid(String configured) {
        List<String> requested = configured == null ? List.of() : list(configured);
        if (requested.isEmpty()) {
            throw new SSLParamsException("Specified list of TLS versions is empty. Accepted values are TLSv1.2 and TLSv1.3.");
        }
        if (KNOWN.stream().noneMatch(requested::contains)) {
            throw new SSLParamsException("Specified list of TLS versions only contains non valid TLS protocols. Accepted values are TLSv1.2 and TLSv1.3.");
        }
        List<String> approved = APPROVED.stream().filter(requested::contains).toList();
        if (approved.isEmpty()) {
            throw new SSLParamsException("TLS protocols TLSv1 and TLSv1.1 are not supported. Accepted values are TLSv1.2 and TLSv1.3.");
        }
        return approved;
    }

    private static List<String> list(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
