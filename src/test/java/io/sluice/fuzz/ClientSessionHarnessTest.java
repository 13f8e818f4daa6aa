package io.sluice.fuzz;

import io.sluice.frontend.SessionBench;
import io.sluice.protocol.ErrPacket;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The session fuzz test's client does what its scripts say: it gets past authentication with the right proof, so the
 * fuzzer reaches the commands, and the session answers as a server would. Checked on a few of its seeds.
 */
class ClientSessionHarnessTest {

    private static SessionBench.Run run(String seed) throws InterruptedException {
        return ClientSessionFuzzTest.check(ClientSessionFuzzTest.scripts().get(seed));
    }

    private static List<Integer> codes(SessionBench.Run run) {
        return run.errors().stream().map(ErrPacket::code).toList();
    }

    @Test
    void logsInAndRunsCommands() throws InterruptedException {
        assertThat(codes(run("login-quit"))).isEmpty();
        SessionBench.Run prepared = run("prepare-execute");
        assertThat(codes(prepared)).isEmpty();
        // Handshake, OK, the prepare's answer (OK, two parameters, two columns), the execute's (count, two columns, a row, end).
        assertThat(prepared.packetsWritten()).isGreaterThanOrEqualTo(11);
        assertThat(codes(run("local-infile"))).isEmpty();
        assertThat(codes(run("change-user"))).isEmpty();
    }

    @Test
    void killsItselfByTheIdFromItsHandshake() throws InterruptedException {
        SessionBench.Run run = run("kill-self");
        // As MariaDB answers a KILL of the session's own connection: ER_CONNECTION_KILLED, then the connection closes.
        assertThat(codes(run)).containsExactly(1927);
        // Handshake, OK, SELECT 1 (count, column, row, end), the KILL's ERR; then the session ends, the last SELECT unanswered.
        assertThat(run.packetsWritten()).isEqualTo(7);
        assertThat(codes(run("process-kill-self"))).containsExactly(1927);
    }

    @Test
    void switchesPluginsAndProvesTheRightPassword() throws InterruptedException {
        assertThat(codes(run("login-sha2-switched"))).isEmpty();
        assertThat(codes(run("login-unknown-plugin"))).isEmpty();
        assertThat(codes(run("login-wrong-password"))).containsExactly(1045);
        assertThat(codes(run("login-sha2-switched-wrong"))).containsExactly(1045);
        assertThat(codes(run("sha2-fast-auth"))).isEmpty();
        assertThat(codes(run("sha2-full-auth-rsa"))).isEmpty();
        assertThat(codes(run("sha2-change-user-full-auth"))).isEmpty();
        assertThat(codes(run("sha2-full-auth-garbage"))).containsExactly(1045);
    }

    /**
     * Observed, not required: while a LOAD DATA LOCAL file comes in, the session reads the client without a time limit
     * (BackendLink.relayLocalFile: receive(0)), so a client that stops sending mid-file holds its backend until it
     * disconnects; elsewhere the handshake and idle timeouts bound every read.
     */
    @Test
    void readsALocalFileWithoutATimeLimit() throws InterruptedException {
        SessionBench.Run run = run("local-infile-silence");
        assertThat(codes(run)).isEmpty();
        assertThat(run.silencesWaitedOut()).isEqualTo(1);
    }

    @Test
    void refusesWhatTheProtocolForbids() throws InterruptedException {
        assertThat(codes(run("cmd-03-over-limit"))).containsExactly(1153);
        assertThat(codes(run("login-declares-1GiB"))).containsExactly(1153);
        assertThat(codes(run("cmd-wrong-sequence-id"))).containsExactly(1156);
        assertThat(codes(run("cmd-1d-empty"))).containsExactly(1047);
    }
}
