package io.github.style4j.samediff.batch;

import io.github.style4j.samediff.transfer.StyleTransferProgress;
import java.util.List;

/** Hears a batch: its plan, each item's start, steps and end. Called on the batch's thread. */
public interface BatchListener {
    /** Before the first item: what will run, and what the manifest says is already done or failed. */
    default void planned(List<BatchItem> todo, int alreadyDone, int failedBefore) {
    }

    /** An item begins ({@code index} counts from 0 among {@code todo}). */
    default void started(BatchItem item, int index) {
    }

    /** An optimisation step of the item in progress (fast-style items have none). */
    default void progressed(BatchItem item, StyleTransferProgress progress) {
    }

    /** An item ended, done or failed; its record is in the manifest. */
    default void finished(BatchItem item, BatchRecord record) {
    }
}
