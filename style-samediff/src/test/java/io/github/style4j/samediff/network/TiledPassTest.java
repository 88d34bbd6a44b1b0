package io.github.style4j.samediff.network;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.samediff.weights.WeightSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@link TiledPass} hands out each tile's owned positions and their gradient arrays in buffers
 * kept from tile to tile (a fresh array costs more to fault in than a SqueezeNet forward pass
 * over it), and what it hands out is still each tile's own: the whole image's map at the tile's
 * positions, and zeros for the gradients.
 */
class TiledPassTest {
    private static final List<String> LAYERS = List.of("relu1", "fire2", "fire4");

    @Test
    void ownedPositionsAndGradientsReuseOneBufferPerLayer() throws Exception {
        FeatureNetwork network = FeatureNetwork.builder().setWeights(WeightSource.zooInit(3).load(Architecture.SQUEEZENET))
                .build();
        Nd4j.getRandom().setSeed(2);
        INDArray image = Nd4j.rand(DataType.FLOAT, 1, 3, 83, 101);
        Map<String, INDArray> whole;
        try (FeaturePass pass = network.pass(LAYERS)) {
            whole = new java.util.LinkedHashMap<>();
            pass.forward(image).forEach((layer, map) -> whole.put(layer, map.dup()));
        }
        TileLayout layout = TileLayout.of(network, LAYERS, 83, 101, 24);
        assertTrue(layout.tiles().size() >= 9, "the test needs interior and edge tiles: " + layout);
        Map<String, Long> features = new java.util.HashMap<>();
        Map<String, Long> gradients = new java.util.HashMap<>();
        try (TiledPass tiled = new TiledPass(network, LAYERS, layout)) {
            for (TileLayout.Tile tile : layout.tiles()) {
                Map<String, INDArray> owned = tiled.forward(image, tile);
                Map<String, INDArray> zeros = tiled.ownedGradients();
                assertEquals(owned.keySet(), zeros.keySet());
                owned.forEach((layer, map) -> {
                    TileLayout.Region at = tile.global().get(layer);
                    INDArray expected = whole.get(layer).get(NDArrayIndex.all(), NDArrayIndex.all(),
                            NDArrayIndex.interval(at.y0(), at.y1()), NDArrayIndex.interval(at.x0(), at.x1()));
                    assertArrayEquals(expected.shape(), map.shape(), layer);
                    assertTrue(expected.equalsWithEps(map, 1e-5), layer + " at tile " + tile.index());
                    INDArray gradient = zeros.get(layer);
                    assertArrayEquals(map.shape(), gradient.shape(), layer);
                    assertEquals(0.0, gradient.amaxNumber().doubleValue(), layer + " gradient of tile " + tile.index());
                    // The loss writes gradients through reshapes ([C, positions]): they must be views.
                    gradient.reshape('c', gradient.size(1), gradient.length() / gradient.size(1)).assign(1);
                    assertEquals(gradient.length(), gradient.sumNumber().doubleValue(), layer + " written through");
                    assertEquals((long) features.computeIfAbsent(layer, key -> map.data().address()),
                            map.data().address(), layer + "'s owned positions moved to a new buffer");
                    assertEquals((long) gradients.computeIfAbsent(layer, key -> gradient.data().address()),
                            gradient.data().address(), layer + "'s gradients moved to a new buffer");
                });
            }
        }
        assertEquals(LAYERS.size(), features.size(), "every layer was owned by some tile");
    }

    /**
     * Moving tiles change size every evaluation: after {@link TiledPass#reserve} for the largest
     * crop, no tile of any offset moves a layer's owned positions or gradients to a new buffer,
     * and what a tile owns is still its crop's own map.
     */
    @Test
    void reservedBuffersHoldEveryMovingTile() throws Exception {
        FeatureNetwork network = FeatureNetwork.builder().setWeights(WeightSource.zooInit(3).load(Architecture.SQUEEZENET))
                .build();
        Nd4j.getRandom().setSeed(4);
        INDArray image = Nd4j.rand(DataType.FLOAT, 1, 3, 90, 110);
        int core = 40;
        int side = TileLayout.movingCropSide(Architecture.SQUEEZENET, LAYERS, core);
        Map<String, Long> features = new java.util.HashMap<>();
        Map<String, Long> gradients = new java.util.HashMap<>();
        try (TiledPass tiled = new TiledPass(network, LAYERS, TileLayout.of(network, LAYERS, 90, 110, core));
             FeaturePass alone = network.pass(LAYERS)) {
            tiled.reserve(Math.min(90, side), Math.min(110, side));
            for (int offset = 0; offset < 40; offset += 7) {
                TileLayout layout = TileLayout.moving(Architecture.SQUEEZENET, false, LAYERS, 90, 110, core, offset,
                        3 * offset);
                for (TileLayout.Tile tile : layout.tiles()) {
                    Map<String, INDArray> owned = tiled.forward(image, tile);
                    Map<String, INDArray> zeros = tiled.ownedGradients();
                    Map<String, INDArray> crop = alone.forward(image.get(NDArrayIndex.all(), NDArrayIndex.all(),
                            NDArrayIndex.interval(tile.y0(), tile.y1()), NDArrayIndex.interval(tile.x0(), tile.x1())));
                    owned.forEach((layer, map) -> {
                        assertArrayEquals(crop.get(layer).shape(), map.shape(), layer);
                        assertTrue(crop.get(layer).equalsWithEps(map, 1e-5), layer);
                        assertEquals((long) features.computeIfAbsent(layer, key -> map.data().address()),
                                map.data().address(), layer + "'s owned positions moved to a new buffer");
                        assertEquals((long) gradients.computeIfAbsent(layer, key -> zeros.get(layer).data().address()),
                                zeros.get(layer).data().address(), layer + "'s gradients moved to a new buffer");
                    });
                }
            }
        }
    }
}
