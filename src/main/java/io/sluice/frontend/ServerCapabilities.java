package io.sluice.frontend;

import static io.sluice.protocol.CapabilityFlags.*;

/** The capability flags Sluice offers clients: only what it can honour whatever the backend negotiated. */
final class ServerCapabilities {
    /**
     * CLIENT_SSL is added when TLS is configured. Left out on purpose: CLIENT_COMPRESS (not implemented),
     * CLIENT_IGNORE_SPACE and CLIENT_INTERACTIVE (they would change server behaviour Sluice does not replay),
     * CLIENT_QUERY_ATTRIBUTES, CLIENT_OPTIONAL_RESULTSET_METADATA and CLIENT_SESSION_TRACK (the backend
     * connections do not use them).
     */
    static final int OFFERED = CLIENT_LONG_PASSWORD | CLIENT_FOUND_ROWS | CLIENT_LONG_FLAG | CLIENT_CONNECT_WITH_DB
            | CLIENT_LOCAL_FILES | CLIENT_PROTOCOL_41 | CLIENT_TRANSACTIONS | CLIENT_SECURE_CONNECTION
            | CLIENT_MULTI_STATEMENTS | CLIENT_MULTI_RESULTS | CLIENT_PS_MULTI_RESULTS | CLIENT_PLUGIN_AUTH
            | CLIENT_CONNECT_ATTRS | CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA | CLIENT_DEPRECATE_EOF;

    private ServerCapabilities() {
    }

    /** The flags in force for a client: what it asked for and Sluice offers. */
    static int negotiate(int clientFlags, int offered) {
        return clientFlags & offered;
    }
}
