package io.github.style4j.samediff.batch;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a batch run did.
 *
 * @param done          items stylised in this run
 * @param failed        items that failed in this run (each with its error)
 * @param alreadyDone   items skipped because the manifest has them done with these settings
 * @param failedBefore  items skipped because they failed before (rerun with retry-failed)
 * @param otherShards   items left to other shards
 * @param flicker       per style, for a video: the flicker figures of its frames
 */
public record BatchResult(List<BatchRecord> done, List<BatchRecord> failed, int alreadyDone, int failedBefore,
                          int otherShards, Map<String, VideoFlicker> flicker) {
    /**
     * Mean absolute change between consecutive frames: of the outputs, of the inputs (at the
     * outputs' size), and their ratio; and, where flow files were given, the outputs' change
     * along the motion ({@link io.github.style4j.core.video.Flicker#warpedChange}, NaN without).
     */
    public record VideoFlicker(int frames, double outputs, double inputs, double outputsAlongFlow) {
        public double relative() {
            return inputs == 0 ? Double.POSITIVE_INFINITY : outputs / inputs;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d frames: output change %.4f, input change %.4f, ratio %.2f%s", frames,
                    outputs, inputs, relative(), Double.isNaN(outputsAlongFlow) ? ""
                            : String.format(Locale.ROOT, "; output change along the flow %.4f", outputsAlongFlow));
        }
    }

    /** Whether every item this run tried was done. */
    public boolean succeeded() {
        return failed.isEmpty();
    }

    /** Seconds of the items done in this run. */
    public double seconds() {
        return done.stream().mapToDouble(BatchRecord::seconds).sum();
    }
}
