package io.sluice.credentials;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Records every log record of Sluice and of the AWS SDK, at every level, while open. The JBoss LogManager (set by
 * the build for tests) carries JBoss Logging and SLF4J records into java.util.logging.
 */
final class LogCapture extends Handler implements AutoCloseable {
    // Strong references: java.util.logging holds loggers weakly, and a collected logger loses its level.
    private final List<Logger> loggers = List.of(Logger.getLogger("io.sluice"), Logger.getLogger("software.amazon.awssdk"));
    private final List<Level> levels = loggers.stream().map(Logger::getLevel).toList();
    private final Logger root = Logger.getLogger("");
    // The console shows what it showed before: the SDK's debug records would only flood the test output.
    private final List<Handler> console = List.of(root.getHandlers());
    private final List<Level> consoleLevels = console.stream().map(Handler::getLevel).toList();
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    LogCapture() {
        setLevel(Level.ALL);
        console.forEach(h -> h.setLevel(Level.INFO));
        loggers.forEach(l -> l.setLevel(Level.ALL));
        root.addHandler(this);
    }

    /** Every record, with its parameters filled in and its exception's messages appended. */
    List<String> messages() {
        return records.stream().map(LogCapture::render).toList();
    }

    List<LogRecord> records() {
        return List.copyOf(records);
    }

    private static String render(LogRecord r) {
        StringBuilder text = new StringBuilder(r.getLevel() + " " + r.getLoggerName() + " ");
        String message = r.getMessage();
        Object[] parameters = r.getParameters();
        text.append(message);
        if (parameters != null) {
            for (Object p : parameters) {
                text.append(" | ").append(p);
            }
        }
        for (Throwable t = r.getThrown(); t != null; t = t.getCause()) {
            text.append(" | ").append(t);
        }
        return text.toString();
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        root.removeHandler(this);
        for (int i = 0; i < loggers.size(); i++) {
            loggers.get(i).setLevel(levels.get(i));
        }
        for (int i = 0; i < console.size(); i++) {
            console.get(i).setLevel(consoleLevels.get(i));
        }
    }
}
