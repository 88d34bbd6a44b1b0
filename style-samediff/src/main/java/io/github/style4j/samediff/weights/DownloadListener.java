package io.github.style4j.samediff.weights;

/** Hears how a weight download is going; the command line draws a progress bar from it. */
@FunctionalInterface
public interface DownloadListener {
    /** Does nothing. */
    DownloadListener NONE = (file, bytes, total) -> { };

    /**
     * @param fileName the file being downloaded
     * @param bytes    bytes received so far
     * @param total    the file's size, or -1 when the server does not say
     */
    void onProgress(String fileName, long bytes, long total);
}
