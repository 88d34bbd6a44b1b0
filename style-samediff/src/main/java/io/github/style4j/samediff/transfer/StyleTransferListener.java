package io.github.style4j.samediff.transfer;

/**
 * Hears a whole style transfer: its start, every step, its end, each with the transfer itself,
 * so that one listener can watch several transfers (a panel each) and read their settings or
 * {@linkplain StyleTransfer#stop() stop} them. All three are called on the thread running the
 * transfer; keep them short (hand slow work to another thread).
 */
public interface StyleTransferListener {
    /** Before any input is read. */
    default void started(StyleTransfer transfer) {
    }

    /** After every optimisation step. */
    void progressed(StyleTransfer transfer, StyleTransferProgress progress);

    /**
     * When the run has ended: {@code result} is null if it failed, and {@code failure} then
     * says why.
     */
    default void finished(StyleTransfer transfer, StyleTransferResult result, Throwable failure) {
    }
}
