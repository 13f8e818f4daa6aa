package io.sluice.pool;

import io.agroal.api.security.AgroalSecurityProvider;
import io.sluice.credentials.Credential;
import io.sluice.credentials.CredentialSource;

import java.util.Properties;

/** Agroal's credential object for "whatever {@code user}'s backend login is right now". */
record CurrentLogin(String user) {

    @Override
    public String toString() {
        return "CurrentLogin[" + user + "]";
    }

    /** Turns a {@link CurrentLogin} into Connector/J's user and password properties when Agroal opens a connection. */
    record Provider(CredentialSource credentials) implements AgroalSecurityProvider {
        @Override
        public Properties getSecurityProperties(Object securityObject) {
            if (!(securityObject instanceof CurrentLogin login)) {
                return null;
            }
            Credential c = credentials.backendLogin(login.user()).orElseThrow(() -> new IllegalStateException("no credential for " + login.user()));
            Properties p = new Properties();
            p.setProperty("user", c.username());
            p.setProperty("password", c.passwordString());
            return p;
        }
    }
}
