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

    /**
     * Temporal error along the motion (Ruder et al.'s measure): the mean absolute difference
     * between each frame and the frame before it warped into it by {@code flows.get(k)} (the
     * backward flow of frame {@code k}, null where there is none: that pair is left out), over
     * the pixels where that flow is trusted. NaN when no pair has a flow.
     */
    public static double warpedChange(List<RgbImage> frames, List<OpticalFlow> flows) {
        double total = 0;
        int pairs = 0;
        for (int k = 1; k < frames.size(); k++) {
            OpticalFlow flow = flows.get(k);
            if (flow == null) {
                continue;
            }
            RgbImage current = frames.get(k);
            OpticalFlow sized = flow.resized(current.width(), current.height());
            float[] warped = sized.warp(frames.get(k - 1)).rgb();
            float[] now = current.rgb();
            float[] trusted = sized.reliability(null);
            int n = trusted.length;
            double sum = 0;
            long count = 0;
            for (int i = 0; i < n; i++) {
                if (trusted[i] > 0) {
                    for (int c = 0; c < 3; c++) {
                        sum += Math.abs(now[c * n + i] - warped[c * n + i]);
                    }
                    count += 3;
                }
            }
            if (count > 0) {
                total += sum / count;
                pairs++;
            }
        }
        return pairs == 0 ? Double.NaN : total / pairs;
    }
}
