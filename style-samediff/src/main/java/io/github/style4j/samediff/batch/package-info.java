/**
 * Many pictures with one set of settings: inputs times styles as {@link io.github.style4j.samediff.batch.BatchItem}s
 * with predictable output names, a manifest that makes a rerun skip what is done, shards that
 * split a batch across machines without coordination, and video frames stylised in order with
 * temporal coherence. Storage goes through {@link io.github.style4j.samediff.batch.BatchFiles},
 * so that a cluster job (style-spark) runs the same batch on Hadoop's file systems.
 */
package io.github.style4j.samediff.batch;
