/**
 * Images in and out: {@link io.github.style4j.core.image.ImageReader} (hostile-file-safe
 * decoding: style4j's own decoders for the common PNG, 16-bit TIFF, binary PNM and WebP, the
 * JDK, Commons Imaging and TwelveMonkeys for the rest), {@link io.github.style4j.core.image.ImageWriter}
 * (atomic PNG/TIFF/JPEG output), the in-memory {@link io.github.style4j.core.image.RgbImage},
 * resizing, and the exception hierarchy rooted at
 * {@link io.github.style4j.core.image.ImageException}. No ND4J here; tensors live in
 * {@code io.github.style4j.core.tensor}.
 */
package io.github.style4j.core.image;
