package io.sluice.testing;

import java.lang.management.ManagementFactory;

/** Bytes the current thread has allocated on the heap so far (HotSpot counts them exactly, TLABs included). */
public final class Allocation {
    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static {
        if (!THREADS.isThreadAllocatedMemorySupported()) {
            throw new IllegalStateException("this JVM does not count allocated bytes per thread");
        }
        THREADS.setThreadAllocatedMemoryEnabled(true);
    }

    private Allocation() {
    }

    public static long byCurrentThread() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }
}
