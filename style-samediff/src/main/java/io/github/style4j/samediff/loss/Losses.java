package io.github.style4j.samediff.loss;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

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
            public String toString() {
                return name + " = " + losses;
            }
        };
    }
}
