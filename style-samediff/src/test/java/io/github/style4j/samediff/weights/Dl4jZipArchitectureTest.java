package io.github.style4j.samediff.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.samediff.network.Architecture;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.zoo.model.SqueezeNet;
import org.deeplearning4j.zoo.model.VGG16;
import org.deeplearning4j.zoo.model.VGG19;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A DL4J model zip's network is told from its configuration alone, so that inferring it (for
 * {@code --weights zip} without {@code --model}) does not restore 575 MB of VGG-19 parameters.
 * The zips here hold the zoo's real configurations and no parameters at all.
 */
class Dl4jZipArchitectureTest {
    @TempDir
    Path dir;

    private Path zipOf(ComputationGraphConfiguration configuration, String name) throws Exception {
        Path zip = dir.resolve(name);
        try (OutputStream file = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(file)) {
            out.putNextEntry(new ZipEntry("configuration.json"));
            out.write(configuration.toJson().getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
            out.putNextEntry(new ZipEntry("coefficients.bin"));
            out.closeEntry();
        }
        return zip;
    }

    @Test
    void eachZooNetworkIsToldFromItsConfiguration() throws Exception {
        assertEquals(Architecture.VGG16, WeightSource.of(zipOf(VGG16.builder().numClasses(1000).build().conf(),
                "vgg16.zip")).impliedArchitecture().orElseThrow());
        assertEquals(Architecture.VGG19, WeightSource.of(zipOf(VGG19.builder().numClasses(1000).build().conf(),
                "vgg19.zip")).impliedArchitecture().orElseThrow());
        assertEquals(Architecture.SQUEEZENET, WeightSource.of(zipOf(((org.deeplearning4j.nn.graph.ComputationGraph)
                SqueezeNet.builder().numClasses(1000).build().init()).getConfiguration(), "squeezenet.zip")).impliedArchitecture().orElseThrow());
    }

    @Test
    void anotherNetworkOrABrokenConfigurationIsNamed() throws Exception {
        var darknet = org.deeplearning4j.zoo.model.Darknet19.builder().numClasses(10).build().conf();
        WeightLoadException other = assertThrows(WeightLoadException.class,
                () -> WeightSource.of(zipOf(darknet, "darknet19.zip")).impliedArchitecture());
        assertTrue(other.getMessage().contains("none of VGG-16, VGG-19 or SqueezeNet"), other.getMessage());
        Path broken = dir.resolve("broken.zip");
        try (OutputStream file = Files.newOutputStream(broken); ZipOutputStream out = new ZipOutputStream(file)) {
            out.putNextEntry(new ZipEntry("configuration.json"));
            out.write("{\"not\": \"a graph\"".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
            out.putNextEntry(new ZipEntry("coefficients.bin"));
            out.closeEntry();
        }
        WeightLoadException e = assertThrows(WeightLoadException.class,
                () -> WeightSource.of(broken).impliedArchitecture());
        assertTrue(e.getMessage().contains("broken.zip"), e.getMessage());
    }
}
