package io.sluice.pool;

import java.util.List;

/**
 * A statement prepared on one backend connection.
 *
 * @param id          the backend's statement id
 * @param parameters  how many parameters it takes
 * @param response    the prepare response as the backend sent it (PREPARE_OK and definitions), so that a client
 *                    preparing the same SQL again is answered without a round trip
 */
public record BackendStatement(long id, int parameters, List<byte[]> response, ParameterTypes boundTypes) {

    /** The parameter types last sent for this statement (they stick to it on the server until sent again). */
    public static final class ParameterTypes {
        private byte[] types;

        public byte[] get() {
            return types;
        }

        public void set(byte[] t) {
            types = t;
        }
    }
}
