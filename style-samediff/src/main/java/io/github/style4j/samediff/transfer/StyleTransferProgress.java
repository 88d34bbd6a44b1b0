package io.github.style4j.samediff.transfer;

import io.github.style4j.core.image.RgbImage;
import io.github.style4j.core.optim.StepReport;
import java.util.function.Supplier;

/**
 * One optimisation step of a style transfer, for listeners: where it is in the schedule,
 * the optimiser's report, and the image so far (computed only if asked for).
 *
 * @param scale           0-based index into the scale schedule
 * @param scales          number of scales
 * @param size            longest side at this scale
 * @param step            the optimiser's report (iteration, losses, gradient norm, ...)
 * @param iterationsDone  iterations completed over all scales
 * @param iterationsTotal iterations planned over all scales
 * @param image           the current image, clamped to [0, 1]
 * @param plan            how this scale fits the memory: the whole image or tiles, the L-BFGS history
 */
public record StyleTransferProgress(int scale, int scales, int size, StepReport step, int iterationsDone,
                                    int iterationsTotal, Supplier<RgbImage> image, MemoryPlan plan) {
}
