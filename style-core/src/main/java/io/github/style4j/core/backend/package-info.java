/**
 * Which native build of ND4J's CPU backend a JVM loads.
 *
 * <p>{@link io.github.style4j.core.backend.NativeBuildSelector} reads the CPU's flags and
 * the class path and tells JavaCPP which build to load, before ND4J starts. Nothing here
 * depends on a backend: the backend jars are chosen by the application (style-examples,
 * or a user's own pom).
 */
package io.github.style4j.core.backend;
