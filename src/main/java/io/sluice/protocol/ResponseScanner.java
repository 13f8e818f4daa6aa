package io.sluice.protocol;

/**
 * Follows the packets of one server response and says what each is and when the response is over,
 * without decoding rows.
 *
 * <p>Assumes the connection negotiated CLIENT_DEPRECATE_EOF (Sluice opens backend connections that way), so
 * definitions are not followed by EOF packets and a result set ends with an OK packet whose header is 0xfe.
 * Such a terminator is told from a row that starts with 0xfe (a length-encoded string of 16 MB or more) by
 * its length: a row like that is at least 0xffffff bytes long.
 */
public final class ResponseScanner {

    /** What a packet is within its response. */
    public enum Role {
        OK, ERR, COLUMN_COUNT, COLUMN_DEFINITION, ROW, RESULT_END, LOCAL_INFILE_REQUEST, PREPARE_OK, PARAMETER_DEFINITION, INFO
    }

    private enum State {
        FIRST, PARAMETERS, COLUMNS, ROWS, FIELD_LIST, DONE
    }

    private final int command;
    private State state = State.FIRST;
    private long definitionsLeft;
    private long preparedColumns;
    private boolean metadataJustEnded;
    private boolean rowsSeen;
    private int statusFlags;
    private boolean statusSeen;
    private boolean failed;
    private int warnings;
    private OkPacket lastOk;
    private final boolean sessionTrack;

    /**
     * @param command      the command whose response follows
     * @param sessionTrack whether the connection negotiated CLIENT_SESSION_TRACK, which changes the OK layout
     */
    public ResponseScanner(int command, boolean sessionTrack) {
        this.command = command;
        this.sessionTrack = sessionTrack;
        if (command == CommandType.COM_FIELD_LIST) {
            state = State.FIELD_LIST;
        } else if (command == CommandType.COM_STMT_FETCH) {
            state = State.ROWS;
            rowsSeen = true;
        }
    }

    /** Whether a command gets a response at all. */
    public static boolean expectsResponse(int command) {
        return command != CommandType.COM_STMT_CLOSE && command != CommandType.COM_STMT_SEND_LONG_DATA
                && command != CommandType.COM_QUIT;
    }

    public Role next(byte[] payload, int length) {
        if (state == State.DONE) {
            throw new IllegalStateException("response already complete");
        }
        metadataJustEnded = false;
        int header = length == 0 ? -1 : payload[0] & 0xff;
        return switch (state) {
            case FIRST -> first(payload, length, header);
            case PARAMETERS -> {
                if (--definitionsLeft == 0) {
                    metadataJustEnded = true;
                    startPreparedColumnsOrFinish();
                }
                yield Role.PARAMETER_DEFINITION;
            }
            case COLUMNS -> {
                if (--definitionsLeft == 0) {
                    metadataJustEnded = true;
                    state = command == CommandType.COM_STMT_PREPARE ? State.DONE : State.ROWS;
                }
                yield Role.COLUMN_DEFINITION;
            }
            case ROWS -> rows(payload, length, header);
            case FIELD_LIST -> {
                if (header == ErrPacket.HEADER) {
                    yield fail();
                }
                if (header == OkPacket.EOF_HEADER && length < 9) {
                    endWith(payload, length);
                    state = State.DONE;
                    yield Role.RESULT_END;
                }
                yield Role.COLUMN_DEFINITION;
            }
            case DONE -> throw new IllegalStateException();
        };
    }

    private Role first(byte[] payload, int length, int header) {
        if (header == ErrPacket.HEADER) {
            return fail();
        }
        if (command == CommandType.COM_STATISTICS) {
            state = State.DONE;
            return Role.INFO;
        }
        if (command == CommandType.COM_STMT_PREPARE) {
            if (header != OkPacket.HEADER) {
                throw new MalformedPacketException("unexpected first packet 0x" + Integer.toHexString(header) + " of a prepare response");
            }
            PayloadReader r = new PayloadReader(payload, 0, length);
            r.skip(5);
            preparedColumns = r.readInt2();
            definitionsLeft = r.readInt2();
            r.skip(1);
            warnings = r.remaining() >= 2 ? r.readInt2() : 0;
            if (definitionsLeft > 0) {
                state = State.PARAMETERS;
            } else {
                startPreparedColumnsOrFinish();
            }
            return Role.PREPARE_OK;
        }
        if (header == OkPacket.HEADER || header == OkPacket.EOF_HEADER && length < 9) {
            // OK for most commands; COM_SET_OPTION answers with an EOF-shaped packet.
            endWith(payload, length);
            return Role.OK;
        }
        if (header == 0xfb) {
            // LOAD DATA LOCAL INFILE: the client sends the file, then the server answers as to a fresh command.
            return Role.LOCAL_INFILE_REQUEST;
        }
        PayloadReader r = new PayloadReader(payload, 0, length);
        definitionsLeft = r.readLenenc();
        if (definitionsLeft <= 0) {
            throw new MalformedPacketException("result set with " + definitionsLeft + " columns");
        }
        state = State.COLUMNS;
        rowsSeen = false;
        return Role.COLUMN_COUNT;
    }

    /** Whether the next packet may be a row (the response is in a result set's rows). */
    public boolean inRows() {
        return state == State.ROWS;
    }

    private Role rows(byte[] payload, int length, int header) {
        if (header == ErrPacket.HEADER) {
            return fail();
        }
        if (header == OkPacket.EOF_HEADER && length < PacketFramer.MAX_PHYSICAL_PAYLOAD) {
            endWith(payload, length);
            return Role.RESULT_END;
        }
        rowsSeen = true;
        return Role.ROW;
    }

    private Role fail() {
        state = State.DONE;
        failed = true;
        return Role.ERR;
    }

    private void startPreparedColumnsOrFinish() {
        definitionsLeft = preparedColumns;
        state = preparedColumns > 0 ? State.COLUMNS : State.DONE;
    }

    private void endWith(byte[] payload, int length) {
        // Under CLIENT_DEPRECATE_EOF even a 0xfe-headed end is an OK packet (warnings after the status);
        // only a server without it sends the 5-byte EOF layout (warnings before the status).
        if (length == 5 && (payload[0] & 0xff) == OkPacket.EOF_HEADER) {
            EofPacket eof = EofPacket.decode(payload, length);
            lastOk = null;
            statusFlags = eof.statusFlags();
            warnings = eof.warnings();
        } else {
            lastOk = OkPacket.decode(payload, length, sessionTrack);
            statusFlags = lastOk.statusFlags();
            warnings = lastOk.warnings();
        }
        statusSeen = true;
        boolean more = (statusFlags & ServerStatus.SERVER_MORE_RESULTS_EXISTS) != 0
                && command != CommandType.COM_STMT_FETCH && command != CommandType.COM_FIELD_LIST;
        state = more ? State.FIRST : State.DONE;
    }

    public boolean isComplete() {
        return state == State.DONE;
    }

    /** True right after the last column (or parameter) definition of a result set or prepare response. */
    public boolean metadataJustEnded() {
        return metadataJustEnded;
    }

    /** Whether the current result set has delivered a row yet (false for a terminator straight after metadata). */
    public boolean rowsSeen() {
        return rowsSeen;
    }

    /** Whether the response just completed ended a prepare's parameter list (as opposed to its columns). */
    public boolean inPrepareColumns() {
        return command == CommandType.COM_STMT_PREPARE && state == State.COLUMNS;
    }

    /** The status flags of the last OK or end of rows in the response (0 if none came). */
    public int statusFlags() {
        return statusFlags;
    }

    /** Whether an OK or end of rows came, carrying status flags (a prepare's answer and an error carry none). */
    public boolean statusSeen() {
        return statusSeen;
    }

    /** Whether the response ended in an error. */
    public boolean failed() {
        return failed;
    }

    public int warnings() {
        return warnings;
    }

    /** The last OK (or OK-shaped terminator) seen, or null if the last end was an EOF packet. */
    public OkPacket lastOk() {
        return lastOk;
    }

    public int command() {
        return command;
    }
}
