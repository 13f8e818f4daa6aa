package io.sluice.backend;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.sluice.protocol.CommandType;
import io.sluice.protocol.PacketFramer;
import io.sluice.protocol.ResponseScanner;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A borrower of a {@link ChannelLoan} as the relay will be one, for tests and the benchmark: it writes a COM_QUERY to
 * the channel and frames and scans the answer to its end with Sluice's own {@link PacketFramer} and
 * {@link ResponseScanner}. It has consumed everything when the last answer is complete and no byte came after it.
 */
public final class LoanBorrower implements ChannelLoan.Borrower {
    private final PacketFramer framer = new PacketFramer(PacketFramer.MAX_PHYSICAL_PAYLOAD);
    private final boolean sessionTrack;
    private ResponseScanner scanner;
    private List<ResponseScanner.Role> roles = new ArrayList<>();
    /** Packets that came after the answer was complete: nobody asked for them. */
    private int unasked;
    private long bytesReceived;
    private CompletableFuture<List<ResponseScanner.Role>> answer = new CompletableFuture<>();
    /** Run on the loop when an answer is complete (a give-back, say). */
    private Runnable onAnswer = () -> { };
    public final CompletableFuture<Void> closed = new CompletableFuture<>();

    public LoanBorrower(boolean sessionTrack) {
        this.sessionTrack = sessionTrack;
    }

    /** Sends a query; the future completes, on the loop, with the role of every packet of its answer. Call on the loop. */
    public CompletableFuture<List<ResponseScanner.Role>> query(Channel channel, String sql) {
        scanner = new ResponseScanner(CommandType.COM_QUERY, sessionTrack);
        roles = new ArrayList<>();
        answer = new CompletableFuture<>();
        channel.writeAndFlush(channel.alloc().buffer().writeBytes(comQuery(sql)));
        return answer;
    }

    public LoanBorrower onAnswer(Runnable then) {
        this.onAnswer = then;
        return this;
    }

    /** A COM_QUERY packet, sequence id 0. */
    public static byte[] comQuery(String sql) {
        byte[] text = sql.getBytes(StandardCharsets.UTF_8);
        int length = text.length + 1;
        byte[] packet = new byte[4 + length];
        packet[0] = (byte) length;
        packet[1] = (byte) (length >>> 8);
        packet[2] = (byte) (length >>> 16);
        packet[4] = (byte) CommandType.COM_QUERY;
        System.arraycopy(text, 0, packet, 5, text.length);
        return packet;
    }

    @Override
    public void received(ByteBuf bytes) {
        bytesReceived += bytes.readableBytes();
        try {
            framer.feed(bytes, packet -> {
                if (scanner == null || scanner.isComplete()) {
                    unasked++;
                    return;
                }
                roles.add(scanner.next(packet.payload(), packet.length()));
                if (scanner.isComplete()) {
                    answer.complete(roles);
                    onAnswer.run();
                }
            });
        } catch (RuntimeException e) {
            answer.completeExceptionally(e);
        } finally {
            bytes.release();
        }
    }

    /** Bytes received from the backend so far. */
    public long bytesReceived() {
        return bytesReceived;
    }

    @Override
    public boolean consumedAll() {
        return (scanner == null || scanner.isComplete()) && unasked == 0 && !framer.hasPartialPacket();
    }

    @Override
    public void closed() {
        closed.complete(null);
        answer.completeExceptionally(new IllegalStateException("closed while answering"));
    }
}
