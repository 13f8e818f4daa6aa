package io.sluice.architecture;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which package may use which, read from the compiled classes (every class a class file refers to is in its
 * constant pool, whether the source imported it or named it in full). The picture the folder list promises stays
 * true: the protocol is pure, the front end reaches backends only through the relay, and only {@code backend} uses Connector/J
 * or Agroal's implementation classes.
 */
class ArchitectureTest {
    private static final Path CLASSES = Path.of("target/classes");

    /** A class of Sluice's and the classes it refers to, as internal names ({@code io/sluice/protocol/OkPacket}). */
    private record Uses(String name, Set<String> referenced) {
        String pkg() {
            return name.substring(0, name.lastIndexOf('/'));
        }
    }

    private static List<Uses> sluiceClasses() throws IOException {
        List<Uses> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(CLASSES.resolve("io/sluice"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                ClassModel model = ClassFile.of().parse(Files.readAllBytes(file));
                Set<String> referenced = new TreeSet<>();
                for (PoolEntry entry : model.constantPool()) {
                    if (entry instanceof ClassEntry c) {
                        referenced.add(c.asInternalName().replaceFirst("^\\[+L?", "").replaceFirst(";$", ""));
                    }
                }
                out.add(new Uses(model.thisClass().asInternalName(), referenced));
            }
        }
        assertThat(out).as("compiled classes under %s", CLASSES).hasSizeGreaterThan(50);
        return out;
    }

    /** Every use by classes of {@code packages} of a class that {@code forbidden} matches, as "user -> used". */
    private static List<String> violations(Predicate<String> packages, Predicate<String> forbidden) throws IOException {
        return violationsBy(c -> packages.test(c.pkg()), forbidden);
    }

    /** Every use by the classes {@code users} matches of a class that {@code forbidden} matches, as "user -> used". */
    private static List<String> violationsBy(Predicate<Uses> users, Predicate<String> forbidden) throws IOException {
        List<String> found = new ArrayList<>();
        for (Uses c : sluiceClasses()) {
            if (users.test(c)) {
                c.referenced().stream().filter(forbidden).forEach(r -> found.add(c.name() + " -> " + r));
            }
        }
        return found;
    }

    private static Predicate<String> in(String pkg) {
        return p -> p.equals(pkg) || p.startsWith(pkg + "/");
    }

    @Test
    void theProtocolIsPureCodeWithNoOtherSluicePackageAndNoIo() throws IOException {
        assertThat(violations(in("io/sluice/protocol"), r -> r.startsWith("io/sluice/") && !r.startsWith("io/sluice/protocol/")
                || r.startsWith("java/net/") || r.startsWith("java/nio/channels/") || r.startsWith("io/netty/channel/")
                || r.startsWith("io/vertx/") || r.startsWith("com/mysql/") || r.startsWith("io/agroal/"))).isEmpty();
    }

    @Test
    void sessionStateIsPureLogicOnTheProtocol() throws IOException {
        assertThat(violations(in("io/sluice/session"), r -> r.startsWith("io/sluice/") && !r.startsWith("io/sluice/protocol/")
                && !r.startsWith("io/sluice/session/") || r.startsWith("io/netty/") || r.startsWith("com/mysql/"))).isEmpty();
    }

    @Test
    void theRelayKnowsTheClientOnlyAsATransportNotItsSession() throws IOException {
        // The front end (listener, connections, sessions) uses the relay; the relay sees a client as a ClientTransport.
        assertThat(violations(in("io/sluice/relay"), in("io/sluice/frontend").or(in("io/sluice/app")).or(in("io/vertx"))::test)).isEmpty();
    }

    @Test
    void poolsAndBackendsKnowNothingOfClients() throws IOException {
        assertThat(violations(in("io/sluice/pool").or(in("io/sluice/backend")),
                in("io/sluice/frontend").or(in("io/sluice/relay")).or(in("io/sluice/app"))::test)).isEmpty();
    }

    @Test
    void onlyTheClientsLeaseHolderHoldsLeasesAndTheFrontEndNeverTouchesABackendConnection() throws IOException {
        // A lease's life (see Lease.Stage) is moved by the pool and by its one holder, the relay's LeaseHolder: the
        // rest of the relay (BackendLink, LoopRelay) asks it, and never moves a lease itself.
        Predicate<String> holder = in("io/sluice/relay/LeaseHolder").or(n -> n.startsWith("io/sluice/relay/LeaseHolder$"));
        assertThat(violationsBy(c -> !in("io/sluice/pool").test(c.pkg()) && !holder.test(c.name()), r -> r.startsWith("io/sluice/pool/Lease"))).isEmpty();
        assertThat(violations(in("io/sluice/frontend"), in("io/sluice/backend")::test)).isEmpty();
    }

    @Test
    void theFrontEndDoesNotTouchConnectorJOrAgroal() throws IOException {
        assertThat(violations(in("io/sluice/frontend"),
                r -> r.startsWith("com/mysql/") || r.startsWith("io/agroal/"))).isEmpty();
    }

    @Test
    void onlyTheBackendPackageUsesConnectorJOrAgroalImplementationClasses() throws IOException {
        assertThat(violations(in("io/sluice/backend").negate(),
                r -> r.startsWith("com/mysql/") || r.startsWith("io/agroal/pool/"))).isEmpty();
    }

    @Test
    void theAwsSdkStaysInCredentials() throws IOException {
        assertThat(violations(in("io/sluice/credentials").negate(), r -> r.startsWith("software/amazon/"))).isEmpty();
    }
}
