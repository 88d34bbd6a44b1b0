package io.github.style4j.spark;

import io.github.style4j.samediff.batch.BatchInput;
import io.github.style4j.samediff.batch.BatchInputs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * The pictures a job's INPUT arguments name, on any Hadoop file system: files, folders (every
 * image below, in name order), and globs (Hadoop's syntax: {@code hdfs://nn/shoot/*.jpg}). Names
 * are as {@code ./style4j batch} makes them, so outputs get the same names.
 */
final class HadoopInputs {
    private HadoopInputs() {
    }

    static List<BatchInput> expand(List<String> arguments, Configuration configuration) throws IOException {
        Set<String> seen = new LinkedHashSet<>();
        List<BatchInput> inputs = new ArrayList<>();
        for (String argument : arguments) {
            Path path = new Path(argument);
            FileSystem fs = path.getFileSystem(configuration);
            FileStatus[] matches = fs.globStatus(path);
            if (matches == null || matches.length == 0) {
                throw new IllegalArgumentException("no such file or folder: " + argument + " (check the path)");
            }
            List<BatchInput> found = new ArrayList<>();
            for (FileStatus match : matches) {
                if (match.isDirectory()) {
                    RemoteIterator<LocatedFileStatus> files = fs.listFiles(match.getPath(), true);
                    List<Path> images = new ArrayList<>();
                    while (files.hasNext()) {
                        Path file = files.next().getPath();
                        if (isImage(file)) {
                            images.add(file);
                        }
                    }
                    images.sort(java.util.Comparator.comparing(Path::toString));
                    String root = match.getPath().toUri().getPath();
                    for (Path image : images) {
                        String below = image.toUri().getPath().substring(root.length() + 1);
                        found.add(new BatchInput(image.toString(), BatchInputs.name(below)));
                    }
                } else if (isImage(match.getPath())) {
                    found.add(new BatchInput(match.getPath().toString(), BatchInputs.name(match.getPath().getName())));
                }
            }
            if (found.isEmpty()) {
                throw new IllegalArgumentException(argument + " names no image file");
            }
            for (BatchInput input : found) {
                if (seen.add(input.location())) {
                    inputs.add(input);
                }
            }
        }
        return inputs;
    }

    private static boolean isImage(Path file) {
        return BatchInputs.isImage(file.getName());
    }
}
