package io.sluice.frontend;

import io.sluice.config.SluiceConfig;
import io.sluice.observe.Telemetry;
import io.sluice.pool.BackendPools;
import io.sluice.session.PinReason;

import java.util.EnumSet;
import java.util.Set;

/**
 * What every client session shares: configuration, the backend pools, the registry of sessions, telemetry, and the
 * budgets of prepared statements and of packets received that all clients draw on.
 */
record SessionServices(SluiceConfig config, BackendPools pools, ClientRegistry registry, Telemetry telemetry,
        Set<PinReason> pinningExemptions, ClientTls tls, StatementBudget statementBudget, PacketBudget packetBudget) {

    static SessionServices of(SluiceConfig config, BackendPools pools, ClientRegistry registry, Telemetry telemetry) {
        EnumSet<PinReason> exempt = EnumSet.noneOf(PinReason.class);
        config.pinning().exemptions().ifPresent(labels -> labels.forEach(label -> exempt.add(PinReason.fromLabel(label))));
        return new SessionServices(config, pools, registry, telemetry, exempt, new ClientTls(config.tls()),
                StatementBudget.of(config.client()), PacketBudget.of(config.client()));
    }

    /** The capability flags offered in the handshake: CLIENT_SSL only when a certificate is configured. */
    int offeredCapabilities() {
        return ServerCapabilities.OFFERED | (tls.offered() ? io.sluice.protocol.CapabilityFlags.CLIENT_SSL : 0);
    }
}
