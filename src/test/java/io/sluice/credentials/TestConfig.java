package io.sluice.credentials;

import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.sluice.config.SluiceConfig;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

import java.time.Duration;
import java.util.Map;

/** A {@link SluiceConfig} from properties, mapped as Quarkus maps it, without starting an application. */
public final class TestConfig {
    private TestConfig() {
    }

    public static SluiceConfig of(Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                .withMapping(SluiceConfig.class)
                .withConverter(Duration.class, 100, new DurationConverter())
                .withConverter(MemorySize.class, 100, new MemorySizeConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 100))
                .build()
                .getConfigMapping(SluiceConfig.class);
    }

    /** The users and passwords the configuration names ({@code sluice.users."<name>".password}), as Sluice reads them. */
    public static CredentialSource credentials(SluiceConfig config) {
        return new ConfiguredCredentials(config);
    }
}
