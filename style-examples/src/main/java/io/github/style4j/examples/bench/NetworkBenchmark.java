package io.github.style4j.examples.bench;

import io.github.style4j.core.backend.NativeBuildSelector;
import io.github.style4j.core.optim.Evaluation;
import io.github.style4j.core.optim.Lbfgs;
import io.github.style4j.core.optim.Objective;
import io.github.style4j.samediff.QuietGradients;
import io.github.style4j.samediff.loss.ContentLoss;
import io.github.style4j.samediff.loss.Losses;
import io.github.style4j.samediff.loss.PerceptualLoss;
import io.github.style4j.samediff.loss.StyleLoss;
import io.github.style4j.samediff.loss.StyleTargets;
import io.github.style4j.samediff.loss.TotalVariationLoss;
import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.network.ConvWeights;
import io.github.style4j.samediff.network.FeatureGraph;
import io.github.style4j.samediff.network.FeatureNetwork;
import io.github.style4j.samediff.network.FeaturePass;
import io.github.style4j.samediff.network.NetworkWeights;
import io.github.style4j.samediff.transfer.EvaluationTimes;
import io.github.style4j.samediff.transfer.FeaturePassObjective;
import io.github.style4j.samediff.transfer.StyleTransferConfig;
import io.github.style4j.samediff.weights.WeightSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * Seconds per evaluation (forward pass + backward pass to the image) of style4j's feature
 * networks, against the machine's measured FP32 FMA peak and against PyTorch doing the same work
 * on the same machine in the same run; then, per network and size, where a style-transfer
 * evaluation's time goes (network, loss graph, glue) and what the optimiser costs, from a few
 * L-BFGS iterations of a real content + style + TV loss. Each measurement runs in its own JVM,
 * so that peak resident memory (VmHWM) is its own.
 */
@Command(name = "network", mixinStandardHelpOptions = true,
        description = "Times forward + backward to the image for VGG-16, VGG-19 and SqueezeNet against the FMA peak "
                + "and PyTorch, with peak memory and a network / loss / optimiser time split.")
final class NetworkBenchmark implements Callable<Integer> {
    static final String RESULT = "RESULT ";

    @Option(names = "--networks", split = ",", description = "Networks (default: ${DEFAULT-VALUE}).")
    List<String> networks = List.of("vgg16", "vgg19", "squeezenet");

    @Option(names = "--sizes", split = ",", description = "Image sides (default: ${DEFAULT-VALUE}).")
    List<Integer> sizes = List.of(256, 512, 1024);

    @Option(names = "--iterations", description = "Timed passes after one warm-up (default: ${DEFAULT-VALUE}).")
    int iterations = 3;

    @Option(names = "--split-iterations", description = "L-BFGS iterations for the time split (default: "
            + "${DEFAULT-VALUE}).")
    int splitIterations = 4;

    @Option(names = "--history", description = "L-BFGS history of the split run (default: ${DEFAULT-VALUE}, "
            + "style transfer's default); its peak memory counts the history held then.")
    int history = 100;

    @Option(names = "--memory-cap", paramLabel = "SIZE", description = "Run the style4j rows under JavaCPP's "
            + "physical-memory cap (e.g. 6g): the JVM collects garbage when resident memory reaches it and fails if "
            + "it cannot get below, so a row that completes fits.")
    String memoryCap;

    @Option(names = "--baselines", description = "Also time SameDiff's autodiff of the whole graph and (VGG-19) DL4J's "
            + "ComputationGraph, at sizes up to 512.")
    boolean baselines;

    @Option(names = "--worker", hidden = true)
    String worker;

    @Option(names = "--network", hidden = true)
    String network;

    @Option(names = "--size", hidden = true)
    int size;

    @Override
    public Integer call() throws Exception {
        if (worker != null) {
            NativeBuildSelector.select();
            Architecture architecture = Architecture.parse(network);
            String line = switch (worker) {
                case "pass" -> passWorker(architecture);
                case "autodiff" -> String.valueOf(median(autodiff(architecture)));
                default -> String.valueOf(median(computationGraphVgg19()));
            };
            System.out.println(RESULT + line + " " + peakResidentMb());
            return 0;
        }
        System.out.println("Evaluation = forward + backward to the image, batch 1, zoo init() weights (random, seeded); "
                + "median of " + iterations + " after a warm-up; each row in its own JVM. Native build: "
                + NativeBuildSelector.select().build() + "; " + Runtime.getRuntime().availableProcessors() + " threads.");
        String[] fma = ChildJvm.run(FmaPeak.class, RESULT, List.of("--add-modules", "jdk.incubator.vector"));
        double peak = Double.parseDouble(fma[0]);
        if (memoryCap != null) {
            System.out.println("style4j rows run under JavaCPP's physical-memory cap " + memoryCap
                    + " (garbage collected there; a row that completes fits).");
        }
        System.out.printf(Locale.ROOT, "Measured FP32 FMA peak: %.1f GFLOP/s (%s threads, %s-float vectors)%n", peak,
                fma[1], fma[2]);
        Path script = Path.of(System.getProperty("style4j.root", "."), "style-examples", "bench", "pytorch_trunk.py");
        boolean torch = Files.isRegularFile(script) && pythonHasTorch();
        if (!torch) {
            System.out.println("(PyTorch rows skipped: /usr/bin/python3 cannot import torch; apt-get install python3-torch)");
        }
        System.out.printf(Locale.ROOT, "%n%-11s %5s %-18s %9s %7s %8s %7s %9s %9s%n", "network", "size", "implementation",
                "s/eval", "GFLOP", "GFLOP/s", "of peak", "vs torch", "RSS MB");
        List<String> splits = new ArrayList<>();
        for (String name : networks) {
            Architecture architecture = Architecture.parse(name);
            String deepest = trunkEnd(architecture);
            for (int side : sizes) {
                double gflop = AnalyticFlops.evaluation(architecture, side, deepest) / 1e9;
                Double torchSeconds = torch ? pytorch(script, name, side) : null;
                List<String> jvm = memoryCap == null ? List.of() : List.of(
                        "-Dorg.bytedeco.javacpp.maxphysicalbytes=" + memoryCap, "-Dorg.bytedeco.javacpp.maxbytes=" + memoryCap);
                String[] pass;
                try {
                    pass = ChildJvm.run(BenchCommand.class, RESULT, jvm, "network", "--worker", "pass", "--network",
                            name, "--size", String.valueOf(side), "--iterations", String.valueOf(iterations),
                            "--split-iterations", String.valueOf(splitIterations), "--history", String.valueOf(history));
                } catch (IllegalStateException e) {
                    String[] lines = e.getMessage().split(System.lineSeparator());
                    System.out.printf(Locale.ROOT, "%-11s %5d %-18s failed%s: %s%n", name, side, "style4j",
                            memoryCap == null ? "" : " under the " + memoryCap + " cap", lines[lines.length - 1]);
                    continue;
                }
                double rss = Double.parseDouble(pass[pass.length - 1]);
                printRow(name, side, "style4j", Double.parseDouble(pass[0]), gflop, peak, torchSeconds, rss);
                if (baselines && side <= 512) {
                    String[] autodiff = ChildJvm.run(BenchCommand.class, RESULT, "network", "--worker", "autodiff",
                            "--network", name, "--size", String.valueOf(side), "--iterations", String.valueOf(iterations));
                    printRow(name, side, "samediff-autodiff", Double.parseDouble(autodiff[0]), gflop, peak,
                            torchSeconds, Double.parseDouble(autodiff[1]));
                    if (architecture == Architecture.VGG19) {
                        String[] cg = ChildJvm.run(BenchCommand.class, RESULT, "network", "--worker", "dl4j",
                                "--network", name, "--size", String.valueOf(side), "--iterations",
                                String.valueOf(iterations));
                        printRow(name, side, "dl4j-graph (+dW)", Double.parseDouble(cg[0]), gflop, peak, torchSeconds,
                                Double.parseDouble(cg[1]));
                    }
                }
                if (torchSeconds != null) {
                    printRow(name, side, "pytorch", torchSeconds, gflop, peak, torchSeconds, Double.NaN);
                }
                splits.add(String.format(Locale.ROOT, "%-11s %5d %9.3f %9.3f %9.3f %9.3f %11.3f %9.0f", name, side,
                        Double.parseDouble(pass[1]), Double.parseDouble(pass[2]), Double.parseDouble(pass[3]),
                        Double.parseDouble(pass[4]), Double.parseDouble(pass[5]), rss));
            }
        }
        System.out.printf(Locale.ROOT, "%nGFLOP counts the convolutions' forward work twice (forward + input gradient), "
                + "from the architecture; trunks end at relu5_1 (VGG) and fire9 (SqueezeNet), as in pytorch_trunk.py.%n");
        System.out.printf(Locale.ROOT, "%nWhere a style-transfer evaluation's time goes (L-BFGS, %d iterations, history "
                + "%d, default content + style layers + TV; seconds per evaluation, optimiser per iteration; RSS: the "
                + "JVM's peak, pass and run together):%n", splitIterations, history);
        System.out.printf(Locale.ROOT, "%-11s %5s %9s %9s %9s %9s %11s %9s%n", "network", "size", "eval", "network",
                "loss", "other", "optimiser", "RSS MB");
        splits.forEach(System.out::println);
        return 0;
    }

    /** The deepest layer of the timed trunk (pytorch_trunk.py builds the same). */
    private static String trunkEnd(Architecture architecture) {
        return architecture == Architecture.SQUEEZENET ? "fire9" : "relu5_1";
    }

    private static void printRow(String network, int side, String implementation, double seconds, double gflop,
                                 double peak, Double torchSeconds, double rss) {
        System.out.printf(Locale.ROOT, "%-11s %5d %-18s %9.3f %7.1f %8.1f %6.0f%% %8.2fx %9.0f%n", network, side,
                implementation, seconds, gflop, gflop / seconds, 100 * gflop / seconds / peak,
                torchSeconds == null ? Double.NaN : seconds / torchSeconds, rss);
    }

    /**
     * The feature pass alone (median seconds), then a few L-BFGS iterations of a style-transfer
     * objective: seconds per evaluation in total, network, loss and other; optimiser seconds per
     * iteration (the run's time outside evaluations).
     */
    private String passWorker(Architecture architecture) throws Exception {
        FeatureNetwork featureNetwork = benchmarkNetwork(architecture);
        Nd4j.getRandom().setSeed(42);
        String deepest = trunkEnd(architecture);
        FeaturePass pass = featureNetwork.pass(List.of(deepest));
        INDArray image = Nd4j.rand(DataType.FLOAT, 1, 3, size, size);
        double passSeconds = median(time(() -> {
            INDArray tap = pass.forward(image).get(deepest);
            try (INDArray gradient = tap.mul(2)) {
                return pass.backward(Map.of(deepest, gradient));
            }
        }));
        pass.close();

        Map<String, Double> styleLayers = StyleTransferConfig.defaultStyleLayers(architecture);
        Map<String, Double> contentLayers = StyleTransferConfig.defaultContentLayers(architecture);
        INDArray content = Nd4j.rand(DataType.FLOAT, 1, 3, size, size);
        INDArray style = Nd4j.rand(DataType.FLOAT, 1, 3, size, size);
        StyleLoss.Builder styleBuilder = StyleLoss.builder().optName("style_raw").setTargets(StyleTargets.fromImages(
                featureNetwork, List.of(style), new double[] {1}, styleLayers.keySet()));
        styleLayers.forEach(styleBuilder::addLayer);
        ContentLoss.Builder contentBuilder = ContentLoss.builder().optName("content_raw");
        contentLayers.forEach(contentBuilder::addLayer);
        contentBuilder.setTargetsFromImage(featureNetwork, content);
        PerceptualLoss loss = Losses.sum("total", List.of(Losses.weighted("content", 5, contentBuilder.build()),
                Losses.weighted("style", 100, styleBuilder.build()),
                // neural-style's TV at its default weight, as the command line builds it
                Losses.weighted("tv", 1e-3 * 255 * 255, TotalVariationLoss.of("tv_raw",
                        TotalVariationLoss.Form.NEURAL_STYLE, 3))));
        FeaturePassObjective objective = new FeaturePassObjective(featureNetwork, loss, List.of(), content);
        objective.evaluate(content); // warm-up, not counted below
        long[] evaluationNanos = {0};
        EvaluationTimes before = objective.times();
        Objective timed = parameters -> {
            long start = System.nanoTime();
            Evaluation evaluation = objective.evaluate(parameters);
            evaluationNanos[0] += System.nanoTime() - start;
            return evaluation;
        };
        long start = System.nanoTime();
        var result = Lbfgs.builder().optMaxIterations(splitIterations).optHistory(history).build()
                .minimize(timed, content);
        objective.close();
        long runNanos = System.nanoTime() - start;
        EvaluationTimes after = objective.times();
        double evaluations = after.evaluations() - before.evaluations();
        double network = (after.network().toNanos() - before.network().toNanos()) / 1e9 / evaluations;
        double lossSeconds = (after.loss().toNanos() - before.loss().toNanos()) / 1e9 / evaluations;
        double total = (after.total().toNanos() - before.total().toNanos()) / 1e9 / evaluations;
        double other = evaluationNanos[0] / 1e9 / evaluations - network - lossSeconds;
        double optimiser = (runNanos - evaluationNanos[0]) / 1e9 / Math.max(1, result.iterations());
        return String.join(" ", String.valueOf(passSeconds), String.valueOf(total), String.valueOf(network),
                String.valueOf(lossSeconds), String.valueOf(other), String.valueOf(optimiser));
    }

    /**
     * The network with zoo init() weights, minus the zoo SqueezeNet's in-layer sigmoid (DL4J's
     * default activation, which pretrained SqueezeNet weights do not have): the architecture
     * that pytorch_trunk.py times.
     */
    private static FeatureNetwork benchmarkNetwork(Architecture architecture) throws Exception {
        NetworkWeights zoo = WeightSource.zooInit(42).load(architecture);
        List<ConvWeights> plain = zoo.convolutions().stream()
                .map(c -> new ConvWeights(c.source(), c.weight(), c.bias(), Activation.IDENTITY)).toList();
        return FeatureNetwork.builder().setWeights(new NetworkWeights(architecture, plain, zoo.preprocessing(),
                zoo.ceilModePooling(), zoo.description())).build();
    }

    static boolean pythonHasTorch() {
        try {
            Process process = new ProcessBuilder("/usr/bin/python3", "-c", "import torch").redirectErrorStream(true)
                    .start();
            process.getInputStream().readAllBytes();
            return process.waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private double pytorch(Path script, String name, int side) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("/usr/bin/python3", script.toString(), name, String.valueOf(side),
                String.valueOf(iterations), String.valueOf(Runtime.getRuntime().availableProcessors()))
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0 || !output.contains(RESULT)) {
            throw new IllegalStateException("PyTorch run failed:\n" + output);
        }
        return Double.parseDouble(output.substring(output.indexOf(RESULT) + RESULT.length()).trim().split("\\s+")[0]);
    }

    /** SameDiff's autodiff of the whole graph: what style4j ran before {@link FeaturePass}. */
    private double[] autodiff(Architecture architecture) throws Exception {
        FeatureNetwork featureNetwork = benchmarkNetwork(architecture);
        String deepest = trunkEnd(architecture);
        FeatureGraph graph = featureNetwork.graph(Nd4j.rand(DataType.FLOAT, 1, 3, size, size), List.of(deepest));
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
        return statusMb("VmHWM:");
    }

    /** A memory field of /proc/self/status (VmHWM:, VmRSS:, ...), in MB. */
    static double statusMb(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        return Double.NaN;
    }
}
