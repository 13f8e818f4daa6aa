package io.sluice.frontend;

import io.sluice.config.SluiceConfig;
import io.sluice.pool.BackendPools;

/** What every client session shares: configuration, the backend pools and the registry of sessions. */
record SessionServices(SluiceConfig config, BackendPools pools, ClientRegistry registry) {
}
