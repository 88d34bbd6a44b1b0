package io.github.style4j.samediff.batch;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Frames in order, each started from the previous result: warped along the backward optical
 * flow when {@code flowDir} holds {@code backward_<frame>.flo} (this frame to the previous one;
 * {@code forward_<frame>.flo}, previous to this, adds Ruder et al.'s disocclusion check), with
 * their temporal loss weighted {@code temporalWeight} (on neural-style's 0-255 scale, as
 * artistic-videos' {@code -temporal_weight}); without flow files, started from the previous
 * result as it is, with no temporal loss.
 *
 * @param flowDir         folder of {@code .flo} files, or null
 * @param temporalWeight  weight of the temporal loss, >= 0 (artistic-videos uses 1e3)
 * @param frameIterations iterations for every frame after the first (0: as the first)
 */
public record VideoOptions(Path flowDir, double temporalWeight, int frameIterations) {
    public VideoOptions {
        if (!(temporalWeight >= 0) || Double.isInfinite(temporalWeight)) {
            throw new IllegalArgumentException("the temporal weight must be finite and >= 0, got " + temporalWeight);
        }
        if (frameIterations < 0) {
            throw new IllegalArgumentException("frame iterations must be >= 0, got " + frameIterations);
        }
    }

    /** The backward flow file for a frame. */
    public Path backwardFlow(String frameStem) {
        return flowDir == null ? null : flowDir.resolve("backward_" + frameStem + ".flo");
    }

    /** The forward flow file for a frame (from the previous frame to it). */
    public Path forwardFlow(String frameStem) {
        return flowDir == null ? null : flowDir.resolve("forward_" + frameStem + ".flo");
    }

    /** What shapes the result, for the settings hash. */
    String settings() {
        return String.format(Locale.ROOT, "video flow=%s temporalWeight=%g frameIterations=%d",
                flowDir == null ? "none" : flowDir.toAbsolutePath().normalize(), temporalWeight, frameIterations);
    }
}
