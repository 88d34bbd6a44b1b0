package io.github.style4j.examples.cli;

import io.github.style4j.core.image.ImageException;
import io.github.style4j.core.image.ImageReader;
import io.github.style4j.core.image.ImageWriter;
import io.github.style4j.core.image.Resizing;
import io.github.style4j.core.image.RgbImage;
import io.github.style4j.core.optim.StepReport;
import io.github.style4j.samediff.transfer.StyleTransferConfig;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The pictures the command line draws besides the result: loss curves and a side-by-side. */
final class Pictures {
    private static final Color[] COLOURS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
            new Color(0xff7f0e)};

    private Pictures() {
    }

    /** Total and term losses against iteration, log scale, as a PNG. */
    static void lossCurves(List<StepReport> history, Path file) throws ImageException {
        int width = 800;
        int height = 480;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        Map<String, List<Double>> series = new LinkedHashMap<>();
        series.put("total", new ArrayList<>());
        for (StepReport step : history) {
            series.get("total").add(step.loss());
            step.terms().forEach((name, value) -> series.computeIfAbsent(name, n -> new ArrayList<>()).add(value));
        }
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (List<Double> values : series.values()) {
            for (double v : values) {
                if (v > 0) {
                    min = Math.min(min, Math.log10(v));
                    max = Math.max(max, Math.log10(v));
                }
            }
        }
        int left = 70;
        int right = width - 20;
        int top = 40;
        int bottom = height - 50;
        g.setColor(Color.BLACK);
        g.drawRect(left, top, right - left, bottom - top);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString("loss (log scale) per iteration", left, 25);
        g.drawString("iteration", (left + right) / 2 - 25, height - 15);
        if (history.isEmpty() || min > max) {
            g.dispose();
            ImageWriter.defaults().write(fromBuffered(image), file);
            return;
        }
        if (max - min < 1e-9) {
            max = min + 1;
        }
        for (int d = (int) Math.floor(min); d <= Math.ceil(max); d++) {
            int y = (int) (bottom - (d - min) / (max - min) * (bottom - top));
            if (y >= top && y <= bottom) {
                g.setColor(Color.LIGHT_GRAY);
                g.drawLine(left, y, right, y);
                g.setColor(Color.BLACK);
                g.drawString("1e" + d, 20, y + 4);
            }
        }
        int index = 0;
        g.setStroke(new BasicStroke(1.5f));
        for (Map.Entry<String, List<Double>> entry : series.entrySet()) {
            g.setColor(COLOURS[index % COLOURS.length]);
            List<Double> values = entry.getValue();
            int previousX = -1;
            int previousY = -1;
            for (int i = 0; i < values.size(); i++) {
                if (values.get(i) <= 0) {
                    continue;
                }
                int x = left + (int) ((double) i / Math.max(1, values.size() - 1) * (right - left));
                int y = (int) (bottom - (Math.log10(values.get(i)) - min) / (max - min) * (bottom - top));
                if (previousX >= 0) {
                    g.drawLine(previousX, previousY, x, y);
                }
                previousX = x;
                previousY = y;
            }
            g.drawString(entry.getKey(), right - 90, top + 18 + 16 * index);
            index++;
        }
        g.dispose();
        ImageWriter.defaults().write(fromBuffered(image), file);
    }

    /** Content | style | result, scaled to one height. */
    static void sideBySide(StyleTransferConfig config, RgbImage result, Path file) throws ImageException {
        int height = result.height();
        List<RgbImage> panels = new ArrayList<>();
        panels.add(toHeight(ImageReader.defaults().read(config.contentImage()), height));
        panels.add(toHeight(ImageReader.defaults().read(config.styleImages().get(0)), height));
        panels.add(result.withoutAlpha());
        int gap = 8;
        int width = panels.stream().mapToInt(RgbImage::width).sum() + gap * (panels.size() - 1);
        int n = width * height;
        float[] rgb = new float[3 * n];
        java.util.Arrays.fill(rgb, 1f);
        int offset = 0;
        for (RgbImage panel : panels) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < panel.width(); x++) {
                    for (int c = 0; c < 3; c++) {
                        rgb[c * n + y * width + offset + x] = panel.get(c, x, y);
                    }
                }
            }
            offset += panel.width() + gap;
        }
        ImageWriter.defaults().write(RgbImage.of(width, height, rgb, null), file);
    }

    private static RgbImage toHeight(RgbImage image, int height) {
        int width = Math.max(1, (int) Math.round(image.width() * (double) height / image.height()));
        return Resizing.resize(image.withoutAlpha(), width, height);
    }

    private static RgbImage fromBuffered(BufferedImage image) throws ImageException {
        return RgbImage.fromBufferedImage(image);
    }
}
