package io.sluice.fuzz;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The seed files on disk are the ones {@link SeedCorpus} writes. */
class SeedCorpusTest {

    @TestFactory
    List<DynamicTest> seedFilesAreUpToDate() {
        List<DynamicTest> tests = new ArrayList<>();
        for (SeedCorpus.Target target : SeedCorpus.targets()) {
            for (Map.Entry<String, byte[]> seed : target.seeds().get().entrySet()) {
                tests.add(DynamicTest.dynamicTest(target.test().getSimpleName() + "/" + target.method() + "/" + seed.getKey(), () -> {
                    var file = target.directory().resolve(seed.getKey());
                    assertThat(file).as("missing; run SeedCorpus.main").exists();
                    assertThat(Files.readAllBytes(file)).as("%s is stale; run SeedCorpus.main", file).isEqualTo(seed.getValue());
                }));
            }
        }
        return tests;
    }
}
