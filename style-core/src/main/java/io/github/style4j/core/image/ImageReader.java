package io.github.style4j.core.image;

import java.awt.color.ColorSpace;
import java.awt.color.ICC_ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.awt.image.ColorConvertOp;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferUShort;
import java.awt.image.IndexColorModel;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;
import org.apache.commons.imaging.ImageFormat;
import org.apache.commons.imaging.ImageFormats;
import org.apache.commons.imaging.ImageInfo;
import org.apache.commons.imaging.Imaging;
import org.apache.commons.imaging.common.ImageMetadata;
import org.apache.commons.imaging.formats.jpeg.JpegImageMetadata;
import org.apache.commons.imaging.formats.tiff.TiffField;
import org.apache.commons.imaging.formats.tiff.TiffImageMetadata;
import org.apache.commons.imaging.formats.tiff.constants.TiffTagConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads image files into {@link RgbImage}s, refusing hostile or broken files with a
 * specific {@link ImageException} rather than an out-of-memory error, a hang or a decoder's
 * stack trace.
 *
 * <p>Formats: PNG (8 and 16 bit; grey, grey+alpha, palette, RGB, RGBA), JPEG (baseline,
 * progressive, CMYK/YCCK), WebP (lossy, lossless), BMP, GIF, TIFF and PNM (PBM/PGM/PPM/PAM).
 * The format is sniffed from the content, not the extension. Each format has one decoder,
 * chosen by measurement and by what fuzzing found (docs/decisions/0006-image-decoders.md):
 * <ul>
 *   <li>PNG 8-bit colour, TIFF and the rarer PNM variants: Apache Commons Imaging;</li>
 *   <li>16-bit and grey PNG, BMP and GIF: the JDK's ImageIO decoders (Commons
 *       Imaging reduces 16-bit PNG to 8 bits, linearises grey, and allocates hundreds of
 *       megabytes on some tiny damaged BMPs and GIFs);</li>
 *   <li>RGB and grey JPEG: the JDK's own JPEG decoder, picked by class; CMYK/YCCK JPEG, WebP
 *       with an ICC profile and animated WebP (its first frame): the TwelveMonkeys ImageIO
 *       plugins, picked by class;</li>
 *   <li>binary PGM/PPM (8 or 16 bit), grey or RGB(A) TIFF of 8 or 16 bits in strips or tiles,
 *       the common PNG, and still WebP, lossless or lossy (with alpha): style4j itself
 *       ({@link BinaryPnm}, {@link DeepTiff}, {@link DirectPng}, {@link WebpLossless},
 *       {@link WebpLossy}).</li>
 * </ul>
 * EXIF orientation (JPEG, TIFF) is applied. An embedded ICC profile other than sRGB is
 * converted to sRGB exactly once (by the decoder where it does so, else here).
 *
 * <p>Before any pixel memory is allocated, the size declared in the header is checked
 * against {@link #maxPixels()} (style4j reads the PNG, JPEG, BMP, GIF, WebP and PNM headers
 * itself); PNG and JPEG files must also be complete (end chunk / marker present); compressed
 * PNG chunks are bounded before they are inflated; every TIFF directory, strip and tile must
 * lie inside the file, and odd TIFF variants are refused. Instances are immutable and
 * thread-safe.
 */
public final class ImageReader {
    /** Default pixel limit: 50 megapixels (about 600 MB as float RGB). */
    public static final long DEFAULT_MAX_PIXELS = 50_000_000L;
    /** Default file size limit: 512 MiB. */
    public static final long DEFAULT_MAX_FILE_BYTES = 512L << 20;

    private static final Logger log = LoggerFactory.getLogger(ImageReader.class);
    private static final ImageReader DEFAULT = builder().build();

    private final long maxPixels;
    private final long maxFileBytes;

    private ImageReader(Builder builder) {
        this.maxPixels = builder.maxPixels;
        this.maxFileBytes = builder.maxFileBytes;
    }

    /** A reader with the default limits. */
    public static ImageReader defaults() {
        return DEFAULT;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The largest width x height accepted. */
    public long maxPixels() {
        return maxPixels;
    }

    /** The largest file accepted, in bytes. */
    public long maxFileBytes() {
        return maxFileBytes;
    }

    /**
     * Reads an image.
     *
     * @throws ImageFileException        missing, a directory, unreadable, empty or over the file size limit
     * @throws UnsupportedImageException not an image format style4j reads, or a CMYK/YCCK image
     * @throws ImageTooLargeException    the header declares more than {@link #maxPixels()} pixels
     * @throws CorruptImageException     truncated or damaged
     */
    public RgbImage read(Path path) throws ImageException {
        return read(readBytes(path), path);
    }

    /**
     * Reads an image already in memory (an upload, a resource); {@code name} is used in
     * messages and for the extension check only.
     *
     * @throws ImageException as {@link #read(Path)}, except the file errors
     */
    public RgbImage read(byte[] bytes, Path name) throws ImageException {
        Path path = name;
        if (bytes.length == 0) {
            throw new ImageFileException(path, "is empty (0 bytes); it is not an image");
        }
        if (bytes.length > maxFileBytes) {
            throw new ImageFileException(path, "is " + bytes.length + " bytes, over the limit of " + maxFileBytes
                    + " bytes; raise it with ImageReader.builder().optMaxFileBytes(...)");
        }
        ImageFormat format = sniff(bytes, path);
        if (BinaryPnm.handles(bytes)) {
            BinaryPnm.Header pnm = BinaryPnm.header(bytes, path);
            if (ContainerChecks.exceeds(pnm.width(), pnm.height(), maxPixels)) {
                throw new ImageTooLargeException(path, pnm.width(), pnm.height(), maxPixels);
            }
            return BinaryPnm.decode(bytes, pnm, path);
        }
        if (format == ImageFormats.TIFF) {
            ContainerChecks.requireBoundedTiff(bytes, path);
            RgbImage deep = DeepTiff.read(bytes, path, maxPixels);
            if (deep != null) {
                return Orientation.apply(deep, exifOrientation(bytes, format, path));
            }
        }
        ContainerChecks.Header header = header(bytes, format, path, maxPixels);
        if (ContainerChecks.exceeds(header.width(), header.height(), maxPixels)) {
            throw new ImageTooLargeException(path, header.width(), header.height(), maxPixels);
        }
        if (format == ImageFormats.PNG) {
            ContainerChecks.requireCompletePng(bytes, path);
            if (DirectPng.handles(bytes)) {
                return Orientation.apply(DirectPng.decode(bytes, path), exifOrientation(bytes, format, path));
            }
        } else if (format == ImageFormats.JPEG && ContainerChecks.isJpeg(bytes)) {
            ContainerChecks.requireCompleteJpeg(bytes, path);
        } else if (format == ImageFormats.WEBP) {
            int[] lossless = WebpLossless.payload(bytes);
            if (lossless != null) {
                RgbImage image = WebpLossless.decode(bytes, lossless, header.width(), header.height(), path);
                return Orientation.apply(image, exifOrientation(bytes, format, path));
            }
            int[] lossy = WebpLossy.payload(bytes);
            if (lossy != null) {
                RgbImage image = WebpLossy.decode(bytes, lossy, header.width(), header.height(), path);
                return Orientation.apply(image, exifOrientation(bytes, format, path));
            }
        }

        Decoded result = decode(bytes, format, header, path);
        BufferedImage decoded = result.image();
        if (decoded.getWidth() != header.width() || decoded.getHeight() != header.height()) {
            throw new CorruptImageException(path, "decoded " + decoded.getWidth() + "x" + decoded.getHeight()
                    + " pixels but the header declares " + header.width() + "x" + header.height());
        }
        RgbImage image = result.converted() != null ? result.converted()
                : toRgb(decoded, result.inSrgb() ? null : iccProfile(bytes, path), path);
        return Orientation.apply(image, exifOrientation(bytes, format, path));
    }

    private byte[] readBytes(Path path) throws ImageException {
        if (Files.isDirectory(path)) {
            throw new ImageFileException(path, "is a directory, not an image file");
        }
        if (!Files.exists(path)) {
            throw new ImageFileException(path, "no such file; check the path");
        }
        try {
            long size = Files.size(path);
            if (size == 0) {
                throw new ImageFileException(path, "is empty (0 bytes); it is not an image");
            }
            if (size > maxFileBytes) {
                throw new ImageFileException(path, "is " + size + " bytes, over the limit of " + maxFileBytes
                        + " bytes; raise it with ImageReader.builder().optMaxFileBytes(...)");
            }
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new ImageFileException(path, "no such file; check the path", e);
        } catch (AccessDeniedException e) {
            throw new ImageFileException(path, "cannot be read: permission denied", e);
        } catch (ImageException e) {
            throw e;
        } catch (IOException e) {
            throw new ImageFileException(path, "cannot be read: " + e.getMessage(), e);
        }
    }

    private static ImageFormat sniff(byte[] bytes, Path path) throws UnsupportedImageException {
        ImageFormat format;
        try {
            format = Imaging.guessFormat(bytes);
        } catch (IOException | RuntimeException e) {
            format = ImageFormats.UNKNOWN;
        }
        if (format == ImageFormats.UNKNOWN || format == null) {
            throw new UnsupportedImageException(path, "is not an image in a format style4j reads (its first bytes "
                    + "match no known signature" + extensionNote(path) + "); supported: PNG, JPEG, BMP, GIF, TIFF, "
                    + "PNM, WebP");
        }
        String extension = extension(path);
        if (!extension.isEmpty() && !matchesExtension(format, extension)) {
            log.warn("{}: the file is {} although its name ends in .{}; reading it as {}", path, format.getName(),
                    extension, format.getName());
        }
        return format;
    }

    private static String extensionNote(Path path) {
        String extension = extension(path);
        return extension.isEmpty() ? "" : ", whatever its ." + extension + " extension says";
    }

    private static boolean matchesExtension(ImageFormat format, String extension) {
        for (String known : format.getExtensions()) {
            if (known.equalsIgnoreCase(extension)) {
                return true;
            }
        }
        return false;
    }

    static String extension(Path path) {
        String name = path.getFileName() == null ? "" : path.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    private static ContainerChecks.Header header(byte[] bytes, ImageFormat format, Path path, long maxPixels)
            throws ImageException {
        if (format == ImageFormats.PNG && ContainerChecks.isPng(bytes)) {
            return ContainerChecks.pngHeader(bytes, path);
        }
        if (format == ImageFormats.BMP && ContainerChecks.isBmp(bytes)) {
            // Commons Imaging sizes a buffer from the header first: it overflows on large ones and
            // refuses valid top-down (negative height) files.
            return ContainerChecks.bmpHeader(bytes, path);
        }
        if (format == ImageFormats.WEBP) {
            return ContainerChecks.webpHeader(bytes, path); // Commons Imaging misreads VP8L sizes
        }

        if (format == ImageFormats.GIF) {
            // Commons Imaging allocates hundreds of megabytes reading some tiny damaged GIFs (the
            // fuzz finding crash-ce443a...: 42 bytes, 290 MB), so GIFs go to the JDK decoder and
            // their header is read here.
            return ContainerChecks.gifHeader(bytes, path, maxPixels);
        }
        if (format == ImageFormats.JPEG && ContainerChecks.isJpeg(bytes)) {
            return ContainerChecks.jpegHeader(bytes, path);
        }
        try {
            ImageInfo info = Imaging.getImageInfo(bytes);
            if (info.getWidth() <= 0 || info.getHeight() <= 0) {
                throw new CorruptImageException(path, format.getName() + " header declares a " + info.getWidth()
                        + "x" + info.getHeight() + " image");
            }
            int bits = Math.max(1, info.getBitsPerPixel());
            boolean grey = info.getColorType() == ImageInfo.ColorType.GRAYSCALE
                    || info.getColorType() == ImageInfo.ColorType.BW;
            return new ContainerChecks.Header(info.getWidth(), info.getHeight(), bits, 0, grey);
        } catch (CorruptImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new CorruptImageException(path, format.getName() + " header cannot be read (" + describe(e)
                    + "); the file is damaged or truncated", e);
        }
    }

    /**
     * A decoded image, and whether the decoder already converted it from the file's ICC
     * profile to sRGB (Commons Imaging does for PNG's iCCP chunk, TwelveMonkeys for JPEG;
     * converting again would over-saturate, e.g. Adobe RGB red 200 becoming 255 instead of 227).
     */
    private record Decoded(BufferedImage image, boolean inSrgb, RgbImage converted) {
        Decoded(BufferedImage image, boolean inSrgb) {
            this(image, inSrgb, null);
        }
    }

    private static Decoded decode(byte[] bytes, ImageFormat format, ContainerChecks.Header header, Path path)
            throws ImageException {
        if (format == ImageFormats.JPEG && header.components() != 4) {
            // RGB and grey JPEG: the JDK's decoder itself, the fastest here; it applies an embedded
            // ICC profile itself (checked against littleCMS in ImageReaderFormatsTest).
            // Colour is decoded into RGB-ordered rows: its default BGR raster makes the decoder copy
            // each row through a per-row array and per-sample calls (a 12 MP photo: 55 ms and 36 MB
            // of garbage a pass, against 33 ms; a progressive JPEG repeats that once a scan).
            BufferedImage destination = header.components() == 3 ? rgbOrderedImage(header) : null;
            // A sequential JPEG's rows are converted to floats on another core while later rows
            // are still being decoded. Not a progressive one's: the decoder outputs the whole image
            // after every scan, and converting each pass would be wasted.
            if (!ContainerChecks.isSequentialJpeg(bytes, path)) {
                return new Decoded(readWithPlugin(JDK_JPEG, bytes, format, path, null, destination), true);
            }
            PipelinedConversion pipeline = new PipelinedConversion();
            BufferedImage image = readWithPlugin(JDK_JPEG, bytes, format, path, pipeline, destination);
            return new Decoded(image, true, pipeline.finish(image));
        }
        ImageReaderSpi plugin = PLUGINS.get(format);
        if (plugin != null) {
            // TwelveMonkeys' JPEG reader (CMYK and YCCK here) applies the embedded profile itself.
            return new Decoded(readWithPlugin(plugin, bytes, format, path), format == ImageFormats.JPEG);
        }
        // Commons Imaging decodes greyscale into a linear-grey raster (16/255 comes back as 13/255)
        // and 16-bit PNG into 8 bits; the JDK's decoders keep the stored samples.
        // Never the JDK's TIFF reader: it allocated 3 GB for a 253-byte grey TIFF and exhausted a
        // 4 GB heap on 273 bytes declaring 46 bits a pixel (crash-1656fb..., crash-7ec2c7...);
        // common grey TIFFs are read by DeepTiff before this.
        // PNG: the JDK's decoder, 2-3x faster and leaner than Commons Imaging's on a 12 MP file,
        // except with an ICC profile, which Commons Imaging applies (and the JDK's does not).
        boolean jdkFirst = header.grey() && format != ImageFormats.PNM && format != ImageFormats.TIFF
                || format == ImageFormats.PNG && (header.bitDepth() == 16 || !ContainerChecks.hasPngChunk(bytes, "iCCP"))
                || format == ImageFormats.GIF || format == ImageFormats.BMP;
        Exception commonsFailure = null;
        if (!jdkFirst) {
            try {
                BufferedImage image = Imaging.getBufferedImage(bytes);
                if (image != null) {
                    return new Decoded(image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
                            ? asPackedRgb(image) : image, format == ImageFormats.PNG);
                }
            } catch (IOException | RuntimeException e) {
                commonsFailure = e;
            } catch (OutOfMemoryError e) {
                throw new CorruptImageException(path, "decoding ran out of memory; the file is probably damaged", e);
            }
        }
        boolean jdkKnowsFormat = format == ImageFormats.JPEG || format == ImageFormats.PNG
                || format == ImageFormats.BMP || format == ImageFormats.GIF;
        if (!jdkKnowsFormat) {
            throw new CorruptImageException(path, format.getName() + " image cannot be decoded ("
                    + describe(commonsFailure) + "); the file is damaged or uses a variant Commons Imaging "
                    + "does not support", commonsFailure);
        }
        if (commonsFailure != null) {
            log.debug("{}: Commons Imaging could not decode it ({}); using the JDK decoder", path,
                    describe(commonsFailure));
        }
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
            if (image == null) {
                throw new IOException("no JDK reader accepted it");
            }
            return new Decoded(image, false);
        } catch (IOException | RuntimeException e) {
            if (commonsFailure != null) {
                e.addSuppressed(commonsFailure);
            }
            throw new CorruptImageException(path, format.getName() + " image cannot be decoded (" + describe(e)
                    + "); the file is damaged or truncated", e);
        } catch (OutOfMemoryError e) {
            throw new CorruptImageException(path, "decoding ran out of memory; the file is probably damaged", e);
        }
    }

    /**
     * Formats decoded by a TwelveMonkeys ImageIO plugin, chosen explicitly rather than through
     * ImageIO's registry so that what decodes a file does not depend on the class path: CMYK and
     * YCCK JPEG (RGB and grey JPEG go to {@link #JDK_JPEG}) and WebP (Commons Imaging reads only
     * the header). See docs/decisions/0006-image-decoders.md.
     */
    private static final java.util.Map<ImageFormat, ImageReaderSpi> PLUGINS = java.util.Map.of(
            ImageFormats.JPEG, plugin(com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi.class),
            ImageFormats.WEBP, plugin(com.twelvemonkeys.imageio.plugins.webp.WebPImageReaderSpi.class));

    /** The JDK's own JPEG decoder, found by class name so that a plugin registered in its place is not used. */
    private static final ImageReaderSpi JDK_JPEG = jdkJpeg();

    private static ImageReaderSpi jdkJpeg() {
        java.util.Iterator<ImageReaderSpi> providers = javax.imageio.spi.IIORegistry.getDefaultInstance()
                .getServiceProviders(ImageReaderSpi.class, true);
        while (providers.hasNext()) {
            ImageReaderSpi provider = providers.next();
            if (provider.getClass().getName().equals("com.sun.imageio.plugins.jpeg.JPEGImageReaderSpi")) {
                return provider;
            }
        }
        return plugin(com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi.class); // a JRE without it
    }

    /**
     * The registered instance of a plugin: registration is where TwelveMonkeys' JPEG reader
     * finds the JDK decoder it delegates to. Registered here if the class path scan missed it.
     */
    private static <T extends ImageReaderSpi> T plugin(Class<T> type) {
        javax.imageio.spi.IIORegistry registry = javax.imageio.spi.IIORegistry.getDefaultInstance();
        T registered = registry.getServiceProviderByClass(type);
        if (registered == null) {
            try {
                registry.registerServiceProvider(type.getDeclaredConstructor().newInstance(), ImageReaderSpi.class);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot create the image decoder " + type.getName(), e);
            }
            registered = registry.getServiceProviderByClass(type);
        }
        return registered;
    }

    private static BufferedImage readWithPlugin(ImageReaderSpi spi, byte[] bytes, ImageFormat format, Path path)
            throws ImageException {
        return readWithPlugin(spi, bytes, format, path, null, null);
    }

    /** An 8-bit sRGB image whose samples are stored R, G, B (the JDK's JPEG decoder's own order). */
    private static BufferedImage rgbOrderedImage(ContainerChecks.Header header) {
        int w = Math.toIntExact(header.width());
        int h = Math.toIntExact(header.height());
        ComponentColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                java.awt.Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 3 * w, 3,
                new int[] {0, 1, 2}, null);
        return new BufferedImage(model, raster, false, null);
    }

    private static BufferedImage readWithPlugin(ImageReaderSpi spi, byte[] bytes, ImageFormat format, Path path,
                                                javax.imageio.event.IIOReadUpdateListener updates,
                                                BufferedImage destination)
            throws ImageException {
        javax.imageio.ImageReader reader = null;
        try (ImageInputStream in = new ByteArrayImageInputStream(bytes)) {
            reader = spi.createReaderInstance();
            reader.setInput(in, true, true);
            if (updates != null) {
                reader.addIIOReadUpdateListener(updates);
            }
            javax.imageio.ImageReadParam param = reader.getDefaultReadParam();
            param.setDestination(destination);
            BufferedImage image = reader.read(0, param);
            if (image == null) {
                throw new IOException("the decoder returned no image");
            }
            return image;
        } catch (IOException | RuntimeException e) {
            throw new CorruptImageException(path, format.getName() + " image cannot be decoded (" + describe(e)
                    + "); the file is damaged or uses a variant style4j does not read", e);
        } catch (OutOfMemoryError e) {
            throw new CorruptImageException(path, "decoding ran out of memory; the file is probably damaged", e);
        } finally {
            if (reader != null) {
                reader.dispose();
            }
        }
    }

    /**
     * Commons Imaging's grey rasters hold linear-light values, so their samples must not be
     * read as stored; going through the colour model gives back sRGB-encoded values.
     */
    private static BufferedImage asPackedRgb(BufferedImage grey) {
        int w = grey.getWidth();
        int h = grey.getHeight();
        boolean alpha = grey.getColorModel().hasAlpha();
        BufferedImage packed = new BufferedImage(w, h, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        packed.setRGB(0, 0, w, h, grey.getRGB(0, 0, w, h, null, 0, w), 0, w);
        return packed;
    }

    private static ICC_Profile iccProfile(byte[] bytes, Path path) {
        try {
            return Imaging.getIccProfile(bytes);
        } catch (IOException | RuntimeException e) {
            log.warn("{}: its embedded ICC colour profile is unreadable ({}); assuming sRGB", path, describe(e));
            return null;
        }
    }

    private static int exifOrientation(byte[] bytes, ImageFormat format, Path path) {
        if (format != ImageFormats.JPEG && format != ImageFormats.TIFF) {
            return 1;
        }
        try {
            if (format == ImageFormats.JPEG && ContainerChecks.isJpeg(bytes) && !ContainerChecks.hasJpegExif(bytes, path)) {
                return 1; // no EXIF segment: nothing to parse
            }
        } catch (CorruptImageException e) {
            return 1; // the completeness check has already walked these segments; cannot happen
        }
        try {
            ImageMetadata metadata = Imaging.getMetadata(bytes);
            TiffField field = null;
            if (metadata instanceof JpegImageMetadata jpeg) {
                field = jpeg.findExifValueWithExactMatch(TiffTagConstants.TIFF_TAG_ORIENTATION);
            } else if (metadata instanceof TiffImageMetadata tiff) {
                field = tiff.findField(TiffTagConstants.TIFF_TAG_ORIENTATION);
            }
            return field == null ? 1 : field.getIntValue();
        } catch (IOException | RuntimeException e) {
            log.warn("{}: its EXIF metadata is unreadable ({}); ignoring the orientation tag", path, describe(e));
            return 1;
        }
    }

    /** Converts any decoded image to float RGB without the JDK's gamma games on grey images. */
    static RgbImage toRgb(BufferedImage image, ICC_Profile profile, Path path) throws ImageException {
        int w = image.getWidth();
        int h = image.getHeight();
        int n = w * h;
        ColorModel model = image.getColorModel();
        ColorSpace space = model.getColorSpace();
        Raster raster = image.getRaster();
        float[] rgb = new float[3 * n];
        float[] alpha = model.hasAlpha() ? new float[n] : null;
        int bits = 8;

        int interleavedBits = interleaved(image, rgb, alpha);
        if (interleavedBits > 0) {
            bits = interleavedBits; // samples as stored, read straight from the raster's array
        } else if (model instanceof ComponentColorModel && raster.getTransferType() != DataBuffer.TYPE_FLOAT
                && raster.getTransferType() != DataBuffer.TYPE_DOUBLE
                && (space.getType() == ColorSpace.TYPE_GRAY || space.getType() == ColorSpace.TYPE_RGB)) {
            // Samples as stored. Going through getRGB() would treat grey as linear and re-encode it.
            int colourBands = space.getNumComponents();
            bits = model.getComponentSize(0);
            float[] samples = new float[n];
            for (int band = 0; band < colourBands; band++) {
                float max = (1 << model.getComponentSize(band)) - 1;
                raster.getSamples(0, 0, w, h, band, samples);
                for (int i = 0; i < n; i++) {
                    // A damaged TIFF can hold samples wider than its declared bit depth (a fuzz finding).
                    samples[i] = Math.min(1f, samples[i] / max);
                }
                if (colourBands == 1) {
                    System.arraycopy(samples, 0, rgb, 0, n);
                    System.arraycopy(samples, 0, rgb, n, n);
                    System.arraycopy(samples, 0, rgb, 2 * n, n);
                } else {
                    System.arraycopy(samples, 0, rgb, band * n, n);
                }
            }
            if (alpha != null) {
                float max = (1 << model.getComponentSize(colourBands)) - 1;
                raster.getSamples(0, 0, w, h, colourBands, alpha);
                for (int i = 0; i < n; i++) {
                    alpha[i] = Math.min(1f, alpha[i] / max);
                }
            }
            if (space.getType() == ColorSpace.TYPE_RGB && !space.isCS_sRGB() && profile == null
                    && space instanceof ICC_ColorSpace icc) {
                profile = icc.getProfile();
            }
        } else {
            BufferedImage source = image;
            if (!(model instanceof IndexColorModel) && space.getType() != ColorSpace.TYPE_RGB
                    && space.getType() != ColorSpace.TYPE_GRAY) {
                throw new UnsupportedImageException(path, "uses a " + colourSpaceName(space.getType())
                        + " colour space; style4j reads RGB and greyscale only. Convert it to sRGB first");
            }
            int[] argb = source.getRGB(0, 0, w, h, null, 0, w);
            for (int i = 0; i < n; i++) {
                int p = argb[i];
                rgb[i] = ((p >> 16) & 0xff) / 255f;
                rgb[n + i] = ((p >> 8) & 0xff) / 255f;
                rgb[2 * n + i] = (p & 0xff) / 255f;
                if (alpha != null) {
                    alpha[i] = ((p >>> 24) & 0xff) / 255f;
                }
            }
        }
        if (profile != null && profile.getColorSpaceType() == ColorSpace.TYPE_RGB && !isSrgb(profile)) {
            convertToSrgb(rgb, w, h, profile);
        }
        return RgbImage.wrap(w, h, rgb, alpha, bits > 8 ? 16 : 8);
    }

    /**
     * An sRGB or grey image of 8-bit samples interleaved in one byte array (what the JPEG and PNG
     * decoders return: 3BYTE_BGR, 4BYTE_ABGR, BYTE_GRAY) or of 16-bit samples in one short array
     * (the JDK's 16-bit PNG), whose rows convert to float planes without per-sample raster calls.
     *
     * @param bytes  the samples when 8 bits, else null
     * @param shorts the samples when 16 bits, else null
     */
    private record InterleavedSamples(byte[] bytes, short[] shorts, int[] offsets, int pixelStride, int lineStride,
                                      int base, int colourBands, int w, int h) {
        /** The layout of {@code image}, or null for any other kind of image. */
        static InterleavedSamples of(BufferedImage image) {
            ColorModel model = image.getColorModel();
            Raster raster = image.getRaster();
            ColorSpace space = model.getColorSpace();
            DataBuffer buffer = raster.getDataBuffer();
            if (!(model instanceof ComponentColorModel)
                    || !(buffer instanceof DataBufferByte || buffer instanceof DataBufferUShort)
                    || !(raster.getSampleModel() instanceof PixelInterleavedSampleModel layout)
                    || raster.getSampleModelTranslateX() != 0 || raster.getSampleModelTranslateY() != 0
                    || !(space.isCS_sRGB() || space.getType() == ColorSpace.TYPE_GRAY && space.getNumComponents() == 1)
                    || (model.hasAlpha() && model.isAlphaPremultiplied())) {
                return null;
            }
            int bits = buffer instanceof DataBufferByte ? 8 : 16;
            int colourBands = space.getNumComponents();
            int bands = colourBands + (model.hasAlpha() ? 1 : 0);
            for (int band = 0; band < bands; band++) {
                if (model.getComponentSize(band) != bits) {
                    return null;
                }
            }
            return new InterleavedSamples(buffer instanceof DataBufferByte b ? b.getData() : null,
                    buffer instanceof DataBufferUShort u ? u.getData() : null, layout.getBandOffsets(),
                    layout.getPixelStride(), layout.getScanlineStride(), buffer.getOffset(), colourBands,
                    image.getWidth(), image.getHeight());
        }

        int bits() {
            return bytes != null ? 8 : 16;
        }

        /** Rows {@code [from, to)} into the colour planes. */
        void convertRows(float[] rgb, int from, int to) {
            int n = w * h;
            for (int y = from; y < to; y++) {
                for (int c = 0; c < 3; c++) {
                    convertRow(y, offsets[colourBands == 1 ? 0 : c], rgb, c * n + y * w);
                }
            }
        }

        /** Row {@code y}'s alpha into the alpha plane. */
        void convertAlpha(float[] alpha, int y) {
            convertRow(y, offsets[colourBands], alpha, y * w);
        }

        private void convertRow(int y, int bandOffset, float[] target, int to) {
            int from = base + y * lineStride + bandOffset;
            if (bytes != null) {
                for (int x = 0; x < w; x++) {
                    target[to + x] = (bytes[from + x * pixelStride] & 0xff) / 255f;
                }
            } else {
                for (int x = 0; x < w; x++) {
                    target[to + x] = (shorts[from + x * pixelStride] & 0xffff) / 65535f;
                }
            }
        }
    }

    /**
     * The common case, fast: converts an {@link InterleavedSamples} image and returns its bit
     * depth; returns 0, touching nothing, for any other layout.
     */
    private static int interleaved(BufferedImage image, float[] rgb, float[] alpha) {
        InterleavedSamples layout = InterleavedSamples.of(image);
        if (layout == null) {
            return 0;
        }
        // Rows in parallel for large images: the conversion is bound by writing 12 bytes a pixel.
        java.util.stream.IntStream rows = java.util.stream.IntStream.range(0, layout.h());
        (((long) layout.w() * layout.h() >= 1 << 20) ? rows.parallel() : rows).forEach(y -> {
            layout.convertRows(rgb, y, y + 1);
            if (alpha != null) {
                layout.convertAlpha(alpha, y);
            }
        });
        return layout.bits();
    }

    /**
     * Converts a baseline JPEG's rows to float planes on another core as the decoder delivers
     * them, so that a large photo's conversion (bound by writing 12 bytes a pixel) overlaps its
     * decoding instead of following it. Anything unusual (a progressive JPEG's repeated passes,
     * another raster layout, alpha) turns it off, and {@link #toRgb} converts the whole image
     * afterwards as before.
     */
    private static final class PipelinedConversion implements javax.imageio.event.IIOReadUpdateListener {
        private static final int ROWS_PER_TASK = 64;
        private final List<java.util.concurrent.Future<?>> tasks = new ArrayList<>();
        private InterleavedSamples layout;
        private float[] rgb;
        private boolean off;
        private int delivered;
        private int handedOff;

        @Override
        public void imageUpdate(javax.imageio.ImageReader source, BufferedImage image, int minX, int minY, int width,
                                int height, int periodX, int periodY, int[] bands) {
            if (off) {
                return;
            }
            if (layout == null) {
                layout = InterleavedSamples.of(image);
                if (layout == null || image.getColorModel().hasAlpha() || (long) layout.w() * layout.h() < 1 << 16) {
                    off = true; // tiny images convert fast enough afterwards
                    return;
                }
                rgb = new float[3 * layout.w() * layout.h()];
            }
            if (minX != 0 || width != layout.w() || periodX != 1 || periodY != 1 || minY != delivered) {
                off = true;
                return;
            }
            delivered = minY + height;
            if (delivered - handedOff >= ROWS_PER_TASK) {
                int from = handedOff;
                int to = delivered;
                float[] planes = rgb;
                InterleavedSamples rows = layout;
                tasks.add(java.util.concurrent.ForkJoinPool.commonPool().submit(() -> rows.convertRows(planes, from, to)));
                handedOff = to;
            }
        }

        @Override
        public void passStarted(javax.imageio.ImageReader source, BufferedImage image, int pass, int minPass,
                                int maxPass, int minX, int minY, int periodX, int periodY, int[] bands) {
            // The JDK announces every read as pass 0 of "unknown" (Integer.MAX_VALUE); a second pass
            // means a progressive JPEG, whose rows are refined pass after pass.
            if (pass > 0) {
                off = true;
            }
        }

        @Override
        public void passComplete(javax.imageio.ImageReader source, BufferedImage image) {
        }

        @Override
        public void thumbnailPassStarted(javax.imageio.ImageReader source, BufferedImage thumbnail, int pass,
                                         int minPass, int maxPass, int minX, int minY, int periodX, int periodY,
                                         int[] bands) {
        }

        @Override
        public void thumbnailUpdate(javax.imageio.ImageReader source, BufferedImage thumbnail, int minX, int minY,
                                    int width, int height, int periodX, int periodY, int[] bands) {
        }

        @Override
        public void thumbnailPassComplete(javax.imageio.ImageReader source, BufferedImage thumbnail) {
        }

        /** The converted image, or null if the conversion was turned off (or never started). */
        RgbImage finish(BufferedImage image) throws ImageException {
            for (java.util.concurrent.Future<?> task : tasks) {
                try {
                    task.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    off = true;
                } catch (java.util.concurrent.ExecutionException e) {
                    off = true;
                }
            }
            if (off || layout == null || image.getWidth() != layout.w() || image.getHeight() != layout.h()
                    || InterleavedSamples.of(image) == null) {
                return null;
            }
            layout.convertRows(rgb, handedOff, layout.h());
            return RgbImage.wrap(layout.w(), layout.h(), rgb, null, layout.bits());
        }
    }

    /** Re-expresses RGB values given in {@code profile}'s colour space in sRGB. */
    private static void convertToSrgb(float[] rgb, int w, int h, ICC_Profile profile) {
        int n = w * h;
        ColorSpace from = new ICC_ColorSpace(profile);
        ColorSpace to = ColorSpace.getInstance(ColorSpace.CS_sRGB);
        WritableRaster source = Raster.createBandedRaster(DataBuffer.TYPE_USHORT, w, h, 3, null);
        WritableRaster target = Raster.createBandedRaster(DataBuffer.TYPE_USHORT, w, h, 3, null);
        int[] samples = new int[n];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < n; i++) {
                samples[i] = Math.round(Math.max(0f, Math.min(1f, rgb[c * n + i])) * 65535f);
            }
            source.setSamples(0, 0, w, h, c, samples);
        }
        new ColorConvertOp(from, to, null).filter(source, target);
        for (int c = 0; c < 3; c++) {
            target.getSamples(0, 0, w, h, c, samples);
            for (int i = 0; i < n; i++) {
                rgb[c * n + i] = samples[i] / 65535f;
            }
        }
    }

    private static boolean isSrgb(ICC_Profile profile) {
        byte[] description = profile.getData(ICC_Profile.icSigProfileDescriptionTag);
        if (description == null) {
            return false;
        }
        String text = new String(description, StandardCharsets.ISO_8859_1).replace("\0", "");
        return text.contains("sRGB");
    }

    private static String colourSpaceName(int type) {
        return switch (type) {
            case ColorSpace.TYPE_CMYK -> "CMYK";
            case ColorSpace.TYPE_YCbCr -> "YCbCr";
            case ColorSpace.TYPE_Lab -> "Lab";
            default -> "non-RGB (type " + type + ")";
        };
    }

    /** A decoder's reason in words, without Java class names (the cause stays attached for developers). */
    private static String describe(Throwable e) {
        if (e == null) {
            return "unknown reason";
        }
        String message = e.getMessage();
        if (message != null && !message.isBlank()) {
            return message;
        }
        return e instanceof java.io.EOFException ? "its data ends early" : "the decoder gave no reason";
    }

    @Override
    public String toString() {
        return "ImageReader[maxPixels=" + maxPixels + ", maxFileBytes=" + maxFileBytes + "]";
    }

    /** Builder for {@link ImageReader}; every setting is optional. */
    public static final class Builder {
        private long maxPixels = DEFAULT_MAX_PIXELS;
        private long maxFileBytes = DEFAULT_MAX_FILE_BYTES;

        private Builder() {
        }

        /** The largest width x height accepted (default {@value ImageReader#DEFAULT_MAX_PIXELS}). */
        public Builder optMaxPixels(long maxPixels) {
            this.maxPixels = maxPixels;
            return this;
        }

        /** The largest file accepted, in bytes (default 512 MiB). */
        public Builder optMaxFileBytes(long maxFileBytes) {
            this.maxFileBytes = maxFileBytes;
            return this;
        }

        public ImageReader build() {
            if (maxPixels <= 0) {
                throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
            }
            if (maxFileBytes <= 0) {
                throw new IllegalArgumentException("maxFileBytes must be positive, got " + maxFileBytes);
            }
            return new ImageReader(this);
        }
    }
}
