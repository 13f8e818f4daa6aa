package io.sluice.backend;

import io.sluice.protocol.CommandType;
import io.sluice.protocol.ResponseScanner;
import io.sluice.protocol.ServerStatus;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What a backend's answers say about its transaction, answer by answer. */
class TransactionEvidenceTest {
    private static final int AUTOCOMMIT = ServerStatus.SERVER_STATUS_AUTOCOMMIT;
    private static final int IN_TRANS = ServerStatus.SERVER_STATUS_IN_TRANS;

    private final TransactionEvidence evidence = new TransactionEvidence();

    @Test
    void anOkSaysWhetherATransactionIsOpen() {
        answer(ok(AUTOCOMMIT | IN_TRANS));
        assertThat(evidence.mayBeInTransaction()).isTrue();
        answer(ok(AUTOCOMMIT));
        assertThat(evidence.mayBeInTransaction()).isFalse();
    }

    @Test
    void anErrorWithAutocommitOnAndNoTransactionLeavesNone() {
        answer(ok(AUTOCOMMIT));
        answer(ERR);
        assertThat(evidence.mayBeInTransaction()).isFalse();
    }

    @Test
    void anErrorWithAutocommitOffMayHaveStartedOneUntilTheNextOk() {
        answer(ok(0));
        assertThat(evidence.mayBeInTransaction()).isFalse();
        answer(ERR);
        assertThat(evidence.mayBeInTransaction()).isTrue();
        answer(ok(0));
        assertThat(evidence.mayBeInTransaction()).isFalse();
    }

    @Test
    void anAnswerWithoutFlagsChangesNothing() {
        answer(ok(AUTOCOMMIT | IN_TRANS));
        ResponseScanner prepare = evidence.follow(new ResponseScanner(CommandType.COM_STMT_PREPARE, true));
        byte[] prepareOk = {0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        prepare.next(prepareOk, prepareOk.length);
        assertThat(evidence.mayBeInTransaction()).isTrue();
    }

    @Test
    void aResponseLeftPartWayLeavesItUnknown() {
        answer(ok(AUTOCOMMIT));
        ResponseScanner query = evidence.follow(new ResponseScanner(CommandType.COM_QUERY, true));
        byte[] oneColumn = {1};
        query.next(oneColumn, oneColumn.length);
        assertThat(evidence.mayBeInTransaction()).isTrue();
    }

    @Test
    void aNewSessionHasNone() {
        answer(ok(IN_TRANS));
        evidence.sessionStarted();
        assertThat(evidence.mayBeInTransaction()).isFalse();
    }

    private static final byte[] ERR = {(byte) 0xff, 0x4a, 0x04, '#', 'H', 'Y', '0', '0', '0', 'x'};

    /** An OK packet (affected rows 0, insert id 0) with these status flags and no warnings. */
    private static byte[] ok(int status) {
        return new byte[] {0, 0, 0, (byte) status, (byte) (status >> 8), 0, 0};
    }

    private void answer(byte[] packet) {
        ResponseScanner scanner = evidence.follow(new ResponseScanner(CommandType.COM_QUERY, true));
        scanner.next(packet, packet.length);
    }
}
