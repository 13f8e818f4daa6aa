package io.sluice.relay;

import io.sluice.protocol.CapabilityFlags;
import io.sluice.protocol.CommandType;
import io.sluice.protocol.EofPacket;
import io.sluice.protocol.OkPacket;
import io.sluice.protocol.ResponseScanner;
import io.sluice.protocol.ResponseScanner.Role;
import io.sluice.protocol.ServerStatus;

/**
 * Rewrites a backend response for one client's capabilities, packet by packet, without looking at rows.
 *
 * <p>The backend always speaks CLIENT_DEPRECATE_EOF. A client without it expects an EOF packet after column
 * (and parameter) definitions and an EOF instead of the 0xfe-headed OK that ends a result set. The EOF after
 * result-set metadata is held back until the next packet shows whether a cursor was opened: then the server
 * would have sent that EOF alone. Session-state data is stripped from OK packets for clients that did not
 * ask for CLIENT_SESSION_TRACK.
 */
final class ResponseTranslator {
    private final ClientTransport out;
    private final boolean clientDeprecateEof;
    private final boolean clientSessionTrack;
    private final boolean backendSessionTrack;
    private final int statusBefore;
    private boolean pendingMetadataEof;

    ResponseTranslator(ClientTransport out, int clientCapabilities, boolean backendSessionTrack, int statusBefore) {
        this.out = out;
        this.clientDeprecateEof = (clientCapabilities & CapabilityFlags.CLIENT_DEPRECATE_EOF) != 0;
        this.clientSessionTrack = (clientCapabilities & CapabilityFlags.CLIENT_SESSION_TRACK) != 0;
        this.backendSessionTrack = backendSessionTrack;
        this.statusBefore = statusBefore;
    }

    void accept(Role role, ResponseScanner scanner, byte[] payload, int length) {
        switch (role) {
            case OK -> ok(payload, length);
            case RESULT_END -> end(scanner, payload, length);
            default -> {
                flushPendingEof(statusBefore);
                out.write(payload, 0, length);
                if (scanner.metadataJustEnded() && !clientDeprecateEof) {
                    if (scanner.command() == CommandType.COM_STMT_PREPARE) {
                        eof(0, statusBefore);
                    } else {
                        pendingMetadataEof = true;
                    }
                }
            }
        }
    }

    /** A row that passes through in pieces: its first packet (of {@code length} bytes) starts; its bytes follow as they are. */
    void startLongRow(int length) {
        flushPendingEof(statusBefore);
        out.startPart(length);
    }

    private void end(ResponseScanner scanner, byte[] payload, int length) {
        if (clientDeprecateEof) {
            ok(payload, length);
            return;
        }
        int status = scanner.statusFlags();
        boolean cursorOpened = scanner.command() == CommandType.COM_STMT_EXECUTE
                && (status & ServerStatus.SERVER_STATUS_CURSOR_EXISTS) != 0 && !scanner.rowsSeen();
        if (cursorOpened) {
            pendingMetadataEof = false;
        }
        flushPendingEof(status);
        eof(scanner.warnings(), status);
    }

    private void ok(byte[] payload, int length) {
        flushPendingEof(statusBefore);
        if (backendSessionTrack && !clientSessionTrack) {
            out.write(OkPacket.decode(payload, length, true).encode(false));
        } else {
            out.write(payload, 0, length);
        }
    }

    private void flushPendingEof(int status) {
        if (pendingMetadataEof) {
            pendingMetadataEof = false;
            eof(0, status);
        }
    }

    private void eof(int warnings, int status) {
        out.write(new EofPacket(warnings, status & ~ServerStatus.SERVER_SESSION_STATE_CHANGED).encode());
    }
}
