package io.github.style4j.samediff.batch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The pictures a batch names on the local file system: image files, folders (every image
 * below, in name order), globs ({@code photos/*.jpg}, {@code shoot/**}{@code /*.png}), and list
 * files ({@code .txt} or {@code .lst}: one path per line, relative to the list's folder, '#'
 * comments).
 */
public final class BatchInputs {
    /** Extensions style4j reads (see ImageReader). */
    static final Set<String> IMAGE_EXTENSIONS = Set.of("png", "jpg", "jpeg", "tif", "tiff", "bmp", "gif", "webp",
            "pnm", "ppm", "pgm", "pbm", "pam");
    private static final Set<String> LIST_EXTENSIONS = Set.of("txt", "lst", "list");

    private BatchInputs() {
    }

    /**
     * Every picture the arguments name, in order, without duplicates.
     *
     * @throws IllegalArgumentException an argument names nothing (with the argument and why)
     */
    public static List<BatchInput> expand(List<String> arguments) {
        List<BatchInput> inputs = new ArrayList<>();
        java.util.Set<Path> seen = new java.util.HashSet<>();
        for (String argument : arguments) {
            List<BatchInput> found = expand(argument);
            for (BatchInput input : found) {
                if (seen.add(Path.of(input.location()).toAbsolutePath().normalize())) {
                    inputs.add(input);
                }
            }
        }
        return inputs;
    }

    private static List<BatchInput> expand(String argument) {
        if (argument.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{')) {
            return glob(argument);
        }
        Path path = Path.of(argument);
        if (Files.isDirectory(path)) {
            List<BatchInput> found = folder(path, path, null);
            if (found.isEmpty()) {
                throw new IllegalArgumentException("the folder " + path + " holds no image files (looked for "
                        + String.join(", ", new java.util.TreeSet<>(IMAGE_EXTENSIONS)) + ")");
            }
            return found;
        }
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("no such file or folder: " + argument + " (check the path)");
        }
        String extension = extension(path);
        if (LIST_EXTENSIONS.contains(extension)) {
            return listFile(path);
        }
        return List.of(new BatchInput(path.toString(), name(path.getFileName().toString())));
    }

    private static List<BatchInput> glob(String pattern) {
        // The folder is the part before the first segment with a wildcard.
        String[] segments = pattern.split("/", -1);
        int first = 0;
        while (first < segments.length && segments[first].chars().noneMatch(c -> c == '*' || c == '?' || c == '['
                || c == '{')) {
            first++;
        }
        String base = String.join("/", java.util.Arrays.copyOfRange(segments, 0, first));
        Path root = base.isEmpty() ? Path.of(".") : Path.of(pattern.startsWith("/") && base.isEmpty() ? "/" : base);
        String rest = String.join("/", java.util.Arrays.copyOfRange(segments, first, segments.length));
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("no such folder: " + root + " (in the pattern " + pattern + ")");
        }
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + rest);
        List<BatchInput> found = folder(root, root, matcher);
        if (found.isEmpty()) {
            throw new IllegalArgumentException("the pattern " + pattern + " matches no image file");
        }
        return found;
    }

    private static List<BatchInput> folder(Path folder, Path root, PathMatcher matcher) {
        try (Stream<Path> files = Files.walk(folder, java.nio.file.FileVisitOption.FOLLOW_LINKS)) {
            return files.filter(Files::isRegularFile)
                    .filter(file -> isImage(file.getFileName().toString()))
                    .filter(file -> matcher == null || matcher.matches(root.relativize(file)))
                    .sorted()
                    .map(file -> new BatchInput(file.toString(), nameBelow(root, file)))
                    .toList();
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalArgumentException("the folder " + folder + " cannot be listed: " + e.getMessage(), e);
        }
    }

    private static List<BatchInput> listFile(Path list) {
        List<String> lines;
        try {
            lines = Files.readAllLines(list);
        } catch (IOException e) {
            throw new IllegalArgumentException("the list file " + list + " cannot be read: " + e.getMessage(), e);
        }
        Path folder = list.toAbsolutePath().getParent();
        List<BatchInput> inputs = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Path file = folder.resolve(line);
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException(list + " line " + (i + 1) + ": no such file " + line);
            }
            inputs.add(new BatchInput(file.toString(), name(file.getFileName().toString())));
        }
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("the list file " + list + " names no file");
        }
        return inputs;
    }

    /** The path below {@code root}, '/'-separated, without the extension, each part made safe. */
    static String nameBelow(Path root, Path file) {
        return name(root.relativize(file).toString().replace(java.io.File.separatorChar, '/'));
    }

    /**
     * An input's name from its '/'-separated path below the folder it was listed from
     * ({@code day1/beach.jpg} -> {@code day1/beach}), each part made safe for a file name: how
     * every listing (local or on Hadoop) names inputs, so that outputs get the same names.
     */
    public static String name(String relativePath) {
        String[] parts = relativePath.split("/");
        List<String> safe = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            safe.add(BatchStyle.safe(i == parts.length - 1 ? stemOf(parts[i]) : parts[i]));
        }
        return String.join("/", safe);
    }

    /** Whether a file name has an extension style4j reads as an image (hidden files never). */
    public static boolean isImage(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return !fileName.startsWith(".") && dot > 0
                && IMAGE_EXTENSIONS.contains(fileName.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    static String stemOf(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot > 0 ? fileName.substring(0, dot) : fileName;
    }

    static String extension(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
