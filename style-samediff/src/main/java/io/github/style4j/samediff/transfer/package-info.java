/**
 * Style transfer end to end: {@link io.github.style4j.samediff.transfer.StyleTransferConfig}
 * (every setting, immutable), {@link io.github.style4j.samediff.transfer.StyleTransfer}
 * (runs it, reporting each step to listeners) and the result; the objectives it minimises
 * ({@link io.github.style4j.samediff.transfer.FeaturePassObjective}: eager network plus
 * SameDiff loss graph; {@link io.github.style4j.samediff.transfer.SameDiffObjective}: any
 * whole graph) and the memory check. Library code: no printing.
 */
package io.github.style4j.samediff.transfer;
