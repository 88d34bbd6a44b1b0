/**
 * Benchmark commands ({@code ./style4j-bench}): plain harnesses that print numbers
 * measured side by side in one run. Not tests: nothing here asserts a time.
 */
package io.github.style4j.examples.bench;
