package io.github.style4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.style4j.core.image.ImageReader;
import io.github.style4j.core.image.RgbImage;
import io.github.style4j.core.testing.SharedFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import picocli.CommandLine;

/**
 * {@code ./style4j --preview} in a real headless browser (Debian's chromium, driven through
 * chromedriver by Selenium): during a short SqueezeNet run the page shows the picture changing
 * and the loss curves drawn; its Stop button ends the run, and the image so far is saved.
 *
 * <p>Needs {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver} ({@code apt-get install
 * chromium chromium-driver}); {@code .ci/run} installs them, and there a missing browser fails
 * the test ({@value #REQUIRE_VARIABLE}); elsewhere the test is skipped with that reason.
 * {@code -Dstyle4j.preview.screenshot=FILE} saves what the browser shows (the README's picture).
 */
@Tag("browser")
class PreviewBrowserTest {
    static final String REQUIRE_VARIABLE = "STYLE4J_REQUIRE_BROWSER";
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final int ITERATIONS = 3000;

    private static void requireBrowser() {
        if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) {
            return;
        }
        String reason = "needs Debian's chromium and chromium-driver (" + CHROMIUM + ", " + CHROMEDRIVER
                + "): apt-get install chromium chromium-driver";
        if (Boolean.parseBoolean(String.valueOf(System.getenv(REQUIRE_VARIABLE)).trim())) {
            fail("The browser test is required here (" + REQUIRE_VARIABLE + "=true) but " + reason);
        }
        assumeTrue(false, "Skipped: " + reason);
    }

    @Test
    void thePageShowsTheRunAndItsStopButtonEndsItAndSavesTheImage(@TempDir Path dir) throws Exception {
        requireBrowser();
        Path output = dir.resolve("preview.png");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> {
            CommandLine cli = StyliseCommand.commandLine(new StyliseCommand());
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            // Adam never ends early on its own: only the Stop button ends this run before 3000 iterations.
            return cli.execute("-content_image", SharedFiles.image("chelsea.png").toString(),
                    "-style_image", SharedFiles.image("starry_night.jpg").toString(),
                    "-output_image", output.toString(), "--model", "squeezenet",
                    "--weights", SharedFiles.require("models/squeezenet1.1").toString(), "-image_size", "96",
                    "-optimizer", "adam", "-learning_rate", "10", "-num_iterations", String.valueOf(ITERATIONS),
                    "--preview", "--no-progress");
        });
        String url = waitForUrl(out, err, run);

        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--window-size=1280,1000");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeDriver browser = new ChromeDriver(service, options);
        try {
            browser.get(url);
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(90));
            JavascriptExecutor js = browser;
            // The picture: shown, then replaced by a newer one while the run goes on.
            WebElement picture = wait.until(b -> {
                WebElement img = b.findElement(By.cssSelector("img.current"));
                Object loaded = js.executeScript("return arguments[0].complete && arguments[0].naturalWidth > 0", img);
                return Boolean.TRUE.equals(loaded) && img.getAttribute("data-version") != null ? img : null;
            });
            int first = Integer.parseInt(picture.getAttribute("data-version"));
            wait.until(b -> Integer.parseInt(picture.getAttribute("data-version")) > first
                    && Boolean.TRUE.equals(js.executeScript("return arguments[0].complete && "
                            + "arguments[0].naturalWidth > 0", picture)));
            // The curves: points plotted, and the canvas holds pixels of the style curve's red.
            WebElement canvas = browser.findElement(By.cssSelector("canvas.curves"));
            wait.until(b -> Integer.parseInt(String.valueOf(canvas.getAttribute("data-points"))) >= 8);
            long red = (Long) js.executeScript("const c = arguments[0], d = c.getContext('2d')"
                    + ".getImageData(0, 0, c.width, c.height).data; let n = 0;"
                    + "for (let i = 0; i < d.length; i += 4) if (d[i] > 180 && d[i + 1] < 90 && d[i + 2] < 90 && d[i + 3] > 0) n++;"
                    + "return n;", canvas);
            assertTrue(red > 30, "the style curve is drawn (" + red + " red pixels)");
            String status = browser.findElement(By.cssSelector(".run .status div")).getText();
            assertTrue(status.startsWith("running") && status.contains("iteration"), status);
            assertTrue(browser.findElement(By.cssSelector("pre.settings")).getText().contains("StyleTransferConfig["));
            assertTrue(browser.findElements(By.cssSelector(".inputs img")).size() >= 2, "content and style shown");

            String screenshot = System.getProperty("style4j.preview.screenshot");
            if (screenshot != null) {
                Files.write(Path.of(screenshot), browser.getScreenshotAs(OutputType.BYTES));
            }

            browser.findElement(By.cssSelector("button.stop")).click();
            int exit = run.get(120, TimeUnit.SECONDS);
            assertEquals(0, exit, () -> "exit " + exit + "\n" + out + err);
        } finally {
            browser.quit();
        }
        Matcher stopped = Pattern.compile("Stopped: stopped on request after iteration (\\d+) \\(the preview's Stop button\\)")
                .matcher(out.toString());
        assertTrue(stopped.find(), out.toString());
        assertTrue(Integer.parseInt(stopped.group(1)) < ITERATIONS, stopped.group());
        RgbImage saved = ImageReader.defaults().read(output);
        assertEquals(96, Math.max(saved.width(), saved.height()), "the image so far, at the run's size");
    }

    private static String waitForUrl(StringWriter out, StringWriter err, CompletableFuture<Integer> run)
            throws InterruptedException {
        Pattern url = Pattern.compile("Live preview: (http://127\\.0\\.0\\.1:\\d+/[0-9a-f]{32}/)");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            Matcher m = url.matcher(out.toString());
            if (m.find()) {
                return m.group(1);
            }
            if (run.isDone()) {
                fail("the command ended before printing the preview's URL:\n" + out + err);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no preview URL within 120 s:\n" + out + err);
    }
}
