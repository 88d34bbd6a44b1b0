/**
 * style4j on SameDiff: feature networks (VGG-16, VGG-19, SqueezeNet) as graphs whose only
 * variable is the image, reusable perceptual loss modules, and the optimisation loop.
 */
package io.github.style4j.samediff;
