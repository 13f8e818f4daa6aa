package io.sluice.pool;

/** A database endpoint Sluice serves clients from. {@code name} labels metrics and health output. */
public record Target(String name, String host, int port) {
    @Override
    public String toString() {
        return name;
    }
}
