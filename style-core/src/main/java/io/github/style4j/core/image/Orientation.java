package io.github.style4j.core.image;

/**
 * Applies an EXIF/TIFF orientation tag (1 to 8) so that the image is upright, as viewers
 * show it. Tag values and their meaning follow TIFF 6.0 / EXIF 2.3: the tag says where row 0
 * and column 0 of the stored image are to be displayed.
 */
final class Orientation {
    private Orientation() {
    }

    static RgbImage apply(RgbImage image, int orientation) {
        if (orientation <= 1 || orientation > 8) {
            return image;
        }
        int w = image.width();
        int h = image.height();
        boolean swap = orientation >= 5;
        int outW = swap ? h : w;
        int outH = swap ? w : h;
        int n = w * h;
        float[] src = image.rgbView();
        float[] srcAlpha = image.alphaView();
        float[] rgb = new float[3 * n];
        float[] alpha = srcAlpha == null ? null : new float[n];
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> { sx = w - 1 - x; sy = y; }              // mirror horizontally
                    case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }      // rotate 180
                    case 4 -> { sx = x; sy = h - 1 - y; }              // mirror vertically
                    case 5 -> { sx = y; sy = x; }                      // transpose
                    case 6 -> { sx = y; sy = h - 1 - x; }              // rotate 90 clockwise
                    case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }      // transverse
                    default -> { sx = w - 1 - y; sy = x; }             // 8: rotate 90 anticlockwise
                }
                int from = sy * w + sx;
                int to = y * outW + x;
                rgb[to] = src[from];
                rgb[n + to] = src[n + from];
                rgb[2 * n + to] = src[2 * n + from];
                if (alpha != null) {
                    alpha[to] = srcAlpha[from];
                }
            }
        }
        return RgbImage.wrap(outW, outH, rgb, alpha, image.sourceBitDepth());
    }
}
