package io.sluice.app;

import io.quarkus.arc.Arc;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import sun.misc.Signal;

/**
 * Sluice's entry point. Kubernetes and ECS stop a container with SIGTERM and read its exit status; the JVM's
 * default answer to the signal is status 143 even after a clean drain, so SIGTERM here asks Quarkus to shut
 * down (running the drain in {@link SluiceServer}) and a drained stop exits 0.
 */
@QuarkusMain
public class Main implements QuarkusApplication {

    @Override
    public int run(String... args) {
        // Only the packaged application: in dev mode Quarkus.asyncExit stops the application but keeps the JVM for
        // a restart, so SIGTERM would leave `quarkus:dev` running, and a live reload would leave this handler
        // pointing at the container of the replaced application. There the JVM's own shutdown drains (onStop).
        if (LaunchMode.current() == LaunchMode.NORMAL) {
            // Drain first, while the management interface still answers (readiness 503 with the reason), then stop.
            Signal.handle(new Signal("TERM"), signal -> Thread.ofPlatform().name("sluice-drain").start(() -> {
                Arc.container().instance(SluiceServer.class).get().drain();
                Quarkus.asyncExit(0);
            }));
        }
        Quarkus.waitForExit();
        return 0;
    }
}
