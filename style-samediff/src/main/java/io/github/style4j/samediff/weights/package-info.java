/**
 * Where feature-network weights come from, all behind
 * {@link io.github.style4j.samediff.weights.WeightSource}: files in the formats users hold
 * ({@link io.github.style4j.samediff.weights.WeightSource#of}: PyTorch, ONNX, Keras HDF5,
 * Caffe, DL4J zip, {@code .npy} folders; told apart by content, only their convolutions read),
 * the DL4J zoo's pretrained files (downloaded with cache, checksum, mirrors and resume), or the
 * zoo's seeded random initialisation. {@link io.github.style4j.samediff.weights.WeightFiles}
 * inspects, verifies and converts files; {@link io.github.style4j.samediff.weights.KnownWeightFile}
 * lists the published files recognised by hash. Design: docs/decisions/0007-weight-formats.md.
 */
package io.github.style4j.samediff.weights;
