package io.sluice.frontend;

/**
 * A client played from a script, for tests outside this package that drive a {@link ClientSession} through
 * {@link SessionBench}: asked for what it sends next each time the session reads, it may answer from what the
 * server has said so far (the scramble it must prove the password on, the plugin it was switched to).
 */
public interface ClientScript {

    /** What the client does when the session reads. */
    sealed interface Step {
        /** Bytes on the wire: packet headers and payloads, framed by the session's transport as a socket's would be. */
        record Send(byte[] bytes) implements Step {
        }

        /** Nothing arrives before the session's read times out. */
        record Silence() implements Step {
        }

        /** The client closes the connection. */
        record HangUp() implements Step {
        }
    }

    /** What the server has told the client so far. */
    interface ServerView {
        /** The scramble of the initial handshake; null before it. */
        byte[] scramble();

        /** The connection id of the initial handshake (what CONNECTION_ID() answers, and KILL takes); 0 before it. */
        long connectionId();

        /** The capabilities the server offered in its handshake. */
        int serverCapabilities();

        /** The plugin named by the last AuthSwitchRequest; null if none came. */
        String switchedToPlugin();

        /** The RSA public key (PEM) the server sent for caching_sha2_password's full authentication; null if none came. */
        byte[] publicKey();

        /** The sequence id a packet continuing the current exchange must carry. */
        int sequence();
    }

    Step next(ServerView server);
}
