package io.sluice.testing;

import io.sluice.testing.ExternalProcess.Result;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The real client programs the tests drive (src/test/clients): where they are and what runs them. */
public final class TestClients {
    public static final Path DIR = Path.of("src/test/clients").toAbsolutePath();
    /** Where Node's mysql package is installed for the Node scripts (once per checkout). */
    private static final Path NODE_DIR = Path.of("target/test-clients").toAbsolutePath();

    private TestClients() {
    }

    /** Debian's python3, which has PyMySQL from python3-pymysql. */
    public static String python() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    public static String node() {
        return ExternalProcess.require("node", "install Node.js");
    }

    /** A directory with Node's mysql package installed ({@code npm ci}, the first time) and the current Node scripts. */
    public static synchronized Path nodeDirectory() throws Exception {
        if (!Files.isDirectory(NODE_DIR.resolve("node_modules/mysql"))) {
            Files.createDirectories(NODE_DIR);
            for (String f : List.of("package.json", "package-lock.json")) {
                Files.copy(DIR.resolve(f), NODE_DIR.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
            Result install = ExternalProcess.run(List.of(ExternalProcess.require("npm", "install Node.js and npm"), "ci",
                    "--no-audit", "--no-fund"), Map.of(), NODE_DIR, 300);
            assertThat(install.exitCode()).as("npm ci: %s", install.stderr()).isZero();
        }
        try (Stream<Path> scripts = Files.list(DIR)) {
            for (Path script : scripts.filter(p -> p.toString().endsWith(".js")).toList()) {
                Files.copy(script, NODE_DIR.resolve(script.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return NODE_DIR;
    }
}
