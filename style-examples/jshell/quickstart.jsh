// style4j in jshell: ./style4j-jshell (from the project root) opens jshell with style4j on the
// class path; this script is what the README walks through. It runs 20 iterations at 128 px
// with the SqueezeNet weights from ../shared and saves the picture.
int status = 1;
import java.nio.file.*;
import io.github.style4j.core.image.*;
import io.github.style4j.samediff.network.*;
import io.github.style4j.samediff.weights.*;
import io.github.style4j.samediff.transfer.*;
import io.github.style4j.samediff.preview.*;

var shared = Path.of(System.getProperty("style4j.shared.dir", "../shared"));
var photo = ImageReader.defaults().read(shared.resolve("images/chelsea.png"));
System.out.println(photo);

// jshell runs a line as soon as it is complete: continued lines end with a dot.
var config = StyleTransferConfig.builder().
        setContentImage(shared.resolve("images/chelsea.png")).
        addStyleImage(shared.resolve("images/starry_night.jpg")).
        optNetwork(Architecture.SQUEEZENET).
        optWeights(WeightSource.npyFolder(shared.resolve("models/squeezenet1.1"))).
        optImageSize(128).optIterations(20).optInit(StyleTransferConfig.Init.CONTENT).
        build();
System.out.println(config);

// A live page of the run (picture, loss curves, Stop): open its URL in a browser; close() ends it.
var preview = LivePreview.start();
System.out.println(preview);
var transfer = new StyleTransfer(config).addRunListener(preview).addListener(p -> {
    if (p.step().iteration() % 5 == 0) System.out.println(p.step());
});
var result = transfer.run();
preview.close();
System.out.println("losses at the content image: " + result.termsAtContent());
System.out.println("losses at the result:        " + result.finalTerms());

var output = Path.of(System.getProperty("java.io.tmpdir"), "style4j-quickstart.png");
ImageWriter.defaults().write(result.image(), output);
System.out.println("wrote " + output + ": " + ImageReader.defaults().read(output));
status = result.finalTerms().get("style") < result.termsAtContent().get("style") ? 0 : 2;
/exit status
