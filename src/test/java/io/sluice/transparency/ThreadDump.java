package io.sluice.transparency;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Every thread of this JVM, virtual ones included, written once per JVM when a run first meets a failure that only
 * the threads can explain: Sluice runs in the test's JVM, so a client Sluice never greeted shows where its session
 * (or every session) was waiting.
 */
final class ThreadDump {
    private static final AtomicBoolean DONE = new AtomicBoolean();

    private ThreadDump() {
    }

    static void onceFor(String why) {
        if (!DONE.compareAndSet(false, true)) {
            return;
        }
        try {
            Path file = Path.of("target", "transparency-threads-" + ProcessHandle.current().pid() + ".json").toAbsolutePath();
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(file);
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
            System.out.println("Threads at " + why + ": " + file);
        } catch (Exception e) {
            System.out.println("No thread dump at " + why + ": " + e);
        }
    }
}
