package io.github.style4j.samediff.weights;

import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.network.NetworkWeights;
import java.net.URI;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import org.deeplearning4j.common.resources.DL4JResources;
import org.deeplearning4j.zoo.PretrainedType;
import org.deeplearning4j.zoo.ZooModel;

/**
 * The DL4J zoo's ImageNet weights for VGG-16, VGG-19 and SqueezeNet, fetched through a
 * {@link ModelDownloader} (cache, checksum, progress, mirror) and mapped by structure.
 * The file names, URLs and checksums are the zoo's own.
 */
public final class ZooPretrainedWeights implements WeightSource {
    private final ModelDownloader downloader;
    private final Map<Architecture, PretrainedFile> files;

    private ZooPretrainedWeights(Builder builder) {
        this.downloader = builder.downloader;
        this.files = new EnumMap<>(builder.files);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The file the DL4J zoo publishes for an architecture's ImageNet weights. Its URL honours
     * DL4J's own base-URL property ({@code org.deeplearning4j.resources.baseurl}) whenever it is
     * set, not only when it was set before DL4J first read it.
     */
    public static PretrainedFile zooFile(Architecture architecture) {
        ZooModel<?> model = Dl4jGraphs.zooModel(architecture, 0);
        String url = model.pretrainedUrl(PretrainedType.IMAGENET);
        String base = System.getProperty(DL4JResources.DL4J_BASE_URL_PROPERTY);
        String dl4jBase = DL4JResources.getBaseDownloadURL();
        if (base != null && !base.isBlank() && url.startsWith(dl4jBase)) {
            url = (base.endsWith("/") ? base : base + "/") + url.substring(dl4jBase.length()).replaceFirst("^/", "");
        }
        String name = url.substring(url.lastIndexOf('/') + 1);
        return new PretrainedFile(name, URI.create(url), model.pretrainedChecksum(PretrainedType.IMAGENET));
    }

    /** Where an architecture's file is cached (it may not exist yet). */
    public Path cachedFile(Architecture architecture) {
        return downloader.cacheDir().resolve(fileFor(architecture).fileName());
    }

    private PretrainedFile fileFor(Architecture architecture) {
        return files.computeIfAbsent(architecture, ZooPretrainedWeights::zooFile);
    }

    @Override
    public NetworkWeights load(Architecture architecture) throws WeightLoadException {
        Path zip = downloader.fetch(fileFor(architecture));
        return Dl4jGraphs.extract(architecture, Dl4jModelWeights.read(zip), "DL4J zoo ImageNet " + zip.getFileName());
    }

    @Override
    public String toString() {
        return "zooPretrained(" + downloader + ")";
    }

    /** Builder: the downloader and, for tests or private mirrors, the files themselves are optional. */
    public static final class Builder {
        private ModelDownloader downloader = ModelDownloader.builder().build();
        private final Map<Architecture, PretrainedFile> files = new EnumMap<>(Architecture.class);

        private Builder() {
        }

        public Builder optDownloader(ModelDownloader downloader) {
            this.downloader = downloader;
            return this;
        }

        /** Use this file (name, URL, checksum) for an architecture instead of the zoo's. */
        public Builder optFile(Architecture architecture, PretrainedFile file) {
            files.put(architecture, file);
            return this;
        }

        public ZooPretrainedWeights build() {
            return new ZooPretrainedWeights(this);
        }
    }
}
