package io.sluice.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** HTTP calls to Sluice's management interface (health, metrics), on its test port. */
public final class Management {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public record Response(int status, String body) {
    }

    private Management() {
    }

    /** The port a Quarkus test's management interface was bound on, or the packaged application's under test. */
    public static int port() {
        int bound = org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getOptionalValue("quarkus.management.test-port", Integer.class).orElse(0);
        return bound > 0 ? bound : SluiceTestResource.managementPort();
    }

    public static Response get(String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
                .timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
        return new Response(r.statusCode(), r.body());
    }

    /** The readiness document, for what its details say. */
    public static String readiness() {
        try {
            return get("/q/health/ready").body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A gauge of user {@code user}'s pool from /q/metrics, whole; -1 when it is not exported. */
    public static int gauge(String name, String user) {
        try {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + name + "\\{[^}]*user=\"" + user + "\"[^}]*} ([0-9.]+)")
                    .matcher(get("/q/metrics").body());
            return m.find() ? (int) Double.parseDouble(m.group(1)) : -1;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A gauge without labels from /q/metrics; -1 when it is not exported. */
    public static long gauge(String name) {
        try {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + name + "(?:\\{\\})? ([0-9.E+-]+)$").matcher(get("/q/metrics").body());
            return m.find() ? (long) Double.parseDouble(m.group(1)) : -1;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits up to 20 s for {@code condition}, polling; fails naming {@code what}. */
    public static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(50);
        }
    }
}
