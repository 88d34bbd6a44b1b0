/**
 * {@code ./style4j batch} as an Apache Spark job ({@link io.github.style4j.spark.SparkBatch}):
 * the same flags, items, output names and manifest, with the items spread over executors and
 * the files read and written through Hadoop's FileSystem ({@link io.github.style4j.spark.HadoopBatchFiles}).
 * The library modules know nothing of Spark.
 */
package io.github.style4j.spark;
