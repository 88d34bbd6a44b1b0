package io.github.style4j.samediff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class QuietGradientsTest {
    /** loss = sum(x * w): its gradient with respect to x is w, whatever x is. */
    private static SameDiff weightedSum(INDArray w) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", Nd4j.rand(DataType.DOUBLE, 2, 3));
        sd.sum("loss", x.mul(sd.constant("w", w))).markAsLoss();
        return sd;
    }

    private static String captureStdout(Runnable action) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void sameDiffItselfIsChatty() {
        // The control: if a SameDiff upgrade stops printing, this fails and the workaround can go.
        SameDiff sd = weightedSum(Nd4j.ones(DataType.DOUBLE, 2, 3));
        String printed = captureStdout(sd::createGradFunction);
        assertTrue(printed.contains("Added differentiated op"), printed);
    }

    @Test
    void gradientsAreBuiltSilentlyAndStillCorrect() {
        INDArray w = Nd4j.createFromArray(new double[][] {{1, -2, 3}, {0.5, 0, -7}});
        SameDiff sd = weightedSum(w);
        PrintStream before = System.out;
        String printed = captureStdout(() -> {
            QuietGradients.createGradFunction(sd);
            Map<String, INDArray> gradients = sd.calculateGradients(Map.of(), "x");
            assertEquals(w, gradients.get("x"));
        });
        assertFalse(printed.contains("Added differentiated op"), printed);
        assertSame(before, System.out, "System.out must be restored");
    }

    @Test
    void otherOutputPassesThroughWhole() {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream target = new PrintStream(sink, true, StandardCharsets.UTF_8);
        PrintStream filtered = new PrintStream(new QuietGradients.LineFilter(target), true, StandardCharsets.UTF_8);
        filtered.println("keep me");
        filtered.println("Added differentiated op conv2d_1");
        filtered.print("unterminated");
        filtered.flush();
        assertEquals("keep me" + System.lineSeparator() + "unterminated", sink.toString(StandardCharsets.UTF_8));
    }
}
