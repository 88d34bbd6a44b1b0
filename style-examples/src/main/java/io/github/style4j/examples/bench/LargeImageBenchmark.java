package io.github.style4j.examples.bench;

import io.github.style4j.core.image.ImageReader;
import io.github.style4j.core.image.ImageWriter;
import io.github.style4j.core.image.Resizing;
import io.github.style4j.core.image.RgbImage;
import io.github.style4j.core.optim.Evaluation;
import io.github.style4j.core.tensor.ImageTensors;
import io.github.style4j.samediff.loss.ContentLoss;
import io.github.style4j.samediff.loss.Losses;
import io.github.style4j.samediff.loss.PerceptualLoss;
import io.github.style4j.samediff.loss.StyleLoss;
import io.github.style4j.samediff.loss.StyleTargets;
import io.github.style4j.samediff.loss.TotalVariationLoss;
import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.network.FeatureNetwork;
import io.github.style4j.samediff.network.TileLayout;
import io.github.style4j.samediff.network.TiledPass;
import io.github.style4j.samediff.transfer.FeaturePassObjective;
import io.github.style4j.samediff.transfer.MemoryPlan;
import io.github.style4j.samediff.transfer.MovingTileObjective;
import io.github.style4j.samediff.transfer.StyleTransfer;
import io.github.style4j.samediff.transfer.StyleTransferConfig;
import io.github.style4j.samediff.transfer.StyleTransferResult;
import io.github.style4j.samediff.transfer.TiledObjective;
import io.github.style4j.samediff.weights.WeightSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Issue #14's goals, each in fresh JVMs capped like a 6 GB machine (JavaCPP's physical cap
 * 6 GB, which counts the heap too; its native cap 5 GB; {@code --max-memory 6g}; a 2 GB heap,
 * as {@code ./style4j}'s, where the bounded L-BFGS keeps its host copies):
 * <ul>
 *   <li>{@code scaling}: a few iterations at each size (SqueezeNet and VGG-19), with the plan
 *       the budget chose, seconds per evaluation and peak resident memory (VmHWM);</li>
 *   <li>{@code pixels}: time per pixel against 1024 px side by side: in one JVM, the objective
 *       each size's plan gives under the budget (its tiles, halos included), evaluated in turns,
 *       so that the machine's changing load falls on every size alike; L-BFGS's plans, and for
 *       SqueezeNet Adam's too (no history to hold: larger tiles);</li>
 *   <li>{@code gradient}: the tiled objective against the whole image's at 1024 px in float32
 *       (both fit there): relative error of loss and gradient, time of each;</li>
 *   <li>{@code seams}: a whole coarse-to-fine run at a large size in tiles, and the mean absolute
 *       difference between neighbouring pixels across tile borders over that inside tiles; a
 *       crop across a border corner is written beside the result.</li>
 * </ul>
 */
@Command(name = "large", mixinStandardHelpOptions = true,
        description = "Large images in tiles: peak memory and time per evaluation by size, tiled against whole-image "
                + "gradients, and seams.")
final class LargeImageBenchmark implements Callable<Integer> {
    private static final String MARKER = "LARGE_RUN ";
    private static final long GIB = 1L << 30;

    @Option(names = "--shared", description = "The shared folder (default: ${DEFAULT-VALUE}).")
    Path shared = Path.of("..", "shared");

    @Option(names = "--part", split = ",", description = "scaling, gradient, pixels, seams (default: all).")
    List<String> parts = new ArrayList<>(List.of("gradient", "scaling", "pixels", "seams"));

    @Option(names = "--sizes", split = ",", description = "SqueezeNet sizes for scaling (default: ${DEFAULT-VALUE}).")
    List<Integer> sizes = new ArrayList<>(List.of(1024, 2048, 4096));

    @Option(names = "--vgg-sizes", split = ",", description = "VGG-19 sizes for scaling (default: ${DEFAULT-VALUE}).")
    List<Integer> vggSizes = new ArrayList<>(List.of(1024, 2048));

    @Option(names = "--adam-sizes", split = ",", description = "SqueezeNet sizes run with Adam (L-BFGS's vectors do "
            + "not fit 6 GB there; default: ${DEFAULT-VALUE}).")
    List<Integer> adamSizes = new ArrayList<>(List.of(4096, 8192));

    @Option(names = "--pixels-adam-sizes", split = ",", description = "SqueezeNet sizes of the pixels part's Adam "
            + "rows, whose plans differ from L-BFGS's (default: ${DEFAULT-VALUE}).")
    List<Integer> pixelsAdamSizes = new ArrayList<>(List.of(1024, 4096));

    @Option(names = "--moving-vgg-sizes", split = ",", description = "VGG-19 sizes of the pixels part's Adam rows "
            + "in moving tiles (no halos, one pass; default: ${DEFAULT-VALUE}).")
    List<Integer> movingVggSizes = new ArrayList<>(List.of(1024, 2048));

    @Option(names = "--seams-borders", description = "exact or moving tiles in the seams run (moving: Adam; default: "
            + "${DEFAULT-VALUE}).")
    String seamsBorders = "exact";

    @Option(names = "--seams-tile", description = "Tile size forced in the seams run (default: ${DEFAULT-VALUE}: as "
            + "the budget plans).")
    int seamsTile = 0;

    @Option(names = "--gradient-tile", description = "Tile size of the gradient comparison (default: ${DEFAULT-VALUE}).")
    int gradientTile = 512;

    @Option(names = "--iterations", description = "Iterations per scaling run (default: ${DEFAULT-VALUE}).")
    int iterations = 2;

    @Option(names = "--budget-gb", description = "The budget and JavaCPP's physical cap, GiB (default: ${DEFAULT-VALUE}).")
    int budget = 6;

    @Option(names = "--seams-size", description = "Size of the seams run (default: ${DEFAULT-VALUE}).")
    int seamsSize = 3000;

    @Option(names = "--seams-iterations", description = "Iterations at the seams run's first scale (default: "
            + "${DEFAULT-VALUE}; each finer scale has half).")
    int seamsIterations = 200;

    @Option(names = "--seams-budget-gb", description = "Budget of the seams run, GiB (default: ${DEFAULT-VALUE}).")
    int seamsBudget = 6;

    @Option(names = "--out", description = "Where the seams run writes its picture (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("target", "large");

    @Override
    public Integer call() throws Exception {
        Path weights = shared.resolve("models/squeezenet1.1");
        Path content = shared.resolve("images/chelsea.png");
        Path style = shared.resolve("images/starry_night.jpg");
        List<String> capped = List.of("-Xmx2g", "-Dorg.bytedeco.javacpp.maxphysicalbytes=" + budget + "g",
                "-Dorg.bytedeco.javacpp.maxbytes=" + (budget - 1) + "g");
        if (parts.contains("gradient")) {
            System.out.println("Tiled against whole-image objective, float32, at 1024 px (content + Gram style + TV, "
                    + "the defaults' layers), 3 evaluations each, taking turns:");
            List<String> roomy = List.of("-Xmx2g", "-Dorg.bytedeco.javacpp.maxphysicalbytes=20g",
                    "-Dorg.bytedeco.javacpp.maxbytes=18g");
            for (String network : List.of("squeezenet", "vgg19")) {
                String[] r = ChildJvm.run(Gradient.class, MARKER, roomy, network, weights.toString(), content.toString(),
                        style.toString(), "1024", Integer.toString(gradientTile));
                System.out.printf(Locale.ROOT, "  %-10s %s tiles of %s px (halo %s px, %sx the pixels): loss rel. "
                                + "error %s, gradient rel. error %s; whole image %s s/evaluation, tiled %s s (%.2fx)%n",
                        network, r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7],
                        Double.parseDouble(r[7]) / Double.parseDouble(r[6]));
            }
        }
        if (parts.contains("scaling")) {
            System.out.printf(Locale.ROOT, "Scaling under %d GB (JavaCPP physical cap %d GB, the 2 GB heap included), %d iterations "
                    + "at one scale from the content image:%n", budget, budget, iterations);
            System.out.printf(Locale.ROOT, "  %-10s %-6s %6s %11s %6s %6s %10s %7s %10s %12s %10s%n", "network",
                    "optim", "size", "pixels", "tiles", "tile", "hist/state", "evals", "s/eval", "s/eval/MP",
                    "peak MB");
            List<String[]> rows = new ArrayList<>();
            for (String network : List.of("squeezenet", "vgg19")) {
                List<String[]> runs = new ArrayList<>();
                for (int size : network.equals("squeezenet") ? sizes : vggSizes) {
                    runs.add(new String[] {Integer.toString(size), "lbfgs"});
                }
                for (int size : network.equals("squeezenet") ? adamSizes : List.<Integer>of()) {
                    runs.add(new String[] {Integer.toString(size), "adam"});
                }
                for (int size : network.equals("vgg19") ? movingVggSizes : List.<Integer>of()) {
                    runs.add(new String[] {Integer.toString(size), "adam", "moving"});
                }
                for (String[] run : runs) {
                    int size = Integer.parseInt(run[0]);
                    String borders = run.length > 2 ? run[2] : "exact";
                    String optimizer = run[1] + (borders.equals("moving") ? "/m" : "");
                    String[] r;
                    try {
                        r = ChildJvm.run(Scaling.class, MARKER, capped, network, weights.toString(),
                                content.toString(), style.toString(), run[0], Integer.toString(iterations), run[1],
                                Long.toString((long) budget * GIB), borders);
                    } catch (IllegalStateException e) {
                        String message = e.getMessage();
                        int refused = message.indexOf("IllegalStateException: ");
                        System.out.printf(Locale.ROOT, "  %-10s %-6s %6d   not run: %s%n", network, optimizer, size,
                                refused < 0 ? message.lines().skip(1).findFirst().orElse(message)
                                        : message.substring(refused + 23).lines().findFirst().orElse(""));
                        continue;
                    }
                    rows.add(r);
                    double perMp = Double.parseDouble(r[6]) / (Double.parseDouble(r[1]) / 1e6);
                    System.out.printf(Locale.ROOT, "  %-10s %-6s %6d %11s %6s %6s %10s %7s %10s %12.3f %10s%n", network,
                            optimizer, size, r[1], r[2], r[3], r[4], r[5], r[6], perMp, r[7]);
                }
            }
            System.out.println("  (s/eval/MP: seconds per evaluation per megapixel; flat means time grows with the "
                    + "pixel count)");
        }
        if (parts.contains("pixels")) {
            System.out.printf(Locale.ROOT, "Time per pixel against 1024 px, side by side (one JVM a network, each size's "
                    + "objective as planned under %d GB, evaluated in turns; 1 warm-up and 3 timed rounds):%n", budget);
            List<String> roomy = List.of("-Xmx2g", "-Dorg.bytedeco.javacpp.maxphysicalbytes=20g",
                    "-Dorg.bytedeco.javacpp.maxbytes=18g");
            for (String[] run : List.of(new String[] {"squeezenet", "lbfgs", "exact"},
                    new String[] {"squeezenet", "adam", "exact"}, new String[] {"vgg19", "lbfgs", "exact"},
                    new String[] {"vgg19", "adam", "moving"})) {
                List<Integer> sizesHere = run[2].equals("moving") ? movingVggSizes : run[1].equals("adam")
                        ? pixelsAdamSizes : run[0].equals("squeezenet") ? sizes : vggSizes;
                if (sizesHere.isEmpty()) {
                    continue;
                }
                String[] r = ChildJvm.run(Pixels.class, MARKER, roomy, run[0], weights.toString(), content.toString(),
                        style.toString(), Long.toString((long) budget * GIB), sizesHere.stream().map(String::valueOf)
                                .collect(java.util.stream.Collectors.joining(",")), run[1], run[2]);
                for (String row : String.join(" ", r).split(";")) {
                    String[] f = row.trim().split(" ");
                    System.out.printf(Locale.ROOT, "  %-10s %-5s %6s px  %-40s %8s s/eval %8s s/MP  %5sx 1024 px%n",
                            run[0], run[1], f[0], f[1].replace('_', ' '), f[2], f[3], f[4]);
                }
            }
        }
        if (parts.contains("seams")) {
            java.nio.file.Files.createDirectories(out);
            String[] r = ChildJvm.run(Seams.class, MARKER, List.of("-Xmx2g",
                    "-Dorg.bytedeco.javacpp.maxphysicalbytes=" + seamsBudget + "g",
                    "-Dorg.bytedeco.javacpp.maxbytes=" + (seamsBudget - 1) + "g"),
                    weights.toString(), content.toString(), style.toString(), Integer.toString(seamsSize),
                    Integer.toString(seamsIterations), Long.toString((long) seamsBudget * GIB), out.toString(),
                    seamsBorders, Integer.toString(seamsTile));
            System.out.printf(Locale.ROOT, "Seams: a %d px run (SqueezeNet, " + seamsBorders + " tiles, schedule %s) under "
                    + "%d GB: wall %s s, peak %s MB, final loss %s; last scale in %s tiles of %s px"
                    + (seamsBorders.equals("moving") ? " (borders measured on the grid at offset 0; every evaluation's "
                    + "differ)" : "") + "; mean |difference| of neighbouring "
                    + "pixels across tile borders %s, inside tiles %s: ratio %s; inside at the borders' phase of "
                    + "the stride grid %s: ratio %s. Picture %s, crop across a border corner %s%n", seamsSize,
                    r[0].replace('_', ' '), seamsBudget, r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[11], r[12],
                    r[9], r[10]);
        }
        return 0;
    }

    private static FeatureNetwork network(String name, Path weights) throws Exception {
        Architecture architecture = Architecture.parse(name);
        WeightSource source = architecture == Architecture.SQUEEZENET ? WeightSource.npyFolder(weights)
                : WeightSource.zooInit(1); // VGG-19's cost and memory do not depend on the weights' values
        return FeatureNetwork.builder().setWeights(source.load(architecture)).build();
    }

    private static StyleTransferConfig.Builder config(String network, Path weights, Path content, Path style) {
        Architecture architecture = Architecture.parse(network);
        return StyleTransferConfig.builder().setContentImage(content).addStyleImage(style).optNetwork(architecture)
                .optWeights(architecture == Architecture.SQUEEZENET ? WeightSource.npyFolder(weights)
                        : WeightSource.zooInit(1));
    }

    /** Content + Gram style + TV with the defaults' layers and weights, as a run builds them. */
    private static PerceptualLoss loss(Map<String, Double> styleLayers, StyleTargets styleTargets, String contentLayer,
                                       Map<String, INDArray> contentTargets) {
        StyleLoss.Builder style = StyleLoss.builder().optName("style_raw").setTargets(styleTargets);
        styleLayers.forEach(style::addLayer);
        return Losses.sum("total", List.of(
                Losses.weighted("content", 100, ContentLoss.builder().optName("content_raw")
                        .addLayer(contentLayer, 1).setTargets(contentTargets).build()),
                Losses.weighted("style", 3e4, style.build()),
                Losses.weighted("tv", 1e-5 * 255 * 255,
                        TotalVariationLoss.of("tv_raw", TotalVariationLoss.Form.NEURAL_STYLE, 3))));
    }

    /** Whole-image and tiled objectives at one size, taking turns; prints the errors and times. */
    public static final class Gradient {
        private Gradient() {
        }

        public static void main(String[] args) throws Exception {
            FeatureNetwork network = network(args[0], Path.of(args[1]));
            Architecture architecture = network.architecture();
            int size = Integer.parseInt(args[4]);
            RgbImage content = Resizing.fitToMaxSide(ImageReader.defaults().read(Path.of(args[2])).withoutAlpha(), size);
            INDArray contentTensor = ImageTensors.toTensor(content);
            INDArray styleTensor = ImageTensors.toTensor(Resizing.fitToMaxSide(
                    ImageReader.defaults().read(Path.of(args[3])).withoutAlpha(), size));
            Map<String, Double> styleLayers = StyleTransferConfig.defaultStyleLayers(architecture);
            String contentLayer = StyleTransferConfig.defaultContentLayers(architecture).keySet().iterator().next();
            PerceptualLoss loss = loss(styleLayers, StyleTargets.fromImage(network, styleTensor, styleLayers.keySet()),
                    contentLayer, network.activations(contentTensor, List.of(contentLayer)));
            List<String> layers = new ArrayList<>(loss.layers());
            TileLayout layout = TileLayout.of(network, layers, content.height(), content.width(),
                    Integer.parseInt(args[5]));
            Nd4j.getRandom().setSeed(1);
            INDArray image = contentTensor.add(Nd4j.rand(DataType.FLOAT, contentTensor.shape()).subi(0.5).muli(0.2));
            double wholeSeconds = 0;
            double tiledSeconds = 0;
            double lossError = 0;
            double gradientError = 0;
            try (FeaturePassObjective whole = new FeaturePassObjective(network, loss, List.of(), image);
                 TiledObjective tiled = new TiledObjective(network, loss, List.of(), layout)) {
                whole.evaluate(image).gradient().close(); // warm-up: first calls choose kernels
                tiled.evaluate(image).gradient().close();
                for (int i = 0; i < 3; i++) {
                    long t0 = System.nanoTime();
                    Evaluation a = whole.evaluate(image);
                    long t1 = System.nanoTime();
                    Evaluation b = tiled.evaluate(image);
                    long t2 = System.nanoTime();
                    wholeSeconds += (t1 - t0) / 1e9 / 3;
                    tiledSeconds += (t2 - t1) / 1e9 / 3;
                    lossError = Math.max(lossError, Math.abs(a.loss() - b.loss()) / Math.abs(a.loss()));
                    gradientError = Math.max(gradientError, a.gradient().distance2(b.gradient())
                            / a.gradient().norm2Number().doubleValue());
                    a.gradient().close();
                    b.gradient().close();
                }
            }
            int core = layout.tiles().get(0).core().width();
            System.out.printf(Locale.ROOT, "%s%d %d %d %.2f %.1e %.1e %.2f %.2f%n", MARKER, layout.tiles().size(), core,
                    layout.halo(), layout.overhead(), lossError, gradientError, wholeSeconds, tiledSeconds);
        }
    }

    /**
     * The objectives each size's plan gives (tiles or whole image, as a run plans them with the
     * optimiser named last, {@code lbfgs} or {@code adam}, under the budget), all held in one JVM
     * and evaluated in turns; prints each size's seconds per evaluation and per megapixel and its
     * ratio to the first size's.
     */
    public static final class Pixels {
        private Pixels() {
        }

        public static void main(String[] args) throws Exception {
            FeatureNetwork network = network(args[0], Path.of(args[1]));
            Architecture architecture = network.architecture();
            long budget = Long.parseLong(args[4]);
            RgbImage contentImage = ImageReader.defaults().read(Path.of(args[2])).withoutAlpha();
            RgbImage styleImage = ImageReader.defaults().read(Path.of(args[3])).withoutAlpha();
            Map<String, Double> styleLayers = StyleTransferConfig.defaultStyleLayers(architecture);
            String contentLayer = StyleTransferConfig.defaultContentLayers(architecture).keySet().iterator().next();
            StyleTargets targets = StyleTargets.fromImage(network, ImageTensors.toTensor(Resizing.fitToMaxSide(
                    styleImage, 512)), styleLayers.keySet());
            List<Integer> sizes = java.util.Arrays.stream(args[5].split(",")).map(Integer::valueOf).toList();
            StyleTransferConfig.OptimizerKind optimizer = args[6].equals("adam") ? StyleTransferConfig.OptimizerKind.ADAM
                    : StyleTransferConfig.OptimizerKind.LBFGS;
            StyleTransferConfig.TileBorders borders = args.length > 7 && args[7].equals("moving")
                    ? StyleTransferConfig.TileBorders.MOVING : StyleTransferConfig.TileBorders.EXACT;
            List<io.github.style4j.core.optim.Objective> objectives = new ArrayList<>();
            List<INDArray> images = new ArrayList<>();
            List<String> plans = new ArrayList<>();
            for (int size : sizes) {
                RgbImage content = Resizing.fitToMaxSide(contentImage, size);
                INDArray tensor = ImageTensors.toTensor(content);
                List<String> layers = new ArrayList<>(styleLayers.keySet());
                layers.add(contentLayer);
                MemoryPlan plan = MemoryPlan.of(architecture, network.weights().ceilModePooling(), layers,
                        List.of(contentLayer), content.height(), content.width(), optimizer, 100, true, true, 0, budget,
                        borders);
                // Targets in exact tiles; for moving ones (no halos) half as large, to stay in the same memory.
                int targetTile = !plan.tiled() ? Math.max(content.height(), content.width())
                        : plan.movingTiles() ? plan.tileSize() / 2 : plan.tileSize();
                Map<String, INDArray> contentTargets = TiledPass.activations(network, TileLayout.of(network,
                        List.of(contentLayer), content.height(), content.width(), targetTile), tensor,
                        List.of(contentLayer), () -> { },
                        plan.halfContentTargets() ? DataType.HALF : network.dataType());
                PerceptualLoss loss = loss(styleLayers, targets, contentLayer, contentTargets);
                objectives.add(!plan.tiled() ? new FeaturePassObjective(network, loss, List.of(), tensor)
                        : plan.movingTiles() ? new MovingTileObjective(network, loss, List.of(), content.height(),
                        content.width(), plan.tileSize(), 1) : new TiledObjective(network, loss, List.of(), plan.layout()));
                images.add(tensor);
                plans.add(!plan.tiled() ? "whole_image" : plan.movingTiles() ? "~" + plan.layout().tiles().size()
                        + "_moving_tiles_of_" + plan.tileSize() + "_px" : plan.layout().tiles().size() + "_tiles_of_"
                        + plan.tileSize() + "_px_(" + String.format(Locale.ROOT, "%.2f", plan.layout().overhead()) + "x)");
            }
            double[] seconds = new double[sizes.size()];
            for (int round = 0; round < 4; round++) {
                for (int i = 0; i < sizes.size(); i++) {
                    long t0 = System.nanoTime();
                    objectives.get(i).evaluate(images.get(i)).gradient().close();
                    if (round > 0) { // the first round chooses kernels
                        seconds[i] += (System.nanoTime() - t0) / 1e9 / 3;
                    }
                }
            }
            StringBuilder out = new StringBuilder();
            double first = 0;
            for (int i = 0; i < sizes.size(); i++) {
                double perMp = seconds[i] / (images.get(i).length() / 3 / 1e6);
                first = i == 0 ? perMp : first;
                out.append(String.format(Locale.ROOT, "%s%d %s %.2f %.3f %.2f", i == 0 ? "" : ";", sizes.get(i),
                        plans.get(i), seconds[i], perMp, perMp / first));
            }
            System.out.println(MARKER + out);
        }
    }

    /** A few iterations at one size under the budget; prints the plan, time per evaluation and peak memory. */
    public static final class Scaling {
        private Scaling() {
        }

        public static void main(String[] args) throws Exception {
            int size = Integer.parseInt(args[4]);
            StyleTransferConfig config = config(args[0], Path.of(args[1]), Path.of(args[2]), Path.of(args[3]))
                    .optImageSize(size).optScales(List.of(size)).optIterations(Integer.parseInt(args[5]))
                    .optOptimizer(args[6].equals("adam") ? StyleTransferConfig.OptimizerKind.ADAM
                            : StyleTransferConfig.OptimizerKind.LBFGS)
                    .optInit(StyleTransferConfig.Init.CONTENT).optMaxMemory(Long.parseLong(args[7]))
                    .optTileBorders(args.length > 8 && args[8].equals("moving") ? StyleTransferConfig.TileBorders.MOVING
                            : StyleTransferConfig.TileBorders.EXACT).build();
            MemoryPlan[] plan = new MemoryPlan[1];
            double[] first = {Double.NaN, 0};
            double[] last = {0, 0};
            StyleTransferResult result = new StyleTransfer(config).addListener(progress -> {
                double now = System.nanoTime() / 1e9;
                if (Double.isNaN(first[0])) {
                    first[0] = now;
                    first[1] = progress.step().evaluations();
                }
                last[0] = now;
                last[1] = progress.step().evaluations();
                plan[0] = progress.plan();
            }).run();
            // Between the first report and the last: whole evaluations only (the first one's targets excluded).
            double perEvaluation = (last[0] - first[0]) / Math.max(1, last[1] - first[1]);
            int tiles = plan[0].tiled() ? plan[0].layout().tiles().size() : 1;
            // L-BFGS: its history; Adam: where its state is (and the content targets' precision).
            String state = !args[6].equals("adam") ? Integer.toString(plan[0].history())
                    : plan[0].adamStateOnDisk() ? (plan[0].halfContentTargets() ? "disk+fp16" : "disk") : "memory";
            System.out.printf(Locale.ROOT, "%s%d %d %d %s %s %d %.2f %.0f%n", MARKER, size,
                    (long) result.image().width() * result.image().height(), tiles,
                    plan[0].tiled() ? Integer.toString(plan[0].tileSize()) : "whole", state, (int) last[1],
                    perEvaluation, NetworkBenchmark.peakResidentMb());
        }
    }

    /** A whole run at a large size; the seam measure on its result; the picture and a crop written out. */
    public static final class Seams {
        private Seams() {
        }

        public static void main(String[] args) throws Exception {
            long start = System.nanoTime();
            int size = Integer.parseInt(args[3]);
            boolean moving = args.length > 7 && args[7].equals("moving");
            StyleTransferConfig.Builder builder = config("squeezenet", Path.of(args[0]), Path.of(args[1]),
                    Path.of(args[2])).optImageSize(size).optIterations(Integer.parseInt(args[4]))
                    .optMaxMemory(Long.parseLong(args[5])).optTileSize(args.length > 8 ? Integer.parseInt(args[8]) : 0);
            if (moving) {
                builder.optOptimizer(StyleTransferConfig.OptimizerKind.ADAM)
                        .optTileBorders(StyleTransferConfig.TileBorders.MOVING);
            }
            StyleTransferConfig config = builder.build();
            MemoryPlan[] plan = new MemoryPlan[1];
            StyleTransferResult result = new StyleTransfer(config).addListener(progress -> plan[0] = progress.plan())
                    .run();
            double wall = (System.nanoTime() - start) / 1e9;
            RgbImage image = result.image();
            Path dir = Path.of(args[6]);
            Path picture = dir.resolve("large-" + size + ".png");
            ImageWriter.defaults().write(image, picture);
            TileLayout layout = plan[0].layout();
            double[] seams = seams(image, layout);
            TileLayout.Region corner = layout.tiles().get(0).core();
            int cy = corner.y1();
            int cx = corner.x1();
            int half = 192;
            int y0 = Math.max(0, Math.min(image.height() - 2 * half, cy - half));
            int x0 = Math.max(0, Math.min(image.width() - 2 * half, cx - half));
            Path crop = dir.resolve("large-" + size + "-border-crop.png");
            ImageWriter.defaults().write(crop(image, x0, y0, 2 * half, 2 * half), crop);
            System.out.printf(Locale.ROOT, "%s%s %.0f %.0f %.1f %d %s %.5f %.5f %.3f %s %s(corner_at_%d,%d) %.5f %.3f%n",
                    MARKER, config.schedule().replace(' ', '_'), wall, NetworkBenchmark.peakResidentMb(),
                    result.finalTerms().get("total"), layout.tiles().size(),
                    plan[0].tiled() ? Integer.toString(plan[0].tileSize()) : "whole", seams[0], seams[1],
                    seams[0] / seams[1], picture, crop, cx - x0, cy - y0, seams[2], seams[0] / seams[2]);
        }

        /**
         * {across, inside, inside at the same phase}: the mean absolute difference of horizontally
         * and vertically neighbouring pixels (all channels) where the pair straddles a core border,
         * where it does not, and where it does not but sits at the same phase of the network's
         * stride grid as the borders (which lie on it; the network's own stride pattern makes those
         * pairs differ less than the average pair).
         */
        static double[] seams(RgbImage image, TileLayout layout) {
            int grid = layout.alignment();
            java.util.Set<Integer> rows = new java.util.HashSet<>();
            java.util.Set<Integer> columns = new java.util.HashSet<>();
            for (TileLayout.Tile tile : layout.tiles()) {
                if (tile.core().y0() > 0) {
                    rows.add(tile.core().y0());
                }
                if (tile.core().x0() > 0) {
                    columns.add(tile.core().x0());
                }
            }
            float[] rgb = image.rgb();
            int w = image.width();
            int h = image.height();
            double across = 0;
            double inside = 0;
            double phase = 0;
            long acrossCount = 0;
            long insideCount = 0;
            long phaseCount = 0;
            for (int c = 0; c < 3; c++) { // planes: rgb[c * w * h + y * w + x]
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int i = c * w * h + y * w + x;
                        if (x > 0) {
                            double d = Math.abs(rgb[i] - rgb[i - 1]);
                            if (columns.contains(x)) {
                                across += d;
                                acrossCount++;
                            } else {
                                inside += d;
                                insideCount++;
                                if (x % grid == 0) {
                                    phase += d;
                                    phaseCount++;
                                }
                            }
                        }
                        if (y > 0) {
                            double d = Math.abs(rgb[i] - rgb[i - w]);
                            if (rows.contains(y)) {
                                across += d;
                                acrossCount++;
                            } else {
                                inside += d;
                                insideCount++;
                                if (y % grid == 0) {
                                    phase += d;
                                    phaseCount++;
                                }
                            }
                        }
                    }
                }
            }
            return new double[] {across / Math.max(1, acrossCount), inside / Math.max(1, insideCount),
                    phase / Math.max(1, phaseCount)};
        }

        private static RgbImage crop(RgbImage image, int x0, int y0, int width, int height) {
            float[] rgb = image.rgb();
            float[] out = new float[width * height * 3];
            int plane = image.width() * image.height();
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < height; y++) {
                    System.arraycopy(rgb, c * plane + (y0 + y) * image.width() + x0, out, (c * height + y) * width,
                            width);
                }
            }
            return RgbImage.of(width, height, out, null);
        }
    }
}
