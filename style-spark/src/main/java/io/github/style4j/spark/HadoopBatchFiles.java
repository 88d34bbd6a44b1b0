package io.github.style4j.spark;

import io.github.style4j.core.image.ImageReader;
import io.github.style4j.samediff.batch.BatchFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A batch's files on any Hadoop file system (local, HDFS, S3A, ...). Outputs are written to a
 * hidden temporary file and renamed, so that a reader never sees half an output. Executors
 * cannot append to one shared file, so each manifest append is a small file of its own under
 * {@code style4j-batch.jsonl.parts/}; {@link #readManifest} reads the manifest and then the
 * parts, and {@link #consolidate} (the driver, between jobs) folds the parts into the manifest,
 * which then reads exactly as one written by {@code ./style4j batch}.
 *
 * <p>Serializable: the Hadoop settings travel as a map and each JVM makes its own FileSystem.
 */
public final class HadoopBatchFiles implements BatchFiles, Serializable {
    private static final long serialVersionUID = 1L;
    static final String PARTS = MANIFEST + ".parts";

    private final String folder;
    private final Map<String, String> hadoopSettings;
    private transient Configuration configuration;

    /**
     * @param folder         the output folder: a path or URI ({@code hdfs://namenode/out}, {@code s3a://bucket/out})
     * @param hadoopSettings Hadoop configuration entries (credentials, endpoints) for every JVM
     */
    public HadoopBatchFiles(String folder, Map<String, String> hadoopSettings) {
        this.folder = folder.endsWith("/") ? folder.substring(0, folder.length() - 1) : folder;
        this.hadoopSettings = Map.copyOf(hadoopSettings);
    }

    /** Every entry of {@code configuration}, for {@link #HadoopBatchFiles(String, Map)}. */
    public static Map<String, String> settingsOf(Configuration configuration) {
        Map<String, String> settings = new java.util.HashMap<>();
        configuration.forEach(entry -> settings.put(entry.getKey(), entry.getValue()));
        return settings;
    }

    synchronized Configuration configuration() {
        if (configuration == null) {
            configuration = new Configuration(false);
            hadoopSettings.forEach(configuration::set);
        }
        return configuration;
    }

    /** The file system of {@code path}; for local files, without Hadoop's .crc side files. */
    FileSystem fileSystem(Path path) throws IOException {
        FileSystem fs = path.getFileSystem(configuration());
        return fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
    }

    Path output(String output) {
        if (output.startsWith("/") || Arrays.asList(output.split("/")).contains("..")) {
            throw new IllegalArgumentException("the output " + output + " would be outside " + folder);
        }
        return new Path(folder, output);
    }

    @Override
    public byte[] readInput(String location) throws IOException {
        Path path = new Path(URI.create(location));
        FileSystem fs = fileSystem(path);
        FileStatus status = fs.getFileStatus(path);
        if (status.getLen() > ImageReader.DEFAULT_MAX_FILE_BYTES) {
            throw new IOException(location + " is " + status.getLen() + " bytes, over the limit of "
                    + ImageReader.DEFAULT_MAX_FILE_BYTES + " bytes for an image");
        }
        try (FSDataInputStream in = fs.open(path)) {
            return in.readAllBytes();
        }
    }

    @Override
    public boolean exists(String output) throws IOException {
        Path path = output(output);
        return fileSystem(path).isFile(path);
    }

    @Override
    public byte[] readOutput(String output) throws IOException {
        Path path = output(output);
        try (FSDataInputStream in = fileSystem(path).open(path)) {
            return in.readAllBytes();
        }
    }

    @Override
    public void writeOutput(String output, byte[] bytes) throws IOException {
        write(output(output), bytes);
    }

    /** Writes a hidden temporary file beside {@code target}, then renames it into place. */
    private void write(Path target, byte[] bytes) throws IOException {
        FileSystem fs = fileSystem(target);
        fs.mkdirs(target.getParent());
        Path temporary = new Path(target.getParent(), "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FSDataOutputStream out = fs.create(temporary, false)) {
                out.write(bytes);
                out.hsync();
            }
            // HDFS's rename does not replace: remove the old file first (a crash in between leaves
            // no output and no manifest line, so the item is simply redone).
            if (fs.exists(target)) {
                fs.delete(target, false);
            }
            if (!fs.rename(temporary, target)) {
                throw new IOException("could not rename " + temporary + " to " + target);
            }
        } finally {
            if (fs.exists(temporary)) {
                fs.delete(temporary, false);
            }
        }
    }

    @Override
    public List<String> readManifest() throws IOException {
        List<String> lines = new ArrayList<>();
        Path manifest = new Path(folder, MANIFEST);
        FileSystem fs = fileSystem(manifest);
        if (fs.isFile(manifest)) {
            lines.addAll(read(fs, manifest));
        }
        for (Path part : parts()) {
            lines.addAll(read(fs, part));
        }
        return lines;
    }

    private static List<String> read(FileSystem fs, Path file) throws IOException {
        try (FSDataInputStream in = fs.open(file)) {
            return Arrays.asList(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1));
        }
    }

    /** The part files, oldest first (their names start with the time they were written). */
    private List<Path> parts() throws IOException {
        Path parts = new Path(folder, PARTS);
        FileSystem fs = fileSystem(parts);
        if (!fs.isDirectory(parts)) {
            return List.of();
        }
        List<Path> found = new ArrayList<>();
        for (FileStatus status : fs.listStatus(parts)) {
            if (status.isFile() && status.getPath().getName().endsWith(".jsonl")) {
                found.add(status.getPath());
            }
        }
        found.sort(java.util.Comparator.comparing(Path::getName));
        return found;
    }

    @Override
    public void appendManifest(List<String> lines) throws IOException {
        StringBuilder text = new StringBuilder();
        lines.forEach(line -> text.append(line).append('\n'));
        String name = String.format("%019d-%s.jsonl", System.currentTimeMillis() * 1000 + System.nanoTime() % 1000,
                UUID.randomUUID());
        write(new Path(new Path(folder, PARTS), name), text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Folds the part files into the manifest (rewritten whole, then renamed into place) and
     * deletes them. Run on the driver when no task is writing.
     */
    public void consolidate() throws IOException {
        List<Path> parts = parts();
        if (parts.isEmpty()) {
            return;
        }
        Path manifest = new Path(folder, MANIFEST);
        FileSystem fs = fileSystem(manifest);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        if (fs.isFile(manifest)) {
            try (FSDataInputStream in = fs.open(manifest)) {
                byte[] old = in.readAllBytes();
                all.write(old);
                if (old.length > 0 && old[old.length - 1] != '\n') {
                    all.write('\n'); // a line cut short stays a line of its own, ignored when read
                }
            }
        }
        for (Path part : parts) {
            try (FSDataInputStream in = fs.open(part)) {
                all.write(in.readAllBytes());
            }
        }
        write(manifest, all.toByteArray());
        for (Path part : parts) {
            fs.delete(part, false);
        }
        Path folderOfParts = new Path(folder, PARTS);
        if (fs.listStatus(folderOfParts).length == 0) {
            fs.delete(folderOfParts, false);
        }
    }

    @Override
    public String describe(String output) {
        return output(output).toString();
    }

    @Override
    public String toString() {
        return "HadoopBatchFiles[" + folder + "]";
    }
}
