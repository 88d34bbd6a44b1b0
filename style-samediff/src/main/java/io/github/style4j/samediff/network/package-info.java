/**
 * Feature networks (VGG-16, VGG-19, SqueezeNet 1.1) with constant weights:
 * {@link io.github.style4j.samediff.network.Architecture} says what the layers are,
 * {@link io.github.style4j.samediff.network.NetworkWeights} what they hold,
 * {@link io.github.style4j.samediff.network.FeatureNetwork} defines them into a SameDiff
 * graph (for pipelines) and {@link io.github.style4j.samediff.network.FeaturePass} runs them
 * eagerly with an image-only backward pass (for style transfer's inner loop; same numbers,
 * half the time); {@link io.github.style4j.samediff.network.TileLayout} and
 * {@link io.github.style4j.samediff.network.TiledPass} run it over an image in tiles with exact
 * halos, for images too large to hold at once (or in moving tiles without halos,
 * {@link io.github.style4j.samediff.network.TileLayout#moving}). Where weights come from is
 * {@code io.github.style4j.samediff.weights}.
 */
package io.github.style4j.samediff.network;
