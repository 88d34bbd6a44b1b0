package io.github.style4j.samediff.transfer;

import io.github.style4j.core.optim.Evaluation;
import io.github.style4j.core.optim.Objective;
import io.github.style4j.samediff.QuietGradients;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A SameDiff graph's loss as an {@link Objective} of one variable: each evaluation puts the
 * parameters into the variable and runs one forward and backward pass, returning the total
 * loss, its gradient for the variable, and the named terms.
 */
public final class SameDiffObjective implements Objective {
    private final SameDiff sd;
    private final String variable;
    private final String total;
    private final List<String> terms;

    /**
     * @param variable the trainable variable's name
     * @param total    the scalar loss's name
     * @param terms    names of scalar terms to report (may be empty)
     */
    public SameDiffObjective(SameDiff sd, String variable, String total, List<String> terms) {
        this.sd = sd;
        this.variable = variable;
        this.total = total;
        this.terms = List.copyOf(terms);
        QuietGradients.createGradFunction(sd);
    }

    @Override
    public Evaluation evaluate(INDArray parameters) {
        sd.getVariable(variable).getArr().assign(parameters);
        List<String> outputs = new ArrayList<>(terms);
        outputs.add(total);
        OutAndGrad result = sd.calculateGradientsAndOutputs(Map.of(), outputs, List.of(variable));
        Map<String, Double> values = new LinkedHashMap<>();
        for (String term : terms) {
            values.put(term, result.getOutputs().get(term).getDouble(0));
        }
        return new Evaluation(result.getOutputs().get(total).getDouble(0), result.getGradients().get(variable).dup(),
                values);
    }
}
