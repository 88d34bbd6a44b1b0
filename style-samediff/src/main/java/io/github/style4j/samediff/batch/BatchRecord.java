package io.github.style4j.samediff.batch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * One line of a batch's manifest ({@value BatchFiles#MANIFEST}): what became of an item. The
 * manifest is appended to, never rewritten; an item's latest line counts.
 *
 * @param input    the input's location
 * @param style    the style's name
 * @param output   the output, relative to the output folder (the item's key)
 * @param settings hash of every setting that shapes the output
 * @param status   {@code done} or {@code failed}
 * @param seconds  time spent on the item
 * @param error    why it failed (null when done)
 * @param note     anything the user should know about a done item (null if nothing)
 */
public record BatchRecord(String input, String style, String output, String settings, String status, double seconds,
                          String error, String note) {
    public static final String DONE = "done";
    public static final String FAILED = "failed";
    private static final ObjectMapper JSON = new ObjectMapper();

    public boolean done() {
        return DONE.equals(status);
    }

    /** The record as one line of JSON. */
    public String toJson() {
        ObjectNode node = JSON.createObjectNode();
        node.put("input", input).put("style", style).put("output", output).put("settings", settings)
                .put("status", status).put("seconds", Math.round(seconds * 1000) / 1000.0);
        if (error != null) {
            node.put("error", error);
        }
        if (note != null) {
            node.put("note", note);
        }
        node.put("time", java.time.Instant.now().toString());
        return node.toString();
    }

    /** A manifest read back: each item's latest record, and how many lines could not be read. */
    public record Manifest(Map<String, BatchRecord> latest, int unreadableLines) {
        public static final Manifest EMPTY = new Manifest(Map.of(), 0);
    }

    /**
     * Reads manifest lines. A line that is not a whole record (cut short when a process was
     * killed while appending it) is counted and skipped: its item is simply redone.
     */
    public static Manifest parse(List<String> lines) {
        Map<String, BatchRecord> latest = new LinkedHashMap<>();
        int unreadable = 0;
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            try {
                JsonNode node = JSON.readTree(line);
                BatchRecord record = new BatchRecord(text(node, "input"), text(node, "style"), text(node, "output"),
                        text(node, "settings"), text(node, "status"), node.path("seconds").asDouble(),
                        node.hasNonNull("error") ? node.get("error").asText() : null,
                        node.hasNonNull("note") ? node.get("note").asText() : null);
                latest.remove(record.output()); // keep the order of latest records
                latest.put(record.output(), record);
            } catch (java.io.IOException | IllegalArgumentException e) {
                unreadable++;
            }
        }
        return new Manifest(latest, unreadable);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("no " + field);
        }
        return value.asText();
    }

    /** Items whose latest record is done/failed with other settings than {@code settings}. */
    static List<BatchRecord> otherSettings(Manifest manifest, Map<String, String> settingsByOutput) {
        List<BatchRecord> other = new ArrayList<>();
        settingsByOutput.forEach((output, settings) -> {
            BatchRecord record = manifest.latest().get(output);
            if (record != null && !record.settings().equals(settings)) {
                other.add(record);
            }
        });
        return other;
    }
}
