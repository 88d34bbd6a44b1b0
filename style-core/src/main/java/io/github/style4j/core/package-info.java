/**
 * style4j core: images, colour, tensors and optimisers over plain ND4J arrays, and the choice of
 * native ND4J build.
 *
 * <p>This module never builds a SameDiff graph and never depends on an ND4J backend;
 * the feature networks, loss modules and optimisation live in {@code style-samediff}.
 */
package io.github.style4j.core;
