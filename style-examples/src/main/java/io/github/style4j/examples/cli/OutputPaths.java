package io.github.style4j.examples.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a path really leads, for comparing the files a run will write with its inputs: the
 * same file may be named relatively, through {@code ..}, or through a symbolic link.
 */
final class OutputPaths {
    private static final int MAX_LINKS = 40;

    private OutputPaths() {
    }

    /**
     * The absolute path with every link followed, also for a file that does not exist yet
     * (its folder is resolved) and for a link that points to a missing file (its target).
     */
    static Path real(Path path) {
        Path current = path.toAbsolutePath().normalize();
        for (int hops = 0; hops < MAX_LINKS; hops++) {
            try {
                return current.toRealPath();
            } catch (IOException missing) {
                if (!Files.isSymbolicLink(current)) {
                    break;
                }
                try {
                    current = current.resolveSibling(Files.readSymbolicLink(current)).toAbsolutePath().normalize();
                } catch (IOException unreadable) {
                    break;
                }
            }
        }
        Path parent = current.getParent();
        Path name = current.getFileName();
        if (parent == null || name == null) {
            return current;
        }
        return real(parent).resolve(name);
    }

    /** The folder a file will be written into, absolute. */
    static Path folderOf(Path file) {
        Path parent = file.toAbsolutePath().normalize().getParent();
        return parent == null ? file.toAbsolutePath().getRoot() : parent;
    }

    /**
     * Whether {@code file} (a real path) is one the checkpoint writer replaces or deletes in
     * {@code checkpoints} (a real path): its {@code latest} file or anything in a
     * {@code checkpoint-*} folder (see {@code Checkpoints.write}).
     */
    static boolean isCheckpointFile(Path checkpoints, Path file) {
        if (!file.startsWith(checkpoints) || file.equals(checkpoints)) {
            return false;
        }
        String first = checkpoints.relativize(file).getName(0).toString();
        return first.equals("latest") || first.startsWith("checkpoint-") || first.startsWith(".checkpoint-");
    }
}
