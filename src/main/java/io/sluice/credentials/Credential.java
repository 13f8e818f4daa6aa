package io.sluice.credentials;

import java.nio.charset.StandardCharsets;

/** A database login. The password never appears in {@link #toString()}, so it cannot reach a log by accident. */
public record Credential(String username, byte[] password) {

    public static Credential of(String username, String password) {
        return new Credential(username, password.getBytes(StandardCharsets.UTF_8));
    }

    public String passwordString() {
        return new String(password, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "Credential[" + username + ", password=<redacted>]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Credential c && c.username.equals(username) && java.util.Arrays.equals(c.password, password);
    }

    @Override
    public int hashCode() {
        return username.hashCode();
    }
}
