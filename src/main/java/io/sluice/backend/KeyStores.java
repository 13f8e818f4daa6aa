package io.sluice.backend;

import com.mysql.cj.exceptions.SSLParamsException;

import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.security.GeneralSecurityException;
import java.security.KeyStore;

/**
 * Loading the key and trust stores named by Connector/J's properties, read the way Connector/J reads them: a URL
 * (file:, http:, jar:), a type, an optional password and key-store provider; and, where its property says so, the
 * JVM's {@code javax.net.ssl.*} stores instead when none is named.
 */
final class KeyStores {
    private KeyStores() {
    }

    /** A store's location as Connector/J's properties (or the JVM's system properties) give it. */
    record Location(String url, String type, String password) {
        boolean named() {
            return url != null && !url.isEmpty();
        }

        /**
         * The JVM's store from {@code javax.net.ssl.<kind>Store*}: what Connector/J falls back to when no store is
         * named and fallbackToSystem{Trust,Key}Store is on (its default). A bare path is taken as a file, as there.
         */
        static Location system(String kind, String defaultType) {
            String url = System.getProperty("javax.net.ssl." + kind);
            String type = System.getProperty("javax.net.ssl." + kind + "Type");
            if (url != null && !url.isEmpty()) {
                try {
                    URI.create(url).toURL();
                } catch (IllegalArgumentException | MalformedURLException e) {
                    url = "file:" + url;
                }
            }
            return new Location(url, type == null || type.isEmpty() ? defaultType : type, System.getProperty("javax.net.ssl." + kind + "Password"));
        }
    }

    /**
     * The store at {@code location}, or null when it names none or no type (Connector/J then loads nothing either).
     *
     * @param emptyPassword what a missing password means: an empty one (key stores) or none at all (trust stores)
     */
    static KeyStore load(Location location, String provider, String what, char[] emptyPassword) {
        if (!location.named() || location.type() == null || location.type().isEmpty()) {
            return null;
        }
        char[] password = location.password() == null ? emptyPassword : location.password().toCharArray();
        URL url;
        try {
            url = URI.create(location.url()).toURL();
        } catch (IllegalArgumentException | MalformedURLException e) {
            throw new SSLParamsException(location.url() + " does not appear to be a valid URL.", e);
        }
        try (InputStream in = url.openStream()) {
            KeyStore store = provider == null || provider.isEmpty() ? KeyStore.getInstance(location.type())
                    : KeyStore.getInstance(location.type(), provider);
            store.load(in, password);
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new SSLParamsException("Cannot load the " + what + " " + location.type() + " keystore from " + location.url() + " [" + e.getMessage() + "]", e);
        }
    }

    /** The password a key store's keys are read with: Connector/J uses the store's own, empty when none. */
    static char[] keyPassword(Location location) {
        return location.password() == null ? new char[0] : location.password().toCharArray();
    }
}
