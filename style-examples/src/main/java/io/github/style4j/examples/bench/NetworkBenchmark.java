package io.github.style4j.examples.bench;

import io.github.style4j.core.backend.NativeBuildSelector;
import io.github.style4j.samediff.QuietGradients;
import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.network.FeatureGraph;
import io.github.style4j.samediff.network.FeatureNetwork;
import io.github.style4j.samediff.network.NetworkWeights;
import io.github.style4j.samediff.weights.WeightSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Seconds per forward + backward-to-the-image pass of a feature network (VGG-19 to
 * {@code relu5_1}, SqueezeNet to {@code fire9}) at several sizes, with the same VGG work done
 * through DL4J's {@code ComputationGraph} API beside it. Each configuration runs in its own
 * child JVM so that peak resident memory (VmHWM) is its own.
 */
@Command(name = "network", mixinStandardHelpOptions = true,
        description = "Times forward + backward to the image for VGG-19 and SqueezeNet (SameDiff), and VGG-19 "
                + "through DL4J's ComputationGraph, with peak memory.")
final class NetworkBenchmark implements Callable<Integer> {
    private static final String RESULT = "RESULT ";

    @Option(names = "--sizes", split = ",", description = "Image sides (default: ${DEFAULT-VALUE}).")
    List<Integer> sizes = List.of(256, 512);

    @Option(names = "--iterations", description = "Timed passes (default: ${DEFAULT-VALUE}).")
    int iterations = 3;

    @Option(names = "--worker", hidden = true)
    String worker;

    @Option(names = "--size", hidden = true)
    int size;

    @Override
    public Integer call() throws Exception {
        if (worker != null) {
            NativeBuildSelector.select();
            double[] seconds = switch (worker) {
                case "samediff-vgg19" -> sameDiff(Architecture.VGG19, "relu5_1");
                case "samediff-squeezenet" -> sameDiff(Architecture.SQUEEZENET, "fire9");
                default -> computationGraphVgg19();
            };
            System.out.println(RESULT + median(seconds) + " " + peakResidentMb());
            return 0;
        }
        System.out.println("Forward + backward to the image, batch 1, random zoo init() weights; median of "
                + iterations + " after a warm-up; each row in its own JVM. Native build: "
                + NativeBuildSelector.select().build());
        Path script = Path.of(System.getProperty("style4j.root", "."), "style-examples", "bench", "pytorch_trunk.py");
        boolean torch = Files.isRegularFile(script) && pythonHasTorch();
        if (!torch) {
            System.out.println("(PyTorch rows skipped: /usr/bin/python3 cannot import torch; apt-get install python3-torch)");
        }
        double peak = sgemmGflops();
        System.out.printf(Locale.ROOT, "ND4J SGEMM 2048^3 in this JVM (%d threads): %.1f GFLOP/s. A reference, not the FMA "
                + "peak: PyTorch's oneDNN convolutions exceed it%n", Runtime.getRuntime().availableProcessors(), peak);
        System.out.printf(Locale.ROOT, "%-30s %6s %10s %12s %10s %9s %12s%n", "network", "size", "seconds", "GFLOP/s",
                "of SGEMM", "vs torch", "peak RSS MB");
        for (int side : sizes) {
            Map<String, Double> torchSeconds = new java.util.HashMap<>();
            if (torch) {
                for (String network : List.of("vgg19", "squeezenet")) {
                    torchSeconds.put(network, pytorch(script, network, side));
                }
            }
            for (String kind : List.of("samediff-vgg19", "dl4j-computationgraph-vgg19", "samediff-squeezenet")) {
                String[] result = ChildJvm.run(BenchCommand.class, RESULT, "network", "--worker", kind, "--size",
                        String.valueOf(side), "--iterations", String.valueOf(iterations));
                double seconds = Double.parseDouble(result[0]);
                String network = kind.endsWith("vgg19") ? "vgg19" : "squeezenet";
                printRow(kind, side, seconds, peak, torchSeconds.get(network), Double.parseDouble(result[1]));
            }
            for (Map.Entry<String, Double> entry : torchSeconds.entrySet()) {
                printRow("pytorch-" + entry.getKey(), side, entry.getValue(), peak, entry.getValue(), Double.NaN);
            }
        }
        System.out.println("GFLOP/s counts the convolutions' forward and input-gradient work (2x the forward "
                + "multiply-adds x 2); SameDiff and DL4J also compute weight gradients, which this does not count.");
        return 0;
    }

    private static void printRow(String kind, int side, double seconds, double peak, Double torchSeconds, double rss) {
        double gflop = kind.contains("vgg19") ? 2 * Vgg19Trunk.convolutionFlops(Architecture.VGG19, side, "relu5_1") / 1e9
                : Double.NaN;
        System.out.printf(Locale.ROOT, "%-30s %6d %10.3f %12.1f %9.0f%% %8.2fx %12.0f%n", kind, side, seconds,
                gflop / seconds, 100 * gflop / seconds / peak, torchSeconds == null ? Double.NaN : seconds / torchSeconds,
                rss);
    }

    private static boolean pythonHasTorch() {
        try {
            Process process = new ProcessBuilder("/usr/bin/python3", "-c", "import torch").redirectErrorStream(true)
                    .start();
            process.getInputStream().readAllBytes();
            return process.waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private double pytorch(Path script, String network, int side) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("/usr/bin/python3", script.toString(), network, String.valueOf(side),
                String.valueOf(iterations), String.valueOf(Runtime.getRuntime().availableProcessors()))
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (process.waitFor() != 0 || !output.contains(RESULT)) {
            throw new IllegalStateException("PyTorch run failed:\n" + output);
        }
        return Double.parseDouble(output.substring(output.indexOf(RESULT) + RESULT.length()).trim().split("\\s+")[0]);
    }

    /**
     * GFLOP/s of a 2048x2048x2048 float matrix product through ND4J (OpenBLAS): a same-run
     * reference for what the BLAS under SameDiff delivers. Not the machine's FMA peak (#8 still
     * needs a measurement of that).
     */
    private static double sgemmGflops() {
        NativeBuildSelector.select();
        INDArray a = Nd4j.rand(DataType.FLOAT, 2048, 2048);
        INDArray b = Nd4j.rand(DataType.FLOAT, 2048, 2048);
        a.mmul(b);
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            a.mmul(b);
            best = Math.min(best, (System.nanoTime() - start) / 1e9);
        }
        return 2.0 * 2048 * 2048 * 2048 / best / 1e9;
    }

    private double[] sameDiff(Architecture architecture, String deepest) throws Exception {
        NetworkWeights weights = WeightSource.zooInit(1).load(architecture);
        FeatureNetwork network = FeatureNetwork.builder().setWeights(weights).build();
        FeatureGraph graph = network.graph(Nd4j.rand(DataType.FLOAT, 1, 3, size, size), List.of(deepest));
        SameDiff sd = graph.sameDiff();
        sd.sum("loss", sd.math().square(graph.taps().get(deepest))).markAsLoss();
        QuietGradients.createGradFunction(sd);
        return time(() -> sd.calculateGradients(Map.of(), FeatureGraph.IMAGE).get(FeatureGraph.IMAGE));
    }

    /** The same VGG-19 trunk (to relu5_1) as a DL4J ComputationGraph with an MSE loss on its output. */
    private double[] computationGraphVgg19() throws Exception {
        var builder = new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(size, size, 3));
        int[] perBlock = {2, 2, 4, 4, 1};
        int[] channels = {64, 128, 256, 512, 512};
        String previous = "in";
        for (int block = 0; block < 5; block++) {
            for (int i = 0; i < perBlock[block]; i++) {
                String name = "conv" + (block + 1) + "_" + (i + 1);
                builder.addLayer(name, new ConvolutionLayer.Builder(3, 3).padding(1, 1).nOut(channels[block])
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.RELU).build(), previous);
                previous = name;
            }
            if (block < 4) {
                builder.addLayer("pool" + (block + 1), new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
                        .kernelSize(2, 2).stride(2, 2).build(), previous);
                previous = "pool" + (block + 1);
            }
        }
        builder.addLayer("loss", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
                .activation(Activation.IDENTITY).build(), previous).setOutputs("loss");
        ComputationGraph graph = new ComputationGraph(builder.build());
        graph.init();
        INDArray input = Nd4j.rand(DataType.FLOAT, 1, 3, size, size);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 1, 512, size / 16, size / 16);
        graph.setInputs(input);
        graph.setLabels(labels);
        // M2.1's ComputationGraph does not hand out the input gradient; computeGradientAndScore does the
        // same forward and backward work (every layer's epsilon, down to the first) plus weight gradients.
        return time(() -> {
            graph.computeGradientAndScore();
            return graph.getGradientsViewArray();
        });
    }

    private interface Pass {
        INDArray run() throws Exception;
    }

    private double[] time(Pass pass) throws Exception {
        INDArray warm = pass.run();
        if (warm == null || !Double.isFinite(warm.sumNumber().doubleValue())) {
            throw new IllegalStateException("no finite image gradient");
        }
        double[] seconds = new double[iterations];
        for (int i = 0; i < iterations; i++) {
            long start = System.nanoTime();
            pass.run();
            seconds[i] = (System.nanoTime() - start) / 1e9;
        }
        return seconds;
    }

    /** The median of measured times (benchmarks report medians: robust to a noisy, shared machine). */
    static double median(List<Double> values) {
        return median(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /** Peak resident set size of this process, from /proc (VmHWM). */
    static double peakResidentMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        return Double.NaN;
    }
}
