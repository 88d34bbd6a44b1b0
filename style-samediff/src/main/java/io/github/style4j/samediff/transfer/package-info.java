/**
 * Style transfer end to end: {@link io.github.style4j.samediff.transfer.StyleTransferConfig}
 * (every setting, immutable), {@link io.github.style4j.samediff.transfer.StyleTransfer}
 * (runs it, reporting each step to listeners) and the result; the objectives it minimises
 * ({@link io.github.style4j.samediff.transfer.FeaturePassObjective}: eager network plus
 * SameDiff loss graph; {@link io.github.style4j.samediff.transfer.SameDiffObjective}: any
 * whole graph; {@link io.github.style4j.samediff.transfer.TiledObjective}: the same in tiles,
 * for images whose activations do not fit at once;
 * {@link io.github.style4j.samediff.transfer.MovingTileObjective}: cheaper moving tiles with
 * each tile's own statistics, for Adam) and the memory model and plans
 * ({@link io.github.style4j.samediff.transfer.MemoryEstimate},
 * {@link io.github.style4j.samediff.transfer.MemoryPlan}: whole image or tiles, and the L-BFGS
 * history, per scale). Library code: no printing.
 */
package io.github.style4j.samediff.transfer;
