/**
 * The {@code ./style4j} command line: argument parsing, progress and pictures. The only
 * place, with the benchmarks, that prints to the terminal.
 */
package io.github.style4j.examples.cli;
