package io.github.style4j.samediff.batch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every input times every style, with predictable output names:
 * {@code <input name>_<style name>.<format>}, the input's sub-folders kept
 * ({@code trip/day1/beach_starry_night.png}).
 */
public final class BatchPlan {
    private BatchPlan() {
    }

    /**
     * @param format png, jpg or tif
     * @throws IllegalArgumentException two items would write the same output (naming both inputs)
     */
    public static List<BatchItem> items(List<BatchInput> inputs, List<BatchStyle> styles, String format) {
        String extension = format.toLowerCase(Locale.ROOT);
        if (!List.of("png", "jpg", "jpeg", "tif", "tiff").contains(extension)) {
            throw new IllegalArgumentException("the output format is png, jpg or tif, got '" + format + "'");
        }
        Map<String, BatchItem> byOutput = new LinkedHashMap<>();
        for (BatchInput input : inputs) {
            for (BatchStyle style : styles) {
                BatchItem item = new BatchItem(input, style, input.name() + "_" + style.name() + "." + extension);
                BatchItem clash = byOutput.putIfAbsent(item.output(), item);
                if (clash != null) {
                    throw new IllegalArgumentException("two items would both write " + item.output() + ": "
                            + clash.input().location() + " and " + input.location() + " (with " + style.name()
                            + "); rename one, or list them from their common folder so that their sub-folders "
                            + "tell them apart");
                }
            }
        }
        return new ArrayList<>(byOutput.values());
    }
}
