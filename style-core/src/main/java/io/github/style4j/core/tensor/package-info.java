/**
 * Images as ND4J tensors: the {@code [1, 3, H, W]} RGB {@code [0, 1]} convention and the
 * per-weights preprocessing (Caffe BGR mean-subtracted, torchvision mean/std). Uses only
 * the ND4J API; the backend is the application's choice.
 */
package io.github.style4j.core.tensor;
