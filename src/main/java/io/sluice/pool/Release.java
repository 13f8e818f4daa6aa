package io.sluice.pool;

/** What happens to a backend connection when its borrower gives it back. */
public enum Release {
    /** Its session state is known to Sluice: it goes straight back to the pool. */
    KEEP,
    /** Its session state is not known: COM_RESET_CONNECTION first, then back to the pool (or discarded if that fails). */
    RESET,
    /** It cannot be trusted (broken, or abandoned mid-response): closed and replaced. */
    DISCARD
}
