package io.github.style4j.core.image;

/**
 * Resampling kernels. Each is stretched by the shrink factor when downscaling, so every
 * input pixel contributes (antialiasing), as Pillow and ImageMagick do.
 */
public enum ResizeFilter {
    /** Area averaging: each output pixel is the mean of the input pixels under it. */
    AREA(0.5) {
        @Override
        double weight(double t) {
            return t >= -0.5 && t < 0.5 ? 1 : 0;
        }
    },
    /** Keys' cubic convolution with a = -0.5 (Catmull-Rom): sharp, the usual choice for enlarging. */
    BICUBIC(2) {
        @Override
        double weight(double t) {
            double a = -0.5;
            double x = Math.abs(t);
            if (x < 1) {
                return ((a + 2) * x - (a + 3)) * x * x + 1;
            }
            if (x < 2) {
                return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
            }
            return 0;
        }
    },
    /** Windowed sinc with three lobes: the sharpest antialiased downscaling. */
    LANCZOS3(3) {
        @Override
        double weight(double t) {
            double x = Math.abs(t);
            if (x < 1e-9) {
                return 1;
            }
            if (x >= 3) {
                return 0;
            }
            double px = Math.PI * x;
            return 3 * Math.sin(px) * Math.sin(px / 3) / (px * px);
        }
    },
    /** {@link #LANCZOS3} along an axis that shrinks, {@link #BICUBIC} along one that grows. */
    AUTO(3) {
        @Override
        double weight(double t) {
            throw new UnsupportedOperationException("AUTO chooses a filter per axis");
        }
    };

    private final double support;

    ResizeFilter(double support) {
        this.support = support;
    }

    /** Half-width of the kernel at scale 1, in input pixels. */
    double support() {
        return support;
    }

    abstract double weight(double t);

    /** The concrete filter for one axis. */
    ResizeFilter forAxis(int inSize, int outSize) {
        if (this != AUTO) {
            return this;
        }
        return outSize < inSize ? LANCZOS3 : BICUBIC;
    }
}
