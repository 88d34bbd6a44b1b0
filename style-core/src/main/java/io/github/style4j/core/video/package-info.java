/**
 * Frames in sequence: Middlebury {@code .flo} optical flow, warping a picture along a flow,
 * flow-consistency weights (Ruder et al. 2016), and the flicker of a frame sequence. Plain
 * Java on {@link io.github.style4j.core.image.RgbImage}s; no ND4J.
 */
package io.github.style4j.core.video;
