package io.github.style4j.core.video;

import io.github.style4j.core.image.RgbImage;
import java.util.List;

/**
 * How much a frame sequence changes from frame to frame: the mean absolute difference between
 * consecutive frames, over every sample (values in [0, 1]). Stylised frames that flicker change
 * far more than the frames they came from; {@link #relative} divides by the input's figure.
 */
public final class Flicker {
    private Flicker() {
    }

    /** Mean absolute difference between consecutive frames (all the same size); 0 for fewer than two. */
    public static double meanAbsoluteChange(List<RgbImage> frames) {
        if (frames.size() < 2) {
            return 0;
        }
        double total = 0;
        for (int k = 1; k < frames.size(); k++) {
            float[] a = frames.get(k - 1).rgb();
            float[] b = frames.get(k).rgb();
            if (a.length != b.length) {
                throw new IllegalArgumentException("frames " + (k - 1) + " and " + k + " differ in size ("
                        + frames.get(k - 1) + ", " + frames.get(k) + ")");
            }
            double sum = 0;
            for (int i = 0; i < a.length; i++) {
                sum += Math.abs(a[i] - b[i]);
            }
            total += sum / a.length;
        }
        return total / (frames.size() - 1);
    }

    /** The outputs' frame-to-frame change over the inputs': 1 changes as much as the video itself does. */
    public static double relative(List<RgbImage> outputs, List<RgbImage> inputs) {
        double in = meanAbsoluteChange(inputs);
        return in == 0 ? Double.POSITIVE_INFINITY : meanAbsoluteChange(outputs) / in;
    }
}
