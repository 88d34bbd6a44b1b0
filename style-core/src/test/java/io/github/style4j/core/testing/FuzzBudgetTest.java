package io.github.style4j.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The fuzz budget turns hangs, bombs and swallowed OutOfMemoryErrors into findings, and passes the rest through. */
class FuzzBudgetTest {
    private static final Duration SECOND = Duration.ofSeconds(1);

    @Test
    void aValueAndAnExceptionPassThrough() {
        assertEquals(7, assertDoesNotFail(() -> FuzzBudget.run(SECOND, 1 << 20, () -> 7)));
        var refused = assertThrows(IOException.class, () -> FuzzBudget.run(SECOND, 1 << 20, () -> {
            throw new IOException("refused");
        }));
        assertEquals("refused", refused.getMessage());
    }

    @Test
    void aHangIsAFinding() {
        var finding = assertThrows(AssertionError.class, () -> FuzzBudget.run(Duration.ofMillis(200), 1 << 20, () -> {
            while (true) {
                Thread.onSpinWait(); // never ends, ignores interrupts: the worst kind of hang
            }
        }));
        assertTrue(finding.getMessage().contains("hang"), finding.getMessage());
        assertEquals(3, assertDoesNotFail(() -> FuzzBudget.run(SECOND, 1 << 20, () -> 3)), "later inputs still run");
    }

    @Test
    void anAllocationOverBudgetIsAFindingEvenWhenRefused() {
        var finding = assertThrows(AssertionError.class, () -> FuzzBudget.run(SECOND, 8 << 20, () -> {
            byte[][] held = new byte[8][];
            for (int i = 0; i < held.length; i++) {
                held[i] = new byte[2 << 20];
            }
            throw new IOException("refused after " + held.length + " buffers");
        }));
        assertTrue(finding.getMessage().contains("bomb"), finding.getMessage());
    }

    @Test
    void anOutOfMemoryErrorWrappedAsARefusalIsAFinding() {
        var finding = assertThrows(AssertionError.class, () -> FuzzBudget.run(SECOND, 1 << 20, () -> {
            IOException refusal = new IOException("decoding ran out of memory");
            refusal.addSuppressed(new IllegalStateException("wrapper", new OutOfMemoryError("Java heap space")));
            throw refusal;
        }));
        assertTrue(finding.getMessage().contains("exhausted memory"), finding.getMessage());
    }

    private static <T> T assertDoesNotFail(java.util.concurrent.Callable<T> call) {
        try {
            return call.call();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
