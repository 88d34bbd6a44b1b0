package io.github.style4j.samediff.weights;

import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.network.NetworkWeights;
import org.deeplearning4j.nn.graph.ComputationGraph;

/** The DL4J zoo model's own seeded random initialisation ({@code init()}): no download. */
final class ZooInitWeights implements WeightSource {
    private final long seed;

    ZooInitWeights(long seed) {
        this.seed = seed;
    }

    @Override
    public NetworkWeights load(Architecture architecture) throws WeightLoadException {
        ComputationGraph graph = (ComputationGraph) Dl4jGraphs.zooModel(architecture, seed).init();
        return Dl4jGraphs.extract(architecture, graph, "DL4J zoo " + architecture + " init(seed=" + seed + ")");
    }

    @Override
    public String toString() {
        return "zooInit(seed=" + seed + ")";
    }
}
