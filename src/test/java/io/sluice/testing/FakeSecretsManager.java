package io.sluice.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A local Secrets Manager speaking the service's JSON protocol for {@code GetSecretValue}, for the real SDK client to
 * call through an endpoint override. Secrets move through versions and staging labels as rotation moves them.
 */
public final class FakeSecretsManager implements AutoCloseable {
    public static final String REGION = "us-east-1";
    public static final String ACCESS_KEY = "AKIDSLUICETEST";
    private static final String ARN_PREFIX = "arn:aws:secretsmanager:" + REGION + ":123456789012:secret:";

    private record Version(String id, String secretString, Set<String> stages) {
    }

    private final HttpServer server;
    private final Map<String, List<Version>> secrets = new LinkedHashMap<>();
    /** Stage of every GetSecretValue received, in order ("AWSCURRENT" when the request named none). */
    private final List<String> requestedStages = new CopyOnWriteArrayList<>();
    private volatile boolean outage;

    private FakeSecretsManager() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    public static FakeSecretsManager start() throws IOException {
        return new FakeSecretsManager();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public static String arn(String name) {
        return ARN_PREFIX + name + "-AbCdEf";
    }

    /** An RDS database secret's JSON. */
    public static String rdsSecret(String username, String password, String host, int port) {
        JsonObjectBuilder b = Json.createObjectBuilder().add("engine", "mysql").add("username", username).add("password", password);
        if (host != null) {
            b.add("host", host).add("port", port).add("dbname", "app");
        }
        return b.build().toString();
    }

    /** Stores a new version labelled AWSCURRENT, as put-secret-value does; the old current becomes AWSPREVIOUS. */
    public synchronized String put(String name, String secretString) {
        List<Version> versions = secrets.computeIfAbsent(name, n -> new ArrayList<>());
        String id = UUID.randomUUID().toString();
        versions.forEach(v -> v.stages().remove("AWSPREVIOUS"));
        versions.stream().filter(v -> v.stages().remove("AWSCURRENT")).forEach(v -> v.stages().add("AWSPREVIOUS"));
        versions.add(new Version(id, secretString, new HashSet<>(Set.of("AWSCURRENT"))));
        return id;
    }

    /** A rotation's createSecret: a new version labelled AWSPENDING. */
    public synchronized String putPending(String name, String secretString) {
        String id = UUID.randomUUID().toString();
        secrets.get(name).forEach(v -> v.stages().remove("AWSPENDING"));
        secrets.get(name).add(new Version(id, secretString, new HashSet<>(Set.of("AWSPENDING"))));
        return id;
    }

    /** A rotation's finishSecret: AWSCURRENT moves to the pending version, the old current becomes AWSPREVIOUS. */
    public synchronized void finishRotation(String name) {
        List<Version> versions = secrets.get(name);
        Version pending = versions.stream().filter(v -> v.stages().contains("AWSPENDING")).findFirst().orElseThrow();
        versions.forEach(v -> v.stages().remove("AWSPREVIOUS"));
        versions.stream().filter(v -> v.stages().remove("AWSCURRENT")).forEach(v -> v.stages().add("AWSPREVIOUS"));
        pending.stages().remove("AWSPENDING");
        pending.stages().add("AWSCURRENT");
    }

    /** While on, every request is cut off before an answer, as if the network were down. */
    public void outage(boolean on) {
        outage = on;
    }

    public List<String> requestedStages() {
        return List.copyOf(requestedStages);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (outage) {
                return; // closing without a response: the client sees the connection end
            }
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (authorization == null || !authorization.startsWith("AWS4-HMAC-SHA256 Credential=" + ACCESS_KEY + "/")) {
                error(exchange, 400, "IncompleteSignature", "Missing or foreign SigV4 signature");
                return;
            }
            if (!"POST".equals(exchange.getRequestMethod()) || !"secretsmanager.GetSecretValue".equals(target)) {
                error(exchange, 400, "UnknownOperationException", "Unknown operation " + target);
                return;
            }
            JsonObject request;
            try (var reader = Json.createReader(new StringReader(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)))) {
                request = reader.readObject();
            }
            String secretId = request.getString("SecretId");
            String stage = request.getString("VersionStage", "AWSCURRENT");
            requestedStages.add(stage);
            answer(exchange, secretId, stage);
        }
    }

    private synchronized void answer(HttpExchange exchange, String secretId, String stage) throws IOException {
        String name = secretId.startsWith(ARN_PREFIX) ? secretId.substring(ARN_PREFIX.length(), secretId.length() - "-AbCdEf".length()) : secretId;
        List<Version> versions = secrets.get(name);
        if (versions == null) {
            error(exchange, 400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
            return;
        }
        Version version = versions.stream().filter(v -> v.stages().contains(stage)).findFirst().orElse(null);
        if (version == null) {
            error(exchange, 400, "ResourceNotFoundException",
                    "Secrets Manager can't find the specified secret value for staging label: " + stage);
            return;
        }
        var stages = Json.createArrayBuilder();
        version.stages().forEach(stages::add);
        JsonObject body = Json.createObjectBuilder()
                .add("ARN", arn(name))
                .add("Name", name)
                .add("SecretString", version.secretString())
                .add("VersionId", version.id())
                .add("VersionStages", stages)
                .add("CreatedDate", 1.7e9)
                .build();
        send(exchange, 200, body);
    }

    private static void error(HttpExchange exchange, int status, String type, String message) throws IOException {
        send(exchange, status, Json.createObjectBuilder().add("__type", type).add("message", message).build());
    }

    private static void send(HttpExchange exchange, int status, JsonObject body) throws IOException {
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
        exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
