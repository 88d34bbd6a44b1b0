/**
 * Fast (feed-forward) style transfer: a {@link io.github.style4j.samediff.fast.TransformerNetwork}
 * trained once per style with style4j's loss modules ({@link io.github.style4j.samediff.fast.FastStyleTrainer}),
 * saved as one file ({@link io.github.style4j.samediff.fast.FastStyleModel}) and applied to any
 * photo in one pass ({@link io.github.style4j.samediff.fast.FastStyle}).
 */
package io.github.style4j.samediff.fast;
