package io.github.style4j.samediff.transfer;

import io.github.style4j.core.image.RgbImage;
import io.github.style4j.core.optim.StepReport;
import io.github.style4j.core.optim.StopReason;
import java.util.List;
import java.util.Map;

/**
 * What a style transfer produced.
 *
 * @param image        the result, clamped to [0, 1], with the content's alpha re-attached
 * @param history      every step's report, over all scales in order
 * @param termsAtContent the weighted loss terms (content, style, tv, total) at the content image, first scale
 * @param finalTerms   the same terms at the result, at its size
 * @param stopReason   why the last scale's optimiser stopped
 * @param message      the optimiser's last word, e.g. why it stopped early
 */
public record StyleTransferResult(RgbImage image, List<StepReport> history, Map<String, Double> termsAtContent,
                                  Map<String, Double> finalTerms, StopReason stopReason, String message) {
    public StyleTransferResult {
        history = List.copyOf(history);
        termsAtContent = Map.copyOf(termsAtContent);
        finalTerms = Map.copyOf(finalTerms);
    }
}
