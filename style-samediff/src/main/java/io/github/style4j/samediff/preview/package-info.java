/**
 * A live preview of running style transfers: a local web page ({@link
 * io.github.style4j.samediff.preview.LivePreview}) with the picture forming, loss curves,
 * settings and a Stop button, served on the loopback address behind a random token.
 */
package io.github.style4j.samediff.preview;
