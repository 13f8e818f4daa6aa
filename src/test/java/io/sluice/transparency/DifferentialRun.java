package io.sluice.transparency;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Runs programs through Sluice and directly, many at once, with noise clients dirtying backends, and compares
 * what each program observed. A program whose observations differ is minimised (steps removed while it still
 * fails) and reported with its seed.
 */
final class DifferentialRun {
    /** Worker numbers from here on are the minimiser's and the pressure programs', whose tables no compared program uses. */
    private static final int SPARE_WORKERS = 100;
    /** Failures minimised and printed in full; the rest are listed by seed and index. */
    private static final int MINIMISED = 6;
    /** The minimiser's time, in all. */
    private static final int MINIMISER_SECONDS = 120;

    /** Where the failures of the last run are written too, for reading after the build. */
    static final Path FAILURES = Path.of("target", "transparency-failures.txt");

    private final Endpoint sluice;
    private final Endpoint backend;
    private final int workers;
    private final int noiseClients;
    private final AtomicLong steps = new AtomicLong();
    private final AtomicLong noiseStatements = new AtomicLong();
    private final AtomicInteger programsRun = new AtomicInteger();
    private final ConcurrentLinkedQueue<Mismatch> failures = new ConcurrentLinkedQueue<>();

    DifferentialRun(Endpoint sluice, Endpoint backend, int workers, int noiseClients) {
        this.sluice = sluice;
        this.backend = backend;
        this.workers = workers;
        this.noiseClients = noiseClients;
    }

    /** The result: what ran, and what failed (minimised), ready to print. */
    record Report(long seed, int programs, long steps, long noiseStatements, long millis, List<Mismatch> failures, String details) {
        String summary() {
            return String.format("transparency: seed %d, %d programs, %d steps (each run directly and through Sluice), "
                    + "%d noise statements, %.1f s, %d failing programs", seed, programs, steps, noiseStatements, millis / 1000.0, failures.size());
        }
    }

    /** Programs {@code first}, {@code first + 1}, ... of the seed, until {@code maxPrograms} or the time is up. */
    Report run(long seed, int first, int maxPrograms, long seconds) throws Exception {
        Files.deleteIfExists(FAILURES);
        Fixture.create(backend);
        long started = System.nanoTime();
        long deadline = started + TimeUnit.SECONDS.toNanos(seconds);
        AtomicBoolean stopNoise = new AtomicBoolean();
        List<Thread> noise = startNoise(seed, stopNoise);
        AtomicInteger next = new AtomicInteger(first);
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                int worker = w;
                running.add(pool.submit(() -> {
                    while (System.nanoTime() < deadline) {
                        int index = next.getAndIncrement();
                        if (index >= first + maxPrograms) {
                            return null;
                        }
                        Program program = ProgramGenerator.generate(seed, index);
                        Mismatch m = compare(program, worker);
                        programsRun.incrementAndGet();
                        if (m != null) {
                            failures.add(m);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                // A program that never ends is a finding too: a hang shows as this timeout.
                f.get(seconds + 600, TimeUnit.SECONDS);
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            List<Mismatch> found = new ArrayList<>(failures);
            Collections.sort(found, (a, b) -> Integer.compare(a.program().index(), b.program().index()));
            String details = describe(found, stopNoise);
            return new Report(seed, programsRun.get(), steps.get(), noiseStatements.get(), millis, found, details);
        } finally {
            pool.shutdownNow();
            stopNoise.set(true);
            for (Thread t : noise) {
                t.join(TimeUnit.SECONDS.toMillis(150));
            }
        }
    }

    /** Runs one program both ways; the mismatch, or null when it saw the same through Sluice. */
    Mismatch compare(Program program, int worker) throws Exception {
        List<List<String>> direct = new ProgramRunner(program, backend, backend, Namespace.DIRECT, worker).run();
        List<List<String>> viaSluice = new ProgramRunner(program, sluice, backend, Namespace.SLUICE, worker).run();
        steps.addAndGet(program.steps().size());
        return Mismatch.between(program, direct, viaSluice);
    }

    private List<Thread> startNoise(long seed, AtomicBoolean stop) {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < noiseClients; i++) {
            threads.add(Thread.ofPlatform().name("noise-" + i).start(new NoiseClient(sluice, seed * 31 + i, stop, noiseStatements)));
        }
        return threads;
    }

    /**
     * The failures: one program of each of the first few kinds (by the step that differed) minimised under
     * continued noise and pressure, every failure listed in a line.
     */
    private String describe(List<Mismatch> found, AtomicBoolean stopNoise) throws Exception {
        if (found.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        AtomicBoolean stopPressure = new AtomicBoolean();
        List<Thread> pressure = startPressure(found.get(0).program().seed(), stopPressure);
        long minimiserDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(MINIMISER_SECONDS);
        try {
            java.util.Set<String> kinds = new java.util.LinkedHashSet<>();
            for (Mismatch m : found) {
                if (kinds.add(m.signature()) && kinds.size() <= MINIMISED && System.nanoTime() < minimiserDeadline) {
                    Mismatch smaller = new Minimiser(this, SPARE_WORKERS, minimiserDeadline).minimise(m);
                    out.append("\n=== FAILING PROGRAM (minimised from ").append(m.program().steps().size()).append(" steps) ===\n")
                            .append(smaller.render());
                }
            }
            out.append("\n=== ALL ").append(found.size()).append(" FAILING PROGRAMS ===\n");
            found.forEach(m -> out.append(m.brief()).append('\n'));
        } finally {
            stopPressure.set(true);
            for (Thread t : pressure) {
                t.join(TimeUnit.SECONDS.toMillis(150));
            }
        }
        try {
            Files.createDirectories(FAILURES.getParent());
            Files.writeString(FAILURES, out.toString());
        } catch (IOException ignored) {
            // The same text is in the test's failure message.
        }
        return out.toString();
    }

    /** Programs run through Sluice only (not compared) while the minimiser works, so that backends keep moving. */
    private List<Thread> startPressure(long seed, AtomicBoolean stop) {
        List<Thread> threads = new ArrayList<>();
        IntFunction<Runnable> worker = w -> () -> {
            for (int i = 0; !stop.get(); i++) {
                try {
                    new ProgramRunner(ProgramGenerator.generate(seed ^ 0x5eed, w * 100_000 + i), sluice, backend, Namespace.NOISE, w).run();
                } catch (Exception ignored) {
                    // Pressure only.
                }
            }
        };
        for (int w = 0; w < Math.max(2, workers / 2); w++) {
            threads.add(Thread.ofPlatform().name("pressure-" + w).start(worker.apply(SPARE_WORKERS + 1 + w)));
        }
        return threads;
    }
}
