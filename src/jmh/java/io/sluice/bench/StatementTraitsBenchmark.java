package io.sluice.bench;

import io.sluice.protocol.CommandType;
import io.sluice.protocol.PayloadWriter;
import io.sluice.session.StatementTraits;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * {@link StatementTraits#of} over a client's COM_QUERY payload, as Sluice runs it before every text-protocol
 * statement: a sysbench point select, an INSERT with quoted strings, an ORM's SELECT with joins and a comment,
 * BEGIN, and SET NAMES.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class StatementTraitsBenchmark {
    @Param({"point-select", "insert", "orm-select", "begin", "set-names"})
    public String statement;

    private byte[] payload;

    @Setup(Level.Trial)
    public void setUp() {
        String sql = switch (statement) {
            case "point-select" -> "SELECT c FROM sbtest1 WHERE id=5012";
            case "insert" -> "INSERT INTO orders (customer_id, total, note, created_at) VALUES (42, 19.99, 'it''s a \\\"gift\\\"', NOW())";
            case "orm-select" -> "/* app=checkout,route=/orders */ select o1_0.id,o1_0.created_at,o1_0.customer_id,c1_0.id,"
                    + "c1_0.email,c1_0.name,o1_0.note,o1_0.status,o1_0.total,l1_0.order_id,l1_0.id,l1_0.product_id,"
                    + "l1_0.quantity,l1_0.unit_price from orders o1_0 join customers c1_0 on c1_0.id=o1_0.customer_id "
                    + "left join order_lines l1_0 on o1_0.id=l1_0.order_id where o1_0.customer_id=42 and "
                    + "o1_0.status in ('OPEN','PAID') and o1_0.created_at>='2026-01-01 00:00:00' order by o1_0.created_at desc limit 50";
            case "begin" -> "BEGIN";
            case "set-names" -> "SET NAMES utf8mb4";
            default -> throw new IllegalArgumentException(statement);
        };
        payload = new PayloadWriter(sql.length() + 1).int1(CommandType.COM_QUERY).string(sql).toByteArray();
    }

    @Benchmark
    public StatementTraits of() {
        return StatementTraits.of(payload, 1, payload.length - 1, StatementTraits.Dialect.DEFAULT);
    }
}
