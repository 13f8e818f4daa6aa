package io.sluice.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslContext;
import io.sluice.protocol.CapabilityFlags;
import io.sluice.protocol.HandshakeResponse;

/**
 * MySQL's STARTTLS. The client's first packet is either its handshake response or a 32-byte SSLRequest, and
 * after an SSLRequest it starts the TLS handshake at once, without waiting for the server. So the switch must
 * happen on the byte boundary, in the same read: this handler passes the SSLRequest on as plain data, puts the
 * TLS handler right behind itself, hands it whatever bytes followed, and leaves the pipeline.
 */
final class StartTlsHandler extends ChannelInboundHandlerAdapter {
    private static final int HEADER = 4;
    private final SslContext tls;
    private ByteBuf pending;

    StartTlsHandler(SslContext tls) {
        this.tls = tls;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        pending = pending == null ? in : ctx.alloc().compositeBuffer().addComponents(true, pending, in);
        if (pending.readableBytes() < HEADER) {
            return;
        }
        int length = pending.getUnsignedMediumLE(pending.readerIndex());
        if (length != HandshakeResponse.SSL_REQUEST_LENGTH) {
            // A handshake response in plaintext: nothing to do here any more.
            done(ctx, null);
            return;
        }
        if (pending.readableBytes() < HEADER + length) {
            return;
        }
        int capabilities = pending.getIntLE(pending.readerIndex() + HEADER);
        if ((capabilities & CapabilityFlags.CLIENT_SSL) == 0) {
            done(ctx, null);
            return;
        }
        ctx.fireChannelRead(pending.readRetainedSlice(HEADER + length));
        done(ctx, tls);
    }

    private void done(ChannelHandlerContext ctx, SslContext startTls) {
        if (startTls != null) {
            ctx.pipeline().addAfter(ctx.name(), "ssl", startTls.newHandler(ctx.alloc()));
        }
        ByteBuf rest = pending;
        pending = null;
        if (rest.isReadable()) {
            ctx.fireChannelRead(rest);
        } else {
            rest.release();
        }
        ctx.pipeline().remove(this);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }
}
