/**
 * JMH benchmarks of Sluice's per-packet code: framing, response scanning, state tracking and statement traits.
 * Compiled with the tests in every build, so they keep up with the code; run only by {@code bench/jmh.sh}
 * (see bench/README.md). Every benchmark's operation is one statement, packet stream or response, so JMH's
 * {@code -prof gc} reports allocation per query as gc.alloc.rate.norm.
 */
package io.sluice.bench;
