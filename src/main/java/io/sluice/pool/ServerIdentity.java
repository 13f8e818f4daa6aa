package io.sluice.pool;

/** How the backend introduces itself; Sluice introduces itself the same way, since clients adapt to the server version. */
public record ServerIdentity(String version, int collationId) {
}
