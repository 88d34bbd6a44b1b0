package io.github.style4j.samediff;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Builds a SameDiff graph's gradient function without SameDiff's console chatter.
 *
 * <p>SameDiff 1.0.0-M2.1 writes {@code "Added differentiated op <name>"} to
 * {@code System.out} for every op while it builds the backward graph (a bare
 * {@code println}, not a logger, so no logging configuration silences it). A VGG-19
 * graph prints dozens of lines into a user's terminal or test log. This class builds the
 * gradient function once with {@code System.out} filtered: those lines are dropped,
 * every other line passes through unchanged, and {@code System.out} is restored.
 */
public final class QuietGradients {
    private static final String CHATTER = "Added differentiated op ";
    private static final Object CONSOLE_LOCK = new Object();

    private QuietGradients() {
    }

    /**
     * Creates the gradient function of {@code sd} if it has none yet; the later
     * {@code calculateGradients} calls then reuse it and print nothing.
     */
    public static void createGradFunction(SameDiff sd) {
        if (sd.getFunction("grad") != null) {
            return;
        }
        synchronized (CONSOLE_LOCK) {
            PrintStream original = System.out;
            PrintStream filtered = new PrintStream(new LineFilter(original), true, Charset.defaultCharset());
            System.setOut(filtered);
            try {
                sd.createGradFunction();
            } finally {
                filtered.flush();
                System.setOut(original);
            }
        }
    }

    /** Passes whole lines to {@code target}, except SameDiff's per-op lines. */
    static final class LineFilter extends OutputStream {
        private final PrintStream target;
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

        LineFilter(PrintStream target) {
            this.target = target;
        }

        @Override
        public void write(int b) {
            line.write(b);
            if (b == '\n') {
                flushLine();
            }
        }

        @Override
        public void flush() {
            if (line.size() > 0) {
                flushLine();
            }
            target.flush();
        }

        private void flushLine() {
            String text = line.toString(Charset.defaultCharset());
            if (!text.startsWith(CHATTER)) {
                target.print(text);
            }
            line.reset();
        }
    }
}
