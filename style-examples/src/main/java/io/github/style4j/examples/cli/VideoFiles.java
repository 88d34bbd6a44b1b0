package io.github.style4j.examples.cli;

import io.github.style4j.core.image.AtomicFiles;
import io.github.style4j.core.image.ImageException;
import io.github.style4j.core.image.ImageReader;
import io.github.style4j.core.image.ImageWriter;
import io.github.style4j.core.image.RgbImage;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.FrameRecorder;
import org.bytedeco.javacv.Java2DFrameConverter;

/**
 * Video files through FFmpeg (bytedeco's bindings, the JavaCPP family ND4J is built on): a
 * video's frames out as numbered PNGs, and numbered pictures back into a video (MPEG-4 Part 2,
 * the LGPL build's own encoder, in an .mp4, .mkv or .avi).
 */
final class VideoFiles {
    /** Extensions read as videos. */
    static final Set<String> VIDEO_EXTENSIONS = Set.of("mp4", "m4v", "mov", "mkv", "avi", "webm", "mpg", "mpeg",
            "ts");

    private VideoFiles() {
    }

    static boolean isVideo(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && VIDEO_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** What a video holds. */
    record Extracted(int frames, double frameRate, int width, int height) {
    }

    /**
     * Writes every frame of {@code video} as {@code frame_00001.png}, ... into {@code folder}
     * (created), each atomically; frames already there are kept (an interrupted extraction
     * goes on where it stopped).
     *
     * @throws IOException the file cannot be opened or decoded (with FFmpeg's reason)
     */
    static Extracted extractFrames(Path video, Path folder) throws IOException {
        if (!Files.isRegularFile(video)) {
            throw new IOException(video + " does not exist");
        }
        Files.createDirectories(folder);
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(video.toFile());
             Java2DFrameConverter converter = new Java2DFrameConverter()) {
            grabber.start();
            int count = 0;
            for (Frame frame = grabber.grabImage(); frame != null; frame = grabber.grabImage()) {
                count++;
                Path file = folder.resolve(String.format(Locale.ROOT, "frame_%05d.png", count));
                if (Files.exists(file)) {
                    continue;
                }
                BufferedImage image = converter.convert(frame);
                ImageWriter.defaults().write(RgbImage.fromBufferedImage(image), file);
            }
            if (count == 0) {
                throw new IOException(video + " has no video frames");
            }
            return new Extracted(count, grabber.getFrameRate(), grabber.getImageWidth(), grabber.getImageHeight());
        } catch (FrameGrabber.Exception e) {
            throw new IOException(video + " cannot be read as a video: " + e.getMessage(), e);
        }
    }

    /**
     * Encodes {@code frames} (pictures of one size, in order) as a video at {@code frameRate},
     * written whole or not at all.
     *
     * @throws IOException a frame cannot be read, frames differ in size, or FFmpeg refuses
     */
    static void encode(List<Path> frames, double frameRate, Path video) throws IOException {
        if (frames.isEmpty()) {
            throw new IOException("no frames to encode into " + video);
        }
        RgbImage first = ImageReader.defaults().read(frames.get(0));
        // YUV 4:2:0 needs even sides
        int width = first.width() & ~1;
        int height = first.height() & ~1;
        String name = video.getFileName().toString();
        String extension = name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        if (!Set.of("mp4", "mkv", "avi", "mov").contains(extension)) {
            throw new IOException("a video is written as .mp4, .mkv, .avi or .mov, not " + name);
        }
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
        try {
            AtomicFiles.write(video, out -> {
                // FFmpeg writes the container itself (seeking back for the index): into a
                // temporary file, whose bytes are then copied into the atomic write.
                Path temporary = Files.createTempFile("style4j-video", "." + extension);
                try {
                    record(frames, frameRate, width, height, extension, temporary);
                    Files.copy(temporary, out);
                } finally {
                    Files.deleteIfExists(temporary);
                }
            });
        } catch (ImageException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** The top-left {@code width x height} of a picture as 8-bit BGR. */
    private static BufferedImage toBgr(RgbImage picture, int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = Math.round(Math.max(0, Math.min(1, picture.get(0, x, y))) * 255);
                int g = Math.round(Math.max(0, Math.min(1, picture.get(1, x, y))) * 255);
                int b = Math.round(Math.max(0, Math.min(1, picture.get(2, x, y))) * 255);
                image.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return image;
    }

    private static void record(List<Path> frames, double frameRate, int width, int height, String format, Path file)
            throws IOException {
        try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toFile(), width, height, 0);
             Java2DFrameConverter converter = new Java2DFrameConverter()) {
            recorder.setFormat(format.equals("mkv") ? "matroska" : format);
            recorder.setVideoCodec(avcodec.AV_CODEC_ID_MPEG4);
            recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
            recorder.setFrameRate(frameRate);
            recorder.setVideoQuality(2); // qscale 2: near-transparent for MPEG-4 Part 2
            recorder.start();
            for (Path path : frames) {
                RgbImage picture = ImageReader.defaults().read(path).withoutAlpha();
                if ((picture.width() & ~1) != width || (picture.height() & ~1) != height) {
                    throw new IOException(path + " is " + picture.width() + "x" + picture.height() + ", but the video is "
                            + width + "x" + height + "; every frame must have the same size");
                }
                recorder.record(converter.convert(toBgr(picture, width, height)), avutil.AV_PIX_FMT_BGR24);
            }
            recorder.stop();
        } catch (FrameRecorder.Exception e) {
            throw new IOException("FFmpeg could not write " + file + ": " + e.getMessage(), e);
        }
    }
}
