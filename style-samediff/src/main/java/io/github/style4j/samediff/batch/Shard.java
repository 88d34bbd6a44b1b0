package io.github.style4j.samediff.batch;

import java.nio.charset.StandardCharsets;

/**
 * Part {@code index} (1-based) of {@code count}: which items this machine does. Each item
 * belongs to exactly one part, decided by a hash of its output name alone, so machines that list
 * the same inputs (in any order, under any absolute path) split them without talking to each
 * other.
 */
public record Shard(int index, int count) {
    public static final Shard ALL = new Shard(1, 1);

    public Shard {
        if (count < 1 || index < 1 || index > count) {
            throw new IllegalArgumentException("a shard is I/N with 1 <= I <= N, got " + index + "/" + count);
        }
    }

    /** {@code "2/5"}. */
    public static Shard parse(String text) {
        String[] parts = text.trim().split("/");
        try {
            if (parts.length == 2) {
                return new Shard(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--shard must be I/N (this machine's part and how many), e.g. 1/4, got '"
                + text + "'");
    }

    /** Whether {@code item} is this part's. */
    public boolean contains(BatchItem item) {
        if (count == 1) {
            return true;
        }
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(item.output().getBytes(StandardCharsets.UTF_8));
            long high = java.nio.ByteBuffer.wrap(digest).getLong();
            return Math.floorMod(high, count) == index - 1;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
