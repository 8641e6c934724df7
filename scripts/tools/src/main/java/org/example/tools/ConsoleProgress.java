package org.example.tools;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar for the loaders. On a terminal it redraws one line in place, at most
 * {@link #REDRAWS_PER_SECOND} times a second however often {@link #update} is called; when output
 * goes to a file or a CI log it prints a plain line at every tenth of the way, and at least every
 * {@link #QUIET_LINE_INTERVAL_SECONDS} seconds when progress is slow, instead of filling the log
 * with carriage returns.
 *
 * <pre>
 * customers [##########----------]  50%     5,000/10,000   3,112/s  eta 2s
 * </pre>
 */
public final class ConsoleProgress {

    static final int REDRAWS_PER_SECOND = 5;
    static final long QUIET_LINE_INTERVAL_SECONDS = 10;
    static final int BAR_WIDTH = 20;

    private final String label;
    private final long total;
    private final PrintStream out;
    private final boolean interactive;
    private final LongSupplier nanoClock;
    private final long startNanos;

    private long lastLineNanos;
    private int lastTenth;
    private int lastWidth;
    private boolean finished;

    ConsoleProgress(String label, long total, PrintStream out, boolean interactive, LongSupplier nanoClock) {
        this.label = label;
        this.total = Math.max(0, total);
        this.out = out;
        this.interactive = interactive;
        this.nanoClock = nanoClock;
        this.startNanos = nanoClock.getAsLong();
        this.lastLineNanos = startNanos;
    }

    /**
     * A progress bar on {@code out}; in place only when {@code out} is {@code System.out} and that
     * is a terminal.
     */
    public static ConsoleProgress start(String label, long total, PrintStream out) {
        boolean terminal = out == System.out && System.console() != null;
        return new ConsoleProgress(label, total, out, terminal, System::nanoTime);
    }

    /** Reports that {@code done} of the total are done; cheap enough to call for every item. */
    public synchronized void update(long done) {
        if (finished) {
            return;
        }
        long now = nanoClock.getAsLong();
        long sinceLast = now - lastLineNanos;
        if (interactive) {
            if (sinceLast >= TimeUnit.SECONDS.toNanos(1) / REDRAWS_PER_SECOND) {
                redraw(render(done, now));
                lastLineNanos = now;
            }
            return;
        }
        int tenth = total > 0 ? (int) Math.min(10, done * 10 / total) : 0;
        boolean newTenth = tenth > lastTenth && tenth < 10;
        boolean quietTooLong = sinceLast >= TimeUnit.SECONDS.toNanos(QUIET_LINE_INTERVAL_SECONDS);
        if ((newTenth && sinceLast >= TimeUnit.SECONDS.toNanos(1)) || quietTooLong) {
            out.println(render(done, now));
            lastLineNanos = now;
            lastTenth = tenth;
        }
    }

    /** Prints the final state and ends the line; later updates are ignored. */
    public synchronized void finish(long done) {
        if (finished) {
            return;
        }
        finished = true;
        String line = render(done, nanoClock.getAsLong());
        if (interactive) {
            redraw(line);
            out.println();
        } else {
            out.println(line);
        }
        out.flush();
    }

    private void redraw(String line) {
        // Pad over the remains of a longer previous line.
        int pad = Math.max(0, lastWidth - line.length());
        out.print("\r" + line + " ".repeat(pad));
        out.flush();
        lastWidth = line.length();
    }

    String render(long done, long nowNanos) {
        double seconds = Math.max(1e-9, (nowNanos - startNanos) / 1e9);
        double rate = done / seconds;
        StringBuilder line = new StringBuilder(label).append(' ');
        if (total > 0) {
            int percent = (int) Math.min(100, done * 100 / total);
            line.append(bar(done, total, BAR_WIDTH))
                    .append(String.format(Locale.ROOT, " %3d%% %,9d/%,d", percent, done, total));
        } else {
            line.append(String.format(Locale.ROOT, "%,d", done));
        }
        line.append(String.format(Locale.ROOT, " %,9.0f/s", rate));
        if (total > 0 && done < total && done > 0) {
            line.append("  eta ").append(duration((total - done) / rate));
        } else if (total > 0 && done >= total) {
            line.append("  in ").append(duration(seconds));
        }
        return line.toString();
    }

    static String bar(long done, long total, int width) {
        int filled = total <= 0 ? 0 : (int) Math.min(width, done * width / total);
        return "[" + "#".repeat(filled) + "-".repeat(width - filled) + "]";
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) {
            return seconds < 10 ? String.format(Locale.ROOT, "%.1fs", seconds) : s + "s";
        }
        return s >= 3600 ? (s / 3600) + "h" + (s % 3600 / 60) + "m" : (s / 60) + "m" + (s % 60) + "s";
    }
}
