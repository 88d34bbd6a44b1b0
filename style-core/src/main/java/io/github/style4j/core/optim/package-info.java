/**
 * Optimisers over ND4J arrays: {@link io.github.style4j.core.optim.Adam} (ND4J's own updater)
 * and {@link io.github.style4j.core.optim.Lbfgs} (ours, with a strong-Wolfe line search),
 * behind one {@link io.github.style4j.core.optim.Optimizer} interface. They know nothing of
 * SameDiff or images: the objective is any function returning loss and gradient.
 */
package io.github.style4j.core.optim;
