package io.sluice.backend;

import com.mysql.cj.conf.PropertyKey;
import com.mysql.cj.conf.PropertySet;
import com.mysql.cj.exceptions.SSLParamsException;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;

/**
 * The certificate Sluice shows a backend that asks for one (a user created REQUIRE X509 or SUBJECT): the key
 * store of clientCertificateKeyStoreUrl/Type/Password, or the JVM's ({@code javax.net.ssl.keyStore}) when none is
 * named and fallbackToSystemKeyStore is on, as with Connector/J.
 */
final class ClientKeys {
    private ClientKeys() {
    }

    /** The key managers, or null for none (the engine then has no certificate to show). */
    static KeyManager[] managers(PropertySet props) {
        KeyStores.Location named = new KeyStores.Location(props.getStringProperty(PropertyKey.clientCertificateKeyStoreUrl).getValue(),
                props.getStringProperty(PropertyKey.clientCertificateKeyStoreType).getValue(),
                props.getStringProperty(PropertyKey.clientCertificateKeyStorePassword).getValue());
        KeyStores.Location location = !named.named() && props.getBooleanProperty(PropertyKey.fallbackToSystemKeyStore).getValue()
                ? KeyStores.Location.system("keyStore", props.getStringProperty(PropertyKey.clientCertificateKeyStoreType).getInitialValue())
                : named;
        KeyStore store = KeyStores.load(location, props.getStringProperty(PropertyKey.keyStoreProvider).getValue(), "client", new char[0]);
        if (store == null) {
            return null;
        }
        try {
            String provider = props.getStringProperty(PropertyKey.keyManagerFactoryProvider).getValue();
            KeyManagerFactory factory = provider == null || provider.isEmpty() ? KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm())
                    : KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm(), provider);
            factory.init(store, KeyStores.keyPassword(location));
            return factory.getKeyManagers();
        } catch (UnrecoverableKeyException e) {
            throw new SSLParamsException("Could not recover keys from client keystore.  Check password?", e);
        } catch (GeneralSecurityException e) {
            throw new SSLParamsException("Cannot use the client keystore " + location.url() + " [" + e.getMessage() + "]", e);
        }
    }
}
