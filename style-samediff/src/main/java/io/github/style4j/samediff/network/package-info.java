/**
 * Feature networks (VGG-16, VGG-19, SqueezeNet 1.1) as SameDiff subgraphs with constant
 * weights: {@link io.github.style4j.samediff.network.Architecture} says what the layers are,
 * {@link io.github.style4j.samediff.network.NetworkWeights} what they hold,
 * {@link io.github.style4j.samediff.network.FeatureNetwork} defines them into a graph.
 * Where weights come from is {@code io.github.style4j.samediff.weights}.
 */
package io.github.style4j.samediff.network;
