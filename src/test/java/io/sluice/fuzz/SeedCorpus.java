package io.sluice.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.driver.FuzzedDataProviderImpl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The handcrafted seed inputs of every fuzz test, kept where Jazzer looks for them
 * ({@code src/test/resources/io/sluice/fuzz/<TestClass>Inputs/<method>/}) and replayed by every {@code ./mvnw test}.
 * They are written by code, next to the test that reads them, so that each says what it is; after changing one, run
 * {@code main} from the project directory to rewrite the files ({@link SeedCorpusTest} fails until then).
 * Files in those directories that no test generates are inputs the fuzzer once failed on: keep them.
 */
final class SeedCorpus {
    static final Path ROOT = Path.of("src/test/resources/io/sluice/fuzz");

    /** One fuzz test's seeds, by file name. */
    record Target(Class<?> test, String method, Supplier<Map<String, byte[]>> seeds) {
        Path directory() {
            return ROOT.resolve(test.getSimpleName() + "Inputs").resolve(method);
        }
    }

    static List<Target> targets() {
        return List.of(
                new Target(PacketFramerFuzzTest.class, "framesAnyStreamInAnyPieces", PacketFramerFuzzTest::seeds),
                new Target(HandshakeResponseFuzzTest.class, "decodesAnyHandshakeResponse", HandshakeResponseFuzzTest::seeds),
                new Target(ChangeUserFuzzTest.class, "decodesAnyChangeUser", ChangeUserFuzzTest::seeds),
                new Target(ServerPacketsFuzzTest.class, "decodesAnyServerPacket", ServerPacketsFuzzTest::seeds),
                new Target(ResponseScannerFuzzTest.class, "followsAnyResponse", ResponseScannerFuzzTest::seeds),
                new Target(QueryTextFuzzTest.class, "readsAnySql", QueryTextFuzzTest::seeds),
                new Target(ClientSessionFuzzTest.class, "servesAnyClient", ClientSessionFuzzTest::seeds));
    }

    private static final Map<Class<?>, Set<ByteBuffer>> GENERATED = new ConcurrentHashMap<>();

    private SeedCorpus() {
    }

    /**
     * For tests reading a {@link FuzzedDataProvider}: when {@code data} replays a seed written here (regression mode,
     * where Jazzer builds the provider from the file's bytes), checks that the case read from it gives those bytes
     * back when written again, i.e. that the seed means what it was written as.
     */
    static void assertReadAsWritten(Class<?> test, FuzzedDataProvider data, Supplier<byte[]> writtenAgain) {
        if (!(data instanceof FuzzedDataProviderImpl impl) || impl.getJavaData() == null) {
            return;
        }
        Set<ByteBuffer> generated = GENERATED.computeIfAbsent(test, t -> targets().stream().filter(target -> target.test() == t)
                .flatMap(target -> target.seeds().get().values().stream()).map(ByteBuffer::wrap).collect(Collectors.toSet()));
        byte[] input = impl.getJavaData();
        if (generated.contains(ByteBuffer.wrap(input)) && !ByteBuffer.wrap(writtenAgain.get()).equals(ByteBuffer.wrap(input))) {
            throw new AssertionError("the seed " + io.sluice.protocol.Hex.dump(input) + " is not read as it was written: "
                    + "FdpWriter no longer matches Jazzer's FuzzedDataProvider");
        }
    }

    public static void main(String[] args) throws IOException {
        for (Target target : targets()) {
            Files.createDirectories(target.directory());
            for (Map.Entry<String, byte[]> seed : target.seeds().get().entrySet()) {
                Files.write(target.directory().resolve(seed.getKey()), seed.getValue());
            }
            System.out.println(target.directory() + ": " + target.seeds().get().size() + " seeds");
        }
    }
}
