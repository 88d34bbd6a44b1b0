package io.github.style4j.samediff.fast;

/** Training stopped because the loss stopped being finite; {@link #lastGood()} holds the weights before that. */
public final class TrainingDivergedException extends RuntimeException {
    private final transient FastStyleModel lastGood;

    public TrainingDivergedException(String message, FastStyleModel lastGood) {
        super(message);
        this.lastGood = lastGood;
    }

    /** The model as it was after the last iteration with a finite loss. */
    public FastStyleModel lastGood() {
        return lastGood;
    }
}
