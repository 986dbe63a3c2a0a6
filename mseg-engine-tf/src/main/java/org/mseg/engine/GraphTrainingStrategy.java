package org.mseg.engine;

/**
 * The TensorFlow side of a training strategy, reached from {@link org.mseg.api.train.TrainingStrategy#unwrap(Class)}.
 *
 * <p>Contract. The engine builds the graph in this order: model variables, the images/labels placeholders, one
 * training forward pass over the whole batch (BN statistics over all datasets' crops together, like upstream's
 * SyncBN), the per-dataset cross-entropy losses, the optimizer and its momentum buffers; then it calls
 * {@link #build(StrategyContext)} <em>once</em>, before any session exists. The strategy adds whatever ops it needs
 * (gradients, extra losses, placeholders for per-step inputs, extra variables) and returns the {@link StepProgram}
 * that the engine runs once per step. After {@code build} returns the engine creates the session; variables created
 * later would not be checkpointed, so a strategy creates all of its variables inside {@code build}.
 *
 * <p>Several devices ({@link StrategyContext#replicas()} &gt; 1). The engine splits the batch into towers and gives the
 * strategy the whole batch's values; an objective must be built from them (and the strategy's own inputs) and
 * differentiated with {@link StrategyContext#gradients}, never with {@code tf.gradients} of its own, and must not read
 * the trained variables on another path (refused with a {@link org.mseg.api.ConfigException}).
 *
 * <p>Examples. {@code standard}: {@code minimize(gradients(loss().mean()))}. MGDA: per-dataset gradients with
 * {@link StrategyContext#gradients} of each {@code loss().perDataset().get(d)}, a Gram matrix from per-variable
 * partial dot products built in the graph, α solved in Java between two {@code session} runs, then
 * {@code minimize(Σ α_d g_d)} with α fed through the strategy's own placeholder. CCSA: an extra loss on
 * {@code forward().representation()} whose pixel-pair indices the program feeds each step from
 * {@link StepContext#batch()}.
 */
public interface GraphTrainingStrategy {

    /**
     * Adds the strategy's ops to the graph.
     *
     * @return the per-step program
     * @throws org.mseg.api.ConfigException if an option is invalid for this model or batch layout
     */
    StepProgram build(StrategyContext context);

    /**
     * Whether the step program reads the batch's images or labels in Java ({@link StepContext#batch()}), as CCSA
     * reads the labels to sample its pixel pairs. In a cluster of processes each process then loads the whole batch;
     * otherwise each loads and feeds only the rows of its own replicas (the default), and {@link StepContext#batch()}
     * holds only those.
     */
    default boolean readsWholeBatch() {
        return false;
    }
}
