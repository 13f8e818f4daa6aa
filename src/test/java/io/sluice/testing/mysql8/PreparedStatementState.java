package io.sluice.testing.mysql8;

import java.util.BitSet;

/**
 * What the face must remember of one prepared statement to rewrite its executions: the number of parameters
 * (from the PREPARE_OK it relayed), the types last bound (an execute with new_params_bind_flag 0 reuses them,
 * attributes' types included), and which parameters got their value through COM_STMT_SEND_LONG_DATA since the
 * last execute (those have no value in the execute packet).
 */
final class PreparedStatementState {
    private final int paramCount;
    private final BitSet longData = new BitSet();
    private int[] types;

    PreparedStatementState(int paramCount) {
        this.paramCount = paramCount;
    }

    int paramCount() {
        return paramCount;
    }

    int[] types() {
        return types;
    }

    void bindTypes(int[] types) {
        this.types = types;
    }

    boolean hasLongData(int param) {
        return longData.get(param);
    }

    void longDataSent(int param) {
        if (param >= 0 && param < paramCount) {
            longData.set(param);
        }
    }

    /** An execute or COM_STMT_RESET: the server forgets long data. */
    void executed() {
        longData.clear();
    }
}
