/**
 * Runnable programs built on style4j: the command line, benchmarks and examples. This
 * module picks the ND4J backend and the SLF4J binding; the libraries do neither.
 */
package io.github.style4j.examples;
