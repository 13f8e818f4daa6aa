package io.sluice.credentials;

/** A database endpoint, as named by an RDS secret or by configuration. */
public record HostAndPort(String host, int port) {
    @Override
    public String toString() {
        return host + ":" + port;
    }
}
