/**
 * Test support shared by every module through style-core's test-jar: the JUnit hook that
 * picks the ND4J native build, and access to the {@code ../shared} test files.
 */
package io.github.style4j.core.testing;
