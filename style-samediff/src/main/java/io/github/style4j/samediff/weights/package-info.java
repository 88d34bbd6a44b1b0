/**
 * Where feature-network weights come from: the DL4J zoo's pretrained files (downloaded with
 * cache, checksum and progress), a local DL4J model zip, a folder of {@code .npy} files, or
 * the zoo's seeded random initialisation. All behind
 * {@link io.github.style4j.samediff.weights.WeightSource}.
 */
package io.github.style4j.samediff.weights;
