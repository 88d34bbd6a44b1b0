package io.github.style4j.core.optim;

import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.BlasWrapper;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Bounded L-BFGS's quasi-Newton step in the free variables, −(B_FF)⁻¹ g_F: B is the L-BFGS
 * Hessian approximation in its compact form (Byrd, Nocedal and Schnabel 1994),
 * B = θI − W M Wᵀ with W = [Y θS], and F the variables not held at a bound. This is L-BFGS-B's
 * subspace minimisation (Byrd, Lu, Nocedal and Zhu 1995, section 5) taken from x instead of
 * from the Cauchy point. By Sherman–Morrison–Woodbury,
 * (B_FF)⁻¹ = I/θ + W_F K⁻¹ W_Fᵀ / θ², with the 2m × 2m matrix K = M⁻¹ − W_Fᵀ W_F / θ.
 *
 * <p>A sum over the free variables is the whole dot product less the sum over held variables.
 * Whole products are taken once per pair, when it joins the history (four dot products per
 * other pair); held sums are updated as variables enter and leave the held set (2m values read
 * per changed variable). So a step costs 2m dot products and 2m axpys, as the two-loop
 * recursion does, plus the 2m × 2m solve, and makes no image-sized temporaries beyond the
 * direction itself.
 */
final class SubspaceStep {
    private final int capacity;
    /** The pair in each slot (null: free); products are indexed by slot. */
    private final INDArray[][] slotPair;
    private final Map<INDArray[], Integer> slotOf = new IdentityHashMap<>();
    /** Whole products by slot: s_a·y_b, s_a·s_b, y_a·y_b. */
    private final double[][] sy;
    private final double[][] ss;
    private final double[][] yy;
    /** The same sums over held variables only. */
    private final double[][] heldSy;
    private final double[][] heldSs;
    private final double[][] heldYy;
    /** For each held variable, its entries in each slot's s (first capacity) and y (then capacity). */
    private final Map<Integer, double[]> heldRows = new HashMap<>();
    private boolean[] held;

    SubspaceStep(int capacity) {
        this.capacity = capacity;
        this.slotPair = new INDArray[capacity][];
        this.sy = new double[capacity][capacity];
        this.ss = new double[capacity][capacity];
        this.yy = new double[capacity][capacity];
        this.heldSy = new double[capacity][capacity];
        this.heldSs = new double[capacity][capacity];
        this.heldYy = new double[capacity][capacity];
    }

    /**
     * Brings the products up to date with the history ({@code pairs}, oldest first) and the
     * held set, then returns −(B_FF)⁻¹ g_F with zeros on held variables, or null when K is
     * singular (the caller then restarts from steepest descent).
     *
     * @param free  the gradient with held entries zero
     * @param gamma s·y / y·y of the newest pair (1 without pairs): θ = 1/γ
     */
    INDArray direction(INDArray free, boolean[] newHeld, Deque<INDArray[]> pairs, double gamma) {
        syncPairs(pairs);
        syncHeld(newHeld);
        BlasWrapper blas = Nd4j.getBlasWrapper();
        int k = pairs.size();
        double theta = 1 / gamma;
        INDArray q = free.mul(-1 / theta);
        if (k == 0) {
            return q;
        }
        int[] order = new int[k];
        int next = 0;
        for (INDArray[] pair : pairs) {
            order[next++] = slotOf.get(pair);
        }
        // K = M⁻¹ − W_FᵀW_F/θ, M⁻¹ = [[−D, Lᵀ], [L, θSᵀS]], L_ij = s_i·y_j for i > j (i, j by age).
        // Where L's entry and the whole product are the same number they cancel exactly, so
        // only the held sums remain there.
        double[][] kk = new double[2 * k][2 * k];
        double[] rhs = new double[2 * k];
        for (int i = 0; i < k; i++) {
            int a = order[i];
            for (int j = 0; j < k; j++) {
                int b = order[j];
                kk[i][j] = (i == j ? -sy[a][a] : 0) - (yy[a][b] - heldYy[a][b]) / theta;
                kk[i][k + j] = (j > i ? 0 : -sy[b][a]) + heldSy[b][a]; // (Lᵀ − Y_FᵀS_F)_ij
                kk[k + i][j] = (i > j ? 0 : -sy[a][b]) + heldSy[a][b]; // (L − S_FᵀY_F)_ij
                kk[k + i][k + j] = theta * heldSs[a][b];               // θ(SᵀS − S_FᵀS_F)
            }
            INDArray[] pair = slotPair[a];
            rhs[i] = blas.dot(pair[1], free);
            rhs[k + i] = theta * blas.dot(pair[0], free);
        }
        double[] v = solve(kk, rhs);
        if (v == null) {
            q.close();
            return null;
        }
        for (int i = 0; i < k; i++) {
            INDArray[] pair = slotPair[order[i]];
            blas.axpy(-v[i] / (theta * theta), pair[1], q);
            blas.axpy(-v[k + i] / theta, pair[0], q);
        }
        zeroHeld(q);
        return q;
    }

    /**
     * Sums the held rows afresh, in index order, discarding what incremental updates have
     * accumulated: a run resumed from a checkpoint starts this way, and the uninterrupted run
     * does it at the same iteration, so both continue bit for bit.
     */
    void resetHeldSums() {
        held = null;
        heldRows.clear();
        for (double[][] m : new double[][][] {heldSy, heldSs, heldYy}) {
            for (double[] row : m) {
                java.util.Arrays.fill(row, 0);
            }
        }
    }

    private void syncPairs(Deque<INDArray[]> pairs) {
        Set<INDArray[]> current = Collections.newSetFromMap(new IdentityHashMap<>());
        current.addAll(pairs);
        for (int slot = 0; slot < capacity; slot++) {
            if (slotPair[slot] != null && !current.contains(slotPair[slot])) {
                slotOf.remove(slotPair[slot]);
                slotPair[slot] = null;
            }
        }
        BlasWrapper blas = Nd4j.getBlasWrapper();
        for (INDArray[] pair : pairs) { // oldest first: a resumed run takes the same dot products
            if (slotOf.containsKey(pair)) {
                continue;
            }
            int slot = freeSlot();
            slotPair[slot] = pair;
            slotOf.put(pair, slot);
            for (int b = 0; b < capacity; b++) {
                INDArray[] other = slotPair[b];
                if (other == null) {
                    continue;
                }
                sy[slot][b] = blas.dot(pair[0], other[1]);
                sy[b][slot] = b == slot ? sy[slot][b] : blas.dot(other[0], pair[1]);
                ss[slot][b] = ss[b][slot] = blas.dot(pair[0], other[0]);
                yy[slot][b] = yy[b][slot] = blas.dot(pair[1], other[1]);
            }
            if (held != null) {
                addSlotToHeldRows(slot, pair);
            }
        }
    }

    /** The new slot's entries in every held row, and its held sums with every slot, in index order. */
    private void addSlotToHeldRows(int slot, INDArray[] pair) {
        HostVector s = HostVector.of(pair[0]);
        HostVector y = HostVector.of(pair[1]);
        for (int b = 0; b < capacity; b++) {
            heldSy[slot][b] = heldSy[b][slot] = heldSs[slot][b] = heldSs[b][slot] = 0;
            heldYy[slot][b] = heldYy[b][slot] = 0;
        }
        for (int t = 0; t < held.length; t++) {
            if (!held[t]) {
                continue;
            }
            double[] row = heldRows.get(t);
            row[slot] = s.get(t);
            row[capacity + slot] = y.get(t);
            for (int b = 0; b < capacity; b++) {
                if (slotPair[b] == null) {
                    continue;
                }
                heldSy[slot][b] += s.get(t) * row[capacity + b];
                if (b != slot) {
                    heldSy[b][slot] += row[b] * y.get(t);
                }
                heldSs[slot][b] += s.get(t) * row[b];
                heldYy[slot][b] += y.get(t) * row[capacity + b];
                if (b != slot) {
                    heldSs[b][slot] = heldSs[slot][b];
                    heldYy[b][slot] = heldYy[slot][b];
                }
            }
        }
    }

    private void syncHeld(boolean[] newHeld) {
        for (int t = 0; t < newHeld.length; t++) {
            boolean was = held != null && held[t];
            if (newHeld[t] && !was) {
                double[] row = new double[2 * capacity];
                for (int b = 0; b < capacity; b++) {
                    if (slotPair[b] != null) {
                        row[b] = slotPair[b][0].getDouble(t);
                        row[capacity + b] = slotPair[b][1].getDouble(t);
                    }
                }
                heldRows.put(t, row);
                addOuter(row, 1);
            } else if (was && !newHeld[t]) {
                addOuter(heldRows.remove(t), -1);
            }
        }
        held = newHeld.clone();
    }

    private void addOuter(double[] row, int sign) {
        for (int a = 0; a < capacity; a++) {
            if (slotPair[a] == null) {
                continue;
            }
            double sa = sign * row[a];
            double ya = sign * row[capacity + a];
            for (int b = 0; b < capacity; b++) {
                if (slotPair[b] != null) {
                    heldSy[a][b] += sa * row[capacity + b];
                    heldSs[a][b] += sa * row[b];
                    heldYy[a][b] += ya * row[capacity + b];
                }
            }
        }
    }

    private void zeroHeld(INDArray q) {
        int count = heldRows.size();
        if (count == 0) {
            return;
        }
        if (count > held.length / 64) {
            HostVector mask = HostVector.zerosLike(q);
            for (int i = 0; i < held.length; i++) {
                mask.set(i, held[i] ? 0 : 1);
            }
            INDArray freeMask = mask.toArray();
            q.muli(freeMask);
            freeMask.close();
        } else {
            for (int t : heldRows.keySet()) {
                q.putScalar(t, 0);
            }
        }
    }

    private int freeSlot() {
        for (int slot = 0; slot < capacity; slot++) {
            if (slotPair[slot] == null) {
                return slot;
            }
        }
        throw new IllegalStateException("more pairs than the history holds");
    }

    /** Solves a x = b by Gaussian elimination with partial pivoting; null if a is singular. */
    static double[] solve(double[][] a, double[] b) {
        int n = b.length;
        double[][] m = new double[n][];
        for (int i = 0; i < n; i++) {
            m[i] = a[i].clone();
        }
        double[] x = b.clone();
        for (int c = 0; c < n; c++) {
            int pivot = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) {
                    pivot = r;
                }
            }
            if (m[pivot][c] == 0) {
                return null;
            }
            double[] rowSwap = m[c];
            m[c] = m[pivot];
            m[pivot] = rowSwap;
            double valueSwap = x[c];
            x[c] = x[pivot];
            x[pivot] = valueSwap;
            for (int r = c + 1; r < n; r++) {
                double factor = m[r][c] / m[c][c];
                if (factor != 0) {
                    for (int q = c; q < n; q++) {
                        m[r][q] -= factor * m[c][q];
                    }
                    x[r] -= factor * x[c];
                }
            }
        }
        for (int r = n - 1; r >= 0; r--) {
            double sum = x[r];
            for (int q = r + 1; q < n; q++) {
                sum -= m[r][q] * x[q];
            }
            x[r] = sum / m[r][r];
        }
        for (double v : x) {
            if (!Double.isFinite(v)) {
                return null;
            }
        }
        return x;
    }
}
