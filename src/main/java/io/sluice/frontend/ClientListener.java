package io.sluice.frontend;

import io.sluice.relay.Errors;
import io.sluice.config.SluiceConfig;
import io.sluice.observe.Telemetry;
import io.sluice.pool.BackendPools;
import io.sluice.protocol.PacketEncoder;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import org.jboss.logging.Logger;

import io.vertx.core.Context;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The MySQL listener: one Vert.x NetServer per event loop on the same port (Vert.x balances accepted
 * connections between them). Each accepted client gets a {@link ClientSession} on a virtual thread.
 */
public final class ClientListener {
    private static final Logger LOG = Logger.getLogger(ClientListener.class);

    private final Vertx vertx;
    private final SluiceConfig config;
    private final SessionServices services;
    private final List<Context> eventLoops = new CopyOnWriteArrayList<>();
    private String deploymentId;
    private volatile boolean accepting = true;
    private long reloadTimer = -1;
    private volatile int boundPort;

    public ClientListener(Vertx vertx, SluiceConfig config, BackendPools pools, ClientRegistry registry, Telemetry telemetry) {
        this.vertx = vertx;
        this.config = config;
        this.services = SessionServices.of(config, pools, registry, telemetry);
    }

    /** Bytes of packets received from clients and not yet served, all clients together. */
    public long packetBytesHeld() {
        return services.packetBudget().held();
    }

    /** Binds the listener; blocks until it is bound or failed. */
    public void start(Duration timeout) throws Exception {
        services.tls().load(vertx);
        int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
        deploymentId = vertx.deployVerticle(() -> new AcceptVerticle(), new DeploymentOptions().setInstances(instances))
                .toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (services.tls().offered()) {
            // Every connection takes the TLS context current when it asks for TLS: one watcher serves them all.
            long every = Math.max(1000, config.tls().reloadInterval().toMillis());
            reloadTimer = vertx.setPeriodic(every, id -> vertx.executeBlocking(() -> {
                services.tls().reloadIfChanged(vertx);
                return null;
            }));
        }
        LOG.infof("Sluice listening for MySQL clients on %s:%d%s", config.listen().host(), boundPort,
                services.tls().offered() ? " (TLS " + services.tls().mode().name().toLowerCase() + ")" : "");
    }

    public int port() {
        return boundPort;
    }

    /** The event loops serving clients, for the liveness check. */
    public List<Context> eventLoops() {
        return eventLoops;
    }

    public ClientRegistry registry() {
        return services.registry();
    }

    /**
     * Turns new clients away: each still gets a handshake, and ERR 1053 once it has answered it; connected ones are
     * not touched. The ERR could take the handshake's place, as MySQL's own "Too many connections" does, but clients
     * that may use TLS (the mariadb CLI) then show it only as an error "whose authenticity cannot be verified" (2002).
     * The port stays bound until {@link #stop()}, since closing a Vert.x server closes its connections too.
     */
    public void stopAccepting() {
        accepting = false;
    }

    /** Closes the listener and every client connection still open. */
    public void stop() throws Exception {
        accepting = false;
        if (reloadTimer >= 0) {
            vertx.cancelTimer(reloadTimer);
        }
        if (deploymentId != null) {
            vertx.undeploy(deploymentId).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            deploymentId = null;
        }
    }

    private void accept(NetSocket socket) {
        ClientRegistry registry = services.registry();
        if (!registry.tryAdmit()) {
            services.telemetry().clientRejected();
            // As the server does: the error takes the place of the handshake.
            socket.write(Buffer.buffer(frame(Errors.tooManyConnections(config.maxClientConnections()).encode()))).onComplete(ar -> socket.close());
            return;
        }
        if (services.tls().offered()) {
            ((io.vertx.core.net.impl.NetSocketInternal) socket).channelHandlerContext().pipeline()
                    .addBefore(ClientConnection.VERTX_HANDLER, "starttls", new StartTlsHandler(services.tls().context()));
        }
        ClientConnection connection = new ClientConnection(socket, ClientConnection.Limits.of(config.client()), services.packetBudget(),
                services.telemetry(), services.tls().offered(), config.client().packetTimeout(), config.client().writeTimeout());
        ClientSession session = new ClientSession(connection, services, registry.nextConnectionId());
        registry.register(session);
        if (!accepting) {
            session.drain();
        }
        connection.start();
        if (!session.greetWithoutThread()) {
            Thread.ofVirtual().name("sluice-client-", session.connectionId()).start(session);
        }
    }

    private static byte[] frame(byte[] payload) {
        io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer(payload.length + 4);
        PacketEncoder.write(out, payload, 0);
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        return bytes;
    }

    private final class AcceptVerticle extends AbstractVerticle {
        private NetServer server;

        @Override
        public void start(Promise<Void> started) {
            eventLoops.add(context);
            NetServerOptions options = new NetServerOptions()
                    .setHost(config.listen().host())
                    .setPort(config.listen().port())
                    .setTcpNoDelay(true)
                    .setReuseAddress(true)
                    .setAcceptBacklog(1024);
            server = vertx.createNetServer(options).connectHandler(ClientListener.this::accept);
            server.listen().onSuccess(s -> {
                boundPort = s.actualPort();
                started.complete();
            }).onFailure(started::fail);
        }

        @Override
        public void stop(Promise<Void> stopped) {
            server.close().onComplete(ar -> stopped.complete());
        }
    }
}
