/**
 * Images in and out: {@link io.github.style4j.core.image.ImageReader} (hostile-file-safe
 * decoding with Commons Imaging and the JDK), {@link io.github.style4j.core.image.ImageWriter}
 * (atomic PNG/TIFF/JPEG output), the in-memory {@link io.github.style4j.core.image.RgbImage},
 * resizing, and the exception hierarchy rooted at
 * {@link io.github.style4j.core.image.ImageException}. No ND4J here; tensors live in
 * {@code io.github.style4j.core.tensor}.
 */
package io.github.style4j.core.image;
