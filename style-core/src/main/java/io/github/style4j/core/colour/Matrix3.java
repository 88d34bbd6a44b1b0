package io.github.style4j.core.colour;

/**
 * The 3x3 matrix algebra colour transfer needs (row-major {@code double[9]}): products,
 * inverse, Cholesky factor and the symmetric eigen-decomposition by Jacobi rotations.
 */
final class Matrix3 {
    private Matrix3() {
    }

    static double[] multiply(double[] a, double[] b) {
        double[] c = new double[9];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                c[3 * i + j] = a[3 * i] * b[j] + a[3 * i + 1] * b[3 + j] + a[3 * i + 2] * b[6 + j];
            }
        }
        return c;
    }

    static double[] transpose(double[] a) {
        return new double[] {a[0], a[3], a[6], a[1], a[4], a[7], a[2], a[5], a[8]};
    }

    static double[] inverse(double[] m) {
        double c00 = m[4] * m[8] - m[5] * m[7];
        double c01 = m[5] * m[6] - m[3] * m[8];
        double c02 = m[3] * m[7] - m[4] * m[6];
        double det = m[0] * c00 + m[1] * c01 + m[2] * c02;
        if (Math.abs(det) < 1e-300) {
            throw new ArithmeticException("singular 3x3 matrix");
        }
        double s = 1 / det;
        return new double[] {
            c00 * s, (m[2] * m[7] - m[1] * m[8]) * s, (m[1] * m[5] - m[2] * m[4]) * s,
            c01 * s, (m[0] * m[8] - m[2] * m[6]) * s, (m[2] * m[3] - m[0] * m[5]) * s,
            c02 * s, (m[1] * m[6] - m[0] * m[7]) * s, (m[0] * m[4] - m[1] * m[3]) * s};
    }

    /** Lower-triangular L with L Lᵀ = m, for symmetric positive definite m. */
    static double[] cholesky(double[] m) {
        double[] l = new double[9];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j <= i; j++) {
                double sum = m[3 * i + j];
                for (int k = 0; k < j; k++) {
                    sum -= l[3 * i + k] * l[3 * j + k];
                }
                if (i == j) {
                    if (sum <= 0) {
                        throw new ArithmeticException("matrix is not positive definite");
                    }
                    l[3 * i + i] = Math.sqrt(sum);
                } else {
                    l[3 * i + j] = sum / l[3 * j + j];
                }
            }
        }
        return l;
    }

    /**
     * Symmetric eigen-decomposition: returns {@code {Q, lambda}} with m = Q diag(lambda) Qᵀ,
     * Q's columns the eigenvectors. Cyclic Jacobi rotations; converges to machine precision.
     */
    static double[][] eigenSymmetric(double[] m) {
        double[] a = m.clone();
        double[] q = {1, 0, 0, 0, 1, 0, 0, 0, 1};
        for (int sweep = 0; sweep < 50; sweep++) {
            double off = a[1] * a[1] + a[2] * a[2] + a[5] * a[5];
            if (off < 1e-30) {
                break;
            }
            for (int p = 0; p < 2; p++) {
                for (int r = p + 1; r < 3; r++) {
                    double apr = a[3 * p + r];
                    if (Math.abs(apr) < 1e-300) {
                        continue;
                    }
                    double theta = (a[3 * r + r] - a[3 * p + p]) / (2 * apr);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) {
                        t = 1;
                    }
                    double c = 1 / Math.sqrt(t * t + 1);
                    double s = t * c;
                    double[] rotation = {1, 0, 0, 0, 1, 0, 0, 0, 1};
                    rotation[3 * p + p] = c;
                    rotation[3 * r + r] = c;
                    rotation[3 * p + r] = s;
                    rotation[3 * r + p] = -s;
                    a = multiply(transpose(rotation), multiply(a, rotation));
                    q = multiply(q, rotation);
                }
            }
        }
        return new double[][] {q, {a[0], a[4], a[8]}};
    }

    /** Q f(lambda) Qᵀ for a symmetric m. */
    static double[] apply(double[] m, java.util.function.DoubleUnaryOperator f) {
        double[][] eigen = eigenSymmetric(m);
        double[] q = eigen[0];
        double[] d = new double[9];
        for (int i = 0; i < 3; i++) {
            d[4 * i] = f.applyAsDouble(eigen[1][i]);
        }
        return multiply(q, multiply(d, transpose(q)));
    }

    /** The symmetric positive square root. */
    static double[] sqrt(double[] m) {
        return apply(m, v -> Math.sqrt(Math.max(v, 0)));
    }
}
