package io.sluice.relay;

import io.sluice.protocol.ResponseScanner;
import io.sluice.protocol.ResponseScanner.Role;

import java.util.List;

/**
 * The answer to one client command while it is relayed, on the session's thread or on the event loop: where the
 * scan of it stands, how it is rewritten for the client, and what it has said so far.
 */
final class Answer {
    private final ResponseScanner scanner;
    private final ResponseTranslator translator;
    private final Effects effects = new Effects();
    /** When not negative, the statement id written into a PREPARE_OK for the client. */
    private final long statementId;
    /** When not null, receives a copy of every packet as the backend sent it (a prepare's answer, to cache). */
    private final List<byte[]> capture;
    private final long started = System.nanoTime();
    private long received;
    private boolean error;
    /** The backend asked for a LOAD DATA LOCAL file and was sent none: the client gets the refusal at the end. */
    private boolean declinedFile;

    Answer(ResponseScanner scanner, ResponseTranslator translator, long statementId, List<byte[]> capture) {
        this.scanner = scanner;
        this.translator = translator;
        this.statementId = statementId;
        this.capture = capture;
    }

    /** The next packet of the answer ({@code length} bytes of it, all or the start of a long row): its role. */
    Role see(byte[] packet, int length) {
        Role role = scanner.next(packet, length);
        effects.see(role, scanner);
        return role;
    }

    ResponseScanner scanner() {
        return scanner;
    }

    ResponseTranslator translator() {
        return translator;
    }

    Effects effects() {
        return effects;
    }

    int command() {
        return scanner.command();
    }

    long statementId() {
        return statementId;
    }

    List<byte[]> capture() {
        return capture;
    }

    /** When the command went to the backend ({@link System#nanoTime()}). */
    long started() {
        return started;
    }

    /** Bytes of the answer read so far, headers included. */
    long received() {
        return received;
    }

    void received(long bytes) {
        received += bytes;
    }

    boolean error() {
        return error;
    }

    void failed(boolean failed) {
        error |= failed;
    }

    boolean declinedFile() {
        return declinedFile;
    }

    void declineFile() {
        declinedFile = true;
    }
}
