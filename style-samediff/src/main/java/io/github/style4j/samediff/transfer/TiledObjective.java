package io.github.style4j.samediff.transfer;

import io.github.style4j.core.optim.Evaluation;
import io.github.style4j.core.optim.Objective;
import io.github.style4j.samediff.loss.PerceptualLoss;
import io.github.style4j.samediff.loss.TiledLoss;
import io.github.style4j.samediff.network.FeatureNetwork;
import io.github.style4j.samediff.network.TileLayout;
import io.github.style4j.samediff.network.TiledPass;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A perceptual loss of an image evaluated in tiles ({@link TileLayout}, exact halos), so that
 * memory holds one tile's activations whatever the image's size. Each evaluation is two passes
 * over the tiles: a statistics pass (forward; the loss sums what it needs over positions: Gram
 * matrices, squared differences), then the value, then a gradient pass (forward again, the
 * owned positions' gradients, backward, the crop's image gradient added into the image's). The
 * gradient pass runs the tiles in reverse, so the last tile of the statistics pass is still in
 * memory and needs no second forward: one tile costs what {@link FeaturePassObjective} costs.
 *
 * <p>Computes what {@link FeaturePassObjective} computes on the whole image, up to the order of
 * floating-point additions (the tests compare them in double precision). Needs every module of
 * the loss to have a {@link PerceptualLoss#tiled()} form: content, Gram style (without
 * normalised gradients), total variation, and their sums and weightings. Not thread-safe.
 */
public final class TiledObjective implements Objective, AutoCloseable {
    private final TiledPass pass;
    private final TiledLoss loss;
    private final List<String> terms;
    private final long[] imageShape;
    private NativeGarbage garbage;
    private long evaluations;
    private long networkNanos;
    private long lossNanos;
    private long totalNanos;

    /**
     * @param network the feature network
     * @param loss    the loss to minimise; must have a {@link PerceptualLoss#tiled()} form
     * @param terms   names of scalar terms inside {@code loss} to report
     * @param layout  the tiles, for the image size every evaluation will use
     * @throws IllegalArgumentException if the loss has no tiled form
     */
    public TiledObjective(FeatureNetwork network, PerceptualLoss loss, List<String> terms, TileLayout layout) {
        this.loss = loss.tiled().orElseThrow(() -> new IllegalArgumentException("the loss " + loss + " cannot be "
                + "evaluated in tiles: content, Gram style (without normalised gradients) and total variation can; "
                + "use a smaller image, or more memory so that it needs no tiles"));
        if (loss.layers().isEmpty()) {
            throw new IllegalArgumentException("the loss reads no layer: it needs no tiles");
        }
        this.pass = new TiledPass(network, new ArrayList<>(loss.layers()), layout);
        this.terms = List.copyOf(terms);
        this.imageShape = new long[] {1, 3, layout.height(), layout.width()};
    }

    /** Lets {@code garbage} collect after each tile (ND4J M2.1 frees dead arrays only on collection). */
    TiledObjective collecting(NativeGarbage garbage) {
        this.garbage = garbage;
        return this;
    }

    public TileLayout layout() {
        return pass.layout();
    }

    @Override
    public Evaluation evaluate(INDArray parameters) {
        FeaturePassObjective.checkShape(imageShape, parameters);
        long start = System.nanoTime();
        long network = 0;
        List<TileLayout.Tile> tiles = pass.layout().tiles();
        // Allocated before the tiles, so no image-sized allocation falls between them (it lives
        // through the gradient pass anyway). Against the holes glibc's kept memory develops at
        // 8192 px this alone did not help; NativeGarbage's trim did (decision 0010).
        INDArray gradient = Nd4j.zeros(parameters.dataType(), imageShape);
        loss.begin();
        Map<String, INDArray> lastOwned = null;
        for (TileLayout.Tile tile : tiles) {
            long t0 = System.nanoTime();
            Map<String, INDArray> owned = pass.forward(parameters, tile);
            network += System.nanoTime() - t0;
            loss.accumulate(featureTile(tile, owned, null));
            lastOwned = owned; // the gradient pass starts with the last tile, whose activations the pass still holds
            collectGarbage();
        }
        Map<String, Double> values = new LinkedHashMap<>();
        double value = loss.finish(parameters, gradient, 1.0, values);
        for (int i = tiles.size() - 1; i >= 0; i--) {
            TileLayout.Tile tile = tiles.get(i);
            long t0 = System.nanoTime();
            Map<String, INDArray> owned = i == tiles.size() - 1 ? lastOwned : pass.forward(parameters, tile);
            network += System.nanoTime() - t0;
            Map<String, INDArray> gradients = pass.ownedGradients();
            loss.gradient(featureTile(tile, owned, gradients), 1.0);
            long t1 = System.nanoTime();
            pass.backward(gradients, gradient);
            network += System.nanoTime() - t1;
            collectGarbage();
        }
        Map<String, Double> reported = FeaturePassObjective.reported(terms, values);
        evaluations++;
        long total = System.nanoTime() - start;
        networkNanos += network;
        lossNanos += total - network;
        totalNanos += total;
        return new Evaluation(value, gradient, reported);
    }

    private void collectGarbage() {
        if (garbage != null) {
            garbage.maybeCollect();
        }
    }

    private TiledLoss.FeatureTile featureTile(TileLayout.Tile tile, Map<String, INDArray> owned,
                                              Map<String, INDArray> gradients) {
        return featureTile(pass.layout(), tile, owned, gradients);
    }

    /** What a loss sees of one tile of {@code layout}: its owned positions, their gradients, where they lie. */
    static TiledLoss.FeatureTile featureTile(TileLayout layout, TileLayout.Tile tile, Map<String, INDArray> owned,
                                             Map<String, INDArray> gradients) {
        Map<String, int[]> origins = new LinkedHashMap<>();
        tile.global().forEach((layer, region) -> origins.put(layer, new int[] {region.y0(), region.x0()}));
        Map<String, Long> positions = new LinkedHashMap<>();
        layout.tapSizes().forEach((layer, size) -> positions.put(layer, size[0] * size[1]));
        return new TiledLoss.FeatureTile(owned, gradients == null ? Map.of() : gradients, origins, positions);
    }

    /** Where evaluations have spent their time (network: forward and backward passes over all tiles). */
    public EvaluationTimes times() {
        return new EvaluationTimes(evaluations, java.time.Duration.ofNanos(networkNanos),
                java.time.Duration.ofNanos(lossNanos), java.time.Duration.ofNanos(totalNanos));
    }

    /** Forward passes over tiles so far (statistics and gradient passes together). */
    public long forwards() {
        return pass.forwards();
    }

    @Override
    public void close() {
        pass.close();
        loss.begin(); // frees the sums of the last evaluation
    }

    @Override
    public String toString() {
        return "TiledObjective[" + pass.layout() + "]";
    }
}
