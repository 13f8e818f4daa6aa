/**
 * Fuzz tests of everything that reads what a client (or a backend) sends, with Jazzer's JUnit integration
 * ({@code @FuzzTest}). Each class fuzzes one target and states its contract; on any input only
 * {@code MalformedPacketException} and {@code PacketTooLargeException} may escape the protocol code, nothing may
 * escape a client session, and nothing may stay borrowed or running once a session has ended.
 * <ul>
 *   <li>{@link io.sluice.fuzz.PacketFramerFuzzTest}: framing of any byte stream cut anywhere, against a reference
 *       reading, with the bytes each feed allocates measured (a declared huge packet must cost nothing);</li>
 *   <li>{@link io.sluice.fuzz.HandshakeResponseFuzzTest}, {@link io.sluice.fuzz.ChangeUserFuzzTest}: the login
 *       packets;</li>
 *   <li>{@link io.sluice.fuzz.ServerPacketsFuzzTest}: OK (with session-state data), ERR, EOF, the server handshake;</li>
 *   <li>{@link io.sluice.fuzz.ResponseScannerFuzzTest}: any packet sequence as the answer to any command byte;</li>
 *   <li>{@link io.sluice.fuzz.QueryTextFuzzTest}: what Sluice reads in a COM_QUERY's SQL (pins, KILL);</li>
 *   <li>{@link io.sluice.fuzz.ClientSessionFuzzTest}: whole client sessions, handshake response through any
 *       commands, on a real MariaDB (the test run's {@code TestDatabase}).</li>
 * </ul>
 *
 * <h2>Running</h2>
 * <ul>
 *   <li>{@code ./mvnw test} replays the seed inputs (Jazzer's regression mode), as ordinary parameterized tests,
 *       each within its {@code @Timeout}. The seeds are the files under
 *       {@code src/test/resources/io/sluice/fuzz/<TestClass>Inputs/<method>/}: handcrafted ones, written by
 *       {@link io.sluice.fuzz.SeedCorpus} (run its {@code main} after changing one), and any input fuzzing once
 *       failed on ({@code crash-*}, {@code timeout-*}), kept as regression tests.</li>
 *   <li>{@code ./mvnw verify} also fuzzes (Maven profile {@code fuzz}, on unless {@code -Dfuzz.skip}): every
 *       {@code *FuzzTest} class in a JVM of its own with {@code JAZZER_FUZZ=1}, for its
 *       {@code @FuzzTest(maxDuration)} (30 s each, 60 s for sessions: about five and a half minutes in all,
 *       JVM starts included). A failing input is written next to the seeds and fails the build; the corpus the
 *       fuzzer grows is kept in {@code .cifuzz-corpus/} (not committed) and reused by the next run.</li>
 *   <li>Longer, on demand: {@code -Djazzer.max_duration=10m} overrides every {@code maxDuration}, e.g.
 *       {@code ./mvnw test-compile surefire:test@fuzz -Dtest=ClientSessionFuzzTest -Djazzer.max_duration=1h} for one
 *       target, {@code ./mvnw verify -Djazzer.max_duration=10m} for all. Going through the {@code fuzz} execution
 *       matters: it sets {@code junit.jupiter.execution.timeout.mode=disabled}, without which JUnit would apply a
 *       fuzz test's {@code @Timeout} (meant for one input; Jazzer passes it to libFuzzer as {@code -timeout}) to the
 *       whole fuzzing run. {@code JAZZER_FUZZ=1 ./mvnw test -Dtest=... -Djunit.jupiter.execution.timeout.mode=disabled}
 *       works too. Only one fuzz test fuzzes per JVM; others in the same run are skipped.</li>
 * </ul>
 *
 * <p>Jazzer 0.30.0: 0.24.0's bundled ASM cannot read Java 25 class files, so it instruments nothing and fuzzes
 * blind ("Unsupported class file major version 69").
 */
package io.sluice.fuzz;
