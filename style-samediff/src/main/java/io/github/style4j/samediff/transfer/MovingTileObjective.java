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
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A perceptual loss evaluated in moving tiles (crowsonkb's {@code style_transfer}): crops
 * without halos ({@link TileLayout#moving}) on a grid shifted by a new random offset every
 * evaluation, each tile forward and backward once, its statistics its own
 * ({@link PerceptualLoss#localTiled()}: each tile's Gram matrix against the style's, weighted by
 * its share of the positions). One forward pass a pixel instead of {@link TiledObjective}'s two,
 * and no halo pixels, so it costs about what the whole image costs per pixel; in exchange it
 * minimises a different objective, which changes with the offset: the positions near a tile's
 * inner edges see zero padding where the image has pixels, and a tile matches the style's
 * statistics on its own. The edges move every evaluation, so no seam stays in one place.
 *
 * <p>For Adam only: the value and gradient change between evaluations at the same point, which
 * L-BFGS's line search and curvature pairs cannot follow. Offsets come from a seeded generator,
 * so a run is repeatable. Not thread-safe.
 */
public final class MovingTileObjective implements Objective, AutoCloseable {
    private final FeatureNetwork network;
    private final TiledPass pass;
    private final TiledLoss loss;
    private final List<String> layers;
    private final List<String> terms;
    private final long[] imageShape;
    private final int coreSize;
    private final Random offsets;
    private NativeGarbage garbage;
    private TileLayout layout;
    private boolean reserved;

    /**
     * @param network  the feature network
     * @param loss     the loss to minimise; must have a {@link PerceptualLoss#localTiled()} form
     * @param terms    names of scalar terms inside {@code loss} to report
     * @param height   the image's height
     * @param width    the image's width
     * @param coreSize pixels per side of each tile (rounded to the network's alignment)
     * @param seed     seeds the offsets
     * @throws IllegalArgumentException if the loss has no form over moving tiles
     */
    public MovingTileObjective(FeatureNetwork network, PerceptualLoss loss, List<String> terms, int height, int width,
                               int coreSize, long seed) {
        this.loss = loss.localTiled().orElseThrow(() -> new IllegalArgumentException("the loss " + loss + " cannot be "
                + "evaluated in moving tiles: content, Gram style (without normalised gradients) and total variation "
                + "can; use exact tiles, a smaller image, or more memory so that it needs no tiles"));
        if (loss.layers().isEmpty()) {
            throw new IllegalArgumentException("the loss reads no layer: it needs no tiles");
        }
        this.network = network;
        this.layers = new ArrayList<>(loss.layers());
        this.coreSize = coreSize;
        this.layout = layout(height, width, 0, 0);
        this.pass = new TiledPass(network, layers, layout);
        this.terms = List.copyOf(terms);
        this.imageShape = new long[] {1, 3, height, width};
        this.offsets = new Random(seed);
    }

    private TileLayout layout(int height, int width, int offsetY, int offsetX) {
        return TileLayout.moving(network.architecture(), network.weights().ceilModePooling(), layers, height, width,
                coreSize, offsetY, offsetX);
    }

    /** Lets {@code garbage} collect after each tile (ND4J M2.1 frees dead arrays only on collection). */
    MovingTileObjective collecting(NativeGarbage garbage) {
        this.garbage = garbage;
        return this;
    }

    /** The tiles of the last evaluation (before the first: offset 0). */
    public TileLayout layout() {
        return layout;
    }

    @Override
    public Evaluation evaluate(INDArray parameters) {
        FeaturePassObjective.checkShape(imageShape, parameters);
        layout = layout((int) imageShape[2], (int) imageShape[3], offsets.nextInt(coreSize), offsets.nextInt(coreSize));
        return evaluate(parameters, layout);
    }

    /** One evaluation over the tiles of {@code tiles} (a {@link TileLayout#moving} layout of this image). */
    Evaluation evaluate(INDArray parameters, TileLayout tiles) {
        if (!reserved) { // the largest crop's buffers first: tile sizes change every evaluation
            int side = TileLayout.movingCropSide(network.architecture(), layers, coreSize);
            pass.reserve((int) Math.min(imageShape[2], side), (int) Math.min(imageShape[3], side));
            reserved = true;
        }
        INDArray gradient = Nd4j.zeros(parameters.dataType(), imageShape);
        loss.begin();
        for (TileLayout.Tile tile : tiles.tiles()) {
            Map<String, INDArray> owned = pass.forward(parameters, tile);
            Map<String, INDArray> gradients = pass.ownedGradients();
            TiledLoss.FeatureTile features = TiledObjective.featureTile(tiles, tile, owned, gradients);
            loss.accumulate(features);
            loss.gradient(features, 1.0);
            pass.backward(gradients, gradient);
            if (garbage != null) {
                garbage.maybeCollect();
            }
        }
        Map<String, Double> values = new LinkedHashMap<>();
        double value = loss.finish(parameters, gradient, 1.0, values);
        return new Evaluation(value, gradient, FeaturePassObjective.reported(terms, values));
    }

    @Override
    public void close() {
        pass.close();
        loss.begin(); // frees the last tile's statistics
    }

    @Override
    public String toString() {
        return "MovingTileObjective[" + layout + "]";
    }
}
