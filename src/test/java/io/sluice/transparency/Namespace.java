package io.sluice.transparency;

/**
 * The names one run of a program uses. A program runs twice, directly and through Sluice, each time in a
 * namespace of its own (two schemas holding tables of the same names), so that both runs can happen at any
 * time without touching each other's data; every name a run shows is mapped back to the canonical
 * {@code S1}/{@code S2} before the two runs are compared ({@link LegitimateDifferences#normalize}).
 *
 * @param schema1 the first schema, where a program usually logs in
 * @param schema2 the second schema, whose tables have the same names and other contents
 */
record Namespace(String schema1, String schema2) {
    static final Namespace DIRECT = new Namespace("tx_d1", "tx_d2");
    static final Namespace SLUICE = new Namespace("tx_s1", "tx_s2");
    /** Where noise clients and pressure programs work (through Sluice only, never compared). */
    static final Namespace NOISE = new Namespace("tx_n1", "tx_n2");

    /** The worker's own table (each worker runs one program at a time, so its tables are its program's). */
    static String table(int worker) {
        return "t" + worker;
    }

    /** Replaces the placeholders of a step's SQL: {S1}, {S2}, {T} (the worker's table), {L} (a lock-name prefix). */
    String render(String template, int worker) {
        return template.replace("{S1}", schema1).replace("{S2}", schema2).replace("{T}", table(worker))
                .replace("{L}", schema1 + "_w" + worker + "_");
    }
}
