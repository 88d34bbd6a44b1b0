package io.github.style4j.samediff.batch;

import java.io.IOException;
import java.util.List;

/**
 * Where a batch reads its inputs and keeps its outputs and manifest: the local file system
 * ({@link LocalBatchFiles}), or Hadoop's FileSystem in a cluster job. Outputs are written whole
 * or not at all; manifest lines are durable once {@link #appendManifest} returns.
 */
public interface BatchFiles {
    /** The manifest's name in the output folder. */
    String MANIFEST = "style4j-batch.jsonl";

    /** The bytes of an input ({@link BatchInput#location()}). */
    byte[] readInput(String location) throws IOException;

    /** Whether the output exists. */
    boolean exists(String output) throws IOException;

    /** The bytes of an output (a video's previous frame). */
    byte[] readOutput(String output) throws IOException;

    /** Writes an output (creating its folders) so that it appears whole or not at all. */
    void writeOutput(String output, byte[] bytes) throws IOException;

    /** The manifest's lines; empty when there is none yet. */
    List<String> readManifest() throws IOException;

    /** Appends lines to the manifest, durably. */
    void appendManifest(List<String> lines) throws IOException;

    /** Where an output is, for messages. */
    String describe(String output);
}
