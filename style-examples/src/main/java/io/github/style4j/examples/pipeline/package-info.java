/** Runnable examples of style4j's loss modules inside someone else's SameDiff pipeline. */
package io.github.style4j.examples.pipeline;
