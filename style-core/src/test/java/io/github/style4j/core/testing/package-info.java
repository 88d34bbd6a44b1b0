/**
 * Test support shared by every module through style-core's test-jar: the JUnit hook that
 * picks the ND4J native build, access to the {@code ../shared} test files (skipped without
 * them, failed in CI), child processes that cannot outlive their test, and the per-input time
 * and memory budget of the fuzz targets.
 */
package io.github.style4j.core.testing;
