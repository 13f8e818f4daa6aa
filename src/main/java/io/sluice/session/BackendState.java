package io.sluice.session;

/**
 * The session state Sluice knows a backend connection to be in. Unknown parts are null (or 0 for the
 * collation) and are always replayed before a client's command.
 */
public final class BackendState {
    private int collationId;
    private String schema;
    private Boolean multiStatements;
    private boolean schemaKnown;

    /** After COM_RESET_CONNECTION the schema survives; character set and options are the server's defaults again. */
    public void afterReset() {
        collationId = 0;
        multiStatements = null;
    }

    /** Nothing is known, as for a connection whose state a client changed freely. */
    public void forget() {
        afterReset();
        schemaKnown = false;
        schema = null;
    }

    public int collationId() {
        return collationId;
    }

    public void collationId(int id) {
        collationId = id;
    }

    public boolean schemaKnown() {
        return schemaKnown;
    }

    public String schema() {
        return schema;
    }

    public void schema(String s) {
        schema = s;
        schemaKnown = true;
    }

    public Boolean multiStatements() {
        return multiStatements;
    }

    public void multiStatements(boolean on) {
        multiStatements = on;
    }
}
