package io.sluice.credentials;

import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;

import java.io.StringReader;
import java.util.Optional;

/**
 * The credentials in an RDS database secret, the JSON that AWS's rotation functions read and write:
 * {@code {"username":..., "password":..., "host":..., "port":3306, "dbname":..., "engine":"mysql"}}.
 * Sluice uses the first four; {@code dbname} is each client's choice at login, and {@code engine} is not
 * checked because MySQL, MariaDB and Aurora secrets look alike.
 *
 * @param endpoint the secret's {@code host} and {@code port} (3306 when absent), if it names a host
 */
record RdsSecret(String username, String password, Optional<HostAndPort> endpoint) {
    private static final int DEFAULT_PORT = 3306;
    // Looking the provider up is a service-loader scan: once is enough.
    private static final JsonProvider JSON = JsonProvider.provider();

    /**
     * Reads a secret's {@code SecretString}. Error messages name the field at fault, never the text, which is
     * a secret.
     *
     * @throws IllegalArgumentException when it is not an RDS database secret
     */
    static RdsSecret parse(String secretString) {
        JsonObject json;
        try (JsonReader reader = JSON.createReader(new StringReader(secretString))) {
            json = reader.readObject();
        } catch (JsonException | IllegalStateException e) {
            // The parser's message may quote the text around the error, so it is dropped.
            throw new IllegalArgumentException("not a JSON object");
        }
        String username = requiredString(json, "username");
        String password = requiredString(json, "password");
        Optional<String> host = optionalString(json, "host");
        return new RdsSecret(username, password, host.map(h -> new HostAndPort(h, port(json))));
    }

    private static String requiredString(JsonObject json, String field) {
        return optionalString(json, field).orElseThrow(() -> new IllegalArgumentException("no \"" + field + "\" string"));
    }

    private static Optional<String> optionalString(JsonObject json, String field) {
        JsonValue value = json.get(field);
        if (value == null || value == JsonValue.NULL) {
            return Optional.empty();
        }
        if (value instanceof JsonString s && !s.getString().isEmpty()) {
            return Optional.of(s.getString());
        }
        throw new IllegalArgumentException("\"" + field + "\" is not a non-empty string");
    }

    /** RDS writes the port as a number; secrets written by hand often have it as a string. */
    private static int port(JsonObject json) {
        JsonValue value = json.get("port");
        try {
            int port = switch (value) {
                case null -> DEFAULT_PORT;
                case JsonNumber n -> n.intValueExact();
                case JsonString s -> Integer.parseInt(s.getString().trim());
                default -> throw new IllegalArgumentException();
            };
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException();
            }
            return port;
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw new IllegalArgumentException("\"port\" is not a port number");
        }
    }

    @Override
    public String toString() {
        return "RdsSecret[" + username + ", password=<redacted>, " + endpoint.map(HostAndPort::toString).orElse("no host") + "]";
    }
}
