package io.github.style4j.samediff.network;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A {@link FeaturePass} run tile by tile over an image laid out by a {@link TileLayout}:
 * memory holds one crop's activations whatever the image's size. {@link #forward} gives the
 * positions a tile owns; {@link #backward} takes their gradients and adds the crop's image
 * gradient into the whole image's. Not thread-safe; {@link #close} frees the pass.
 */
public final class TiledPass implements AutoCloseable {
    private final FeatureNetwork network;
    private final Collection<String> layers;
    private final FeaturePass pass;
    private final TileLayout layout;
    private final DataType dataType;
    private final Map<String, INDArray> tapGradients = new LinkedHashMap<>();
    private final Map<String, INDArray> ownedStorage = new LinkedHashMap<>();
    private final Map<String, INDArray> gradientStorage = new LinkedHashMap<>();
    private final Map<String, INDArray> owned = new LinkedHashMap<>();
    private TileLayout.Tile current;
    private long forwards;

    public TiledPass(FeatureNetwork network, Collection<String> layers, TileLayout layout) {
        this.network = network;
        this.layers = List.copyOf(layers);
        this.pass = network.pass(layers);
        this.layout = layout;
        this.dataType = network.dataType();
    }

    public TileLayout layout() {
        return layout;
    }

    /** Forward passes run so far (one per tile per pass over the image). */
    public long forwards() {
        return forwards;
    }

    /**
     * Runs the network on {@code tile}'s crop of {@code image} ({@code [1, 3, H, W]}).
     *
     * @return the positions the tile owns, by layer ({@code [1, C, h, w]}, contiguous): arrays
     *         owned by this pass, overwritten by the next call; callers do not close them
     */
    public Map<String, INDArray> forward(INDArray image, TileLayout.Tile tile) {
        Map<String, INDArray> taps = pass.forward(image.get(crop(tile)));
        current = tile;
        forwards++;
        owned.clear();
        tile.local().forEach((layer, region) -> {
            INDArray tap = taps.get(layer);
            if (tap == null || tap.size(2) < region.y1() || tap.size(3) < region.x1()) {
                throw new IllegalStateException("the tile layout does not fit this network (" + layer + " is "
                        + (tap == null ? "missing" : java.util.Arrays.toString(tap.shape())) + ", the tile owns "
                        + region + "): build it with TileLayout.of(network, ...)");
            }
            // Into the buffers of earlier tiles: on these machines a fresh array costs more to
            // fault in than the network's forward pass over it (decision 0010).
            INDArray view = tap.get(region(region));
            INDArray copy = FeaturePass.ensure(ownedStorage.get(layer), dataType, view.shape()).assign(view);
            ownedStorage.put(layer, copy);
            owned.put(layer, copy);
        });
        return java.util.Collections.unmodifiableMap(owned);
    }

    /**
     * Zeroed arrays shaped as the last {@link #forward}'s owned positions, by layer, for the loss
     * to write its gradients into before {@link #backward}: owned by this pass, overwritten by
     * the next call.
     */
    public Map<String, INDArray> ownedGradients() {
        if (current == null) {
            throw new IllegalStateException("call forward before ownedGradients");
        }
        Map<String, INDArray> gradients = new LinkedHashMap<>();
        owned.forEach((layer, features) -> {
            INDArray gradient = FeaturePass.ensure(gradientStorage.get(layer), dataType, features.shape()).assign(0);
            gradientStorage.put(layer, gradient);
            gradients.put(layer, gradient);
        });
        return java.util.Collections.unmodifiableMap(gradients);
    }

    /**
     * Backpropagates the gradients for the positions the last {@link #forward}'s tile owns ({@code [1, C, h, w]}
     * by layer, as {@link #forward} returned them; missing layers contribute nothing) and adds
     * the crop's image gradient into {@code imageGradient} ({@code [1, 3, H, W]}).
     */
    public void backward(Map<String, INDArray> ownedGradients, INDArray imageGradient) {
        if (current == null) {
            throw new IllegalStateException("call forward before backward");
        }
        Map<String, INDArray> full = new LinkedHashMap<>();
        Map<String, INDArray> taps = pass.taps();
        ownedGradients.forEach((layer, gradient) -> {
            TileLayout.Region region = current.local().get(layer);
            if (region == null || gradient == null) {
                return;
            }
            INDArray buffer = FeaturePass.ensure(tapGradients.get(layer), dataType, taps.get(layer).shape()).assign(0);
            tapGradients.put(layer, buffer);
            buffer.get(region(region)).assign(gradient);
            full.put(layer, buffer);
        });
        INDArray cropGradient = pass.backward(full);
        imageGradient.get(crop(current)).addi(cropGradient);
    }

    /**
     * Allocates every buffer for crops up to {@code height x width} now, by running one such crop
     * forward and backward (zeros), so that tiles whose sizes change from one evaluation to the
     * next (moving tiles) reuse them instead of growing them again and again: each larger array
     * replaced a smaller one whose freed memory the allocator kept (decision 0010).
     */
    public void reserve(int height, int width) {
        TileLayout whole = TileLayout.moving(network.architecture(), network.weights().ceilModePooling(), layers,
                height, width, Math.max(height, width), 0, 0);
        try (INDArray zeros = Nd4j.zeros(dataType, 1, 3, height, width)) {
            forward(zeros, whole.tiles().get(0));
            Map<String, INDArray> gradients = ownedGradients();
            backward(gradients, zeros);
        }
        current = null;
    }

    @Override
    public void close() {
        pass.close();
        for (Map<String, INDArray> buffers : List.of(tapGradients, ownedStorage, gradientStorage)) {
            buffers.values().forEach(buffer -> buffer.data().close());
            buffers.clear();
        }
        owned.clear();
    }

    @Override
    public String toString() {
        return "TiledPass[" + layout + ", " + pass + "]";
    }

    /**
     * Each layer's whole feature map for a fixed image ({@code [1, C, h, w]}), assembled from the
     * tiles' owned positions: e.g. content targets too large to compute at once.
     */
    public static Map<String, INDArray> activations(FeatureNetwork network, TileLayout layout, INDArray image,
                                                    Collection<String> layers) {
        return activations(network, layout, image, layers, () -> { });
    }

    /** As above, running {@code afterTile} after each tile (e.g. to let the JVM free the tile's garbage). */
    public static Map<String, INDArray> activations(FeatureNetwork network, TileLayout layout, INDArray image,
                                                    Collection<String> layers, Runnable afterTile) {
        return activations(network, layout, image, layers, afterTile, network.dataType());
    }

    /**
     * As above, the maps kept in {@code dataType} (e.g. {@code HALF}: half the memory, each value
     * rounded to 11 significant bits), converted tile by tile.
     */
    public static Map<String, INDArray> activations(FeatureNetwork network, TileLayout layout, INDArray image,
                                                    Collection<String> layers, Runnable afterTile, DataType dataType) {
        Map<String, INDArray> maps = new LinkedHashMap<>();
        try (TiledPass tiled = new TiledPass(network, layers, layout)) {
            for (TileLayout.Tile tile : layout.tiles()) {
                Map<String, INDArray> owned = tiled.forward(image, tile);
                owned.forEach((layer, features) -> {
                    long[] size = layout.tapSizes().get(layer);
                    INDArray map = maps.computeIfAbsent(layer,
                            key -> Nd4j.create(dataType, 1, features.size(1), size[0], size[1]));
                    map.get(region(tile.global().get(layer))).assign(features);
                });
                afterTile.run();
            }
        }
        return maps;
    }

    /**
     * Each layer's position-normalised Gram matrix Ĝ = F Fᵀ / M for a fixed image ({@code [C, C]},
     * double precision), summed over the tiles: what {@code FeatureStatistics.gram} gives on the
     * whole map.
     */
    public static Map<String, INDArray> grams(FeatureNetwork network, TileLayout layout, INDArray image,
                                              Collection<String> layers) {
        return grams(network, layout, image, layers, () -> { });
    }

    /** As above, running {@code afterTile} after each tile (e.g. to let the JVM free the tile's garbage). */
    public static Map<String, INDArray> grams(FeatureNetwork network, TileLayout layout, INDArray image,
                                              Collection<String> layers, Runnable afterTile) {
        Map<String, INDArray> sums = new LinkedHashMap<>();
        Map<String, long[]> positions = new LinkedHashMap<>();
        try (TiledPass tiled = new TiledPass(network, layers, layout)) {
            for (TileLayout.Tile tile : layout.tiles()) {
                tiled.forward(image, tile).forEach((layer, features) -> {
                    long channels = features.size(1);
                    long m = features.length() / channels;
                    INDArray doubles = features.castTo(DataType.DOUBLE); // targets: once, in double as FeatureStatistics
                    INDArray flat = doubles.reshape('c', channels, m);
                    INDArray sum = sums.computeIfAbsent(layer, key -> Nd4j.zeros(DataType.DOUBLE, channels, channels));
                    Nd4j.gemm(flat, flat, sum, false, true, 1.0, 1.0);
                    positions.computeIfAbsent(layer, key -> new long[1])[0] += m;
                    if (doubles != features) {
                        doubles.close();
                    }
                });
                afterTile.run();
            }
        }
        List<String> missing = new ArrayList<>();
        for (String layer : layers) {
            String name = network.architecture().canonicalName(layer);
            if (!sums.containsKey(name)) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("the image is too small to have any position at " + missing);
        }
        sums.forEach((layer, sum) -> sum.divi(positions.get(layer)[0]));
        return sums;
    }

    private static INDArrayIndex[] crop(TileLayout.Tile tile) {
        return new INDArrayIndex[] {NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(tile.y0(), tile.y1()),
                NDArrayIndex.interval(tile.x0(), tile.x1())};
    }

    private static INDArrayIndex[] region(TileLayout.Region region) {
        return new INDArrayIndex[] {NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.interval(region.y0(), region.y1()), NDArrayIndex.interval(region.x0(), region.x1())};
    }
}
