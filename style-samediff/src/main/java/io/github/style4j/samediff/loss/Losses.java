package io.github.style4j.samediff.loss;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Combinators: weighting and summing {@link PerceptualLoss}es into new ones. */
public final class Losses {
    private Losses() {
    }

    /** {@code weight * loss}, named after the loss: {@code <name>_weighted}. */
    public static PerceptualLoss weighted(double weight, PerceptualLoss loss) {
        return weighted(loss.name() + "_weighted", weight, loss);
    }

    /** {@code weight * loss}, named {@code name} (which must differ from the loss's own name). */
    public static PerceptualLoss weighted(String name, double weight, PerceptualLoss loss) {
        return new PerceptualLoss() {
            @Override
            public SDVariable define(SameDiff sd, LossInputs inputs) {
                return loss.define(sd, inputs).mul(name, weight);
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public Set<String> layers() {
                return loss.layers();
            }

            @Override
            public java.util.Optional<ArrayLoss> arrays() {
                return loss.arrays().map(inner -> (arrays, scale, values) -> {
                    double value = weight * inner.evaluate(arrays, scale * weight, values);
                    values.put(name, value);
                    return value;
                });
            }

            @Override
            public java.util.Optional<TiledLoss> tiled() {
                return loss.tiled().map(this::weightedTiles);
            }

            @Override
            public java.util.Optional<TiledLoss> localTiled() {
                return loss.localTiled().map(this::weightedTiles);
            }

            private TiledLoss weightedTiles(TiledLoss inner) {
                return new TiledLoss() {
                    @Override
                    public void begin() {
                        inner.begin();
                    }

                    @Override
                    public void accumulate(FeatureTile tile) {
                        inner.accumulate(tile);
                    }

                    @Override
                    public double finish(INDArray image, INDArray imageGradient, double scale,
                                         java.util.Map<String, Double> values) {
                        double value = weight * inner.finish(image, imageGradient, scale * weight, values);
                        values.put(name, value);
                        return value;
                    }

                    @Override
                    public void gradient(FeatureTile tile, double scale) {
                        inner.gradient(tile, scale * weight);
                    }
                };
            }

            @Override
            public String toString() {
                return weight + " * " + loss;
            }
        };
    }

    /** The sum of several losses, named {@code name}; each term stays available under its own name. */
    public static PerceptualLoss sum(String name, List<PerceptualLoss> losses) {
        if (losses.isEmpty()) {
            throw new IllegalArgumentException("sum needs at least one loss");
        }
        return new PerceptualLoss() {
            @Override
            public SDVariable define(SameDiff sd, LossInputs inputs) {
                SDVariable total = null;
                for (PerceptualLoss loss : losses) {
                    SDVariable term = loss.define(sd, inputs);
                    total = total == null ? term : total.add(term);
                }
                return sd.identity(name, total);
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public Set<String> layers() {
                Set<String> all = new LinkedHashSet<>();
                losses.forEach(loss -> all.addAll(loss.layers()));
                return all;
            }

            @Override
            public java.util.Optional<ArrayLoss> arrays() {
                List<ArrayLoss> terms = new java.util.ArrayList<>();
                for (PerceptualLoss loss : losses) {
                    java.util.Optional<ArrayLoss> term = loss.arrays();
                    if (term.isEmpty()) {
                        return java.util.Optional.empty();
                    }
                    terms.add(term.get());
                }
                return java.util.Optional.of((arrays, scale, values) -> {
                    double total = 0;
                    for (ArrayLoss term : terms) {
                        total += term.evaluate(arrays, scale, values);
                    }
                    values.put(name, total);
                    return total;
                });
            }

            @Override
            public java.util.Optional<TiledLoss> tiled() {
                return summedTiles(PerceptualLoss::tiled);
            }

            @Override
            public java.util.Optional<TiledLoss> localTiled() {
                return summedTiles(PerceptualLoss::localTiled);
            }

            private java.util.Optional<TiledLoss> summedTiles(
                    java.util.function.Function<PerceptualLoss, java.util.Optional<TiledLoss>> form) {
                List<TiledLoss> terms = new java.util.ArrayList<>();
                for (PerceptualLoss loss : losses) {
                    java.util.Optional<TiledLoss> term = form.apply(loss);
                    if (term.isEmpty()) {
                        return java.util.Optional.empty();
                    }
                    terms.add(term.get());
                }
                return java.util.Optional.of(new TiledLoss() {
                    @Override
                    public void begin() {
                        terms.forEach(TiledLoss::begin);
                    }

                    @Override
                    public void accumulate(FeatureTile tile) {
                        terms.forEach(term -> term.accumulate(tile));
                    }

                    @Override
                    public double finish(INDArray image, INDArray imageGradient, double scale,
                                         java.util.Map<String, Double> values) {
                        double total = 0;
                        for (TiledLoss term : terms) {
                            total += term.finish(image, imageGradient, scale, values);
                        }
                        values.put(name, total);
                        return total;
                    }

                    @Override
                    public void gradient(FeatureTile tile, double scale) {
                        terms.forEach(term -> term.gradient(tile, scale));
                    }
                });
            }

            @Override
            public String toString() {
                return name + " = " + losses;
            }
        };
    }
}
