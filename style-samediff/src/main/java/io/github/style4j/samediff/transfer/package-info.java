/**
 * Style transfer end to end: {@link io.github.style4j.samediff.transfer.StyleTransferConfig}
 * (every setting, immutable), {@link io.github.style4j.samediff.transfer.StyleTransfer}
 * (runs it, reporting each step to listeners) and the result. Library code: no printing.
 */
package io.github.style4j.samediff.transfer;
