/**
 * The TensorFlow training engine.
 *
 * <ul>
 *   <li>{@link org.mseg.engine.Trainer}: the training state (graph, session, optimizer, iteration) and one
 *       {@code step(Batch)}; {@link org.mseg.engine.TrainingLoop} drives it from a
 *       {@link org.mseg.engine.BatchSource} with listeners and checkpoints;
 *       {@link org.mseg.engine.TrainingRun} does a whole run from a configuration.</li>
 *   <li>{@link org.mseg.engine.SegmentationLoss} (cross-entropy with ignore label, per dataset),
 *       {@link org.mseg.engine.SgdMomentum} (PyTorch SGD), {@link org.mseg.engine.PolyLrSchedule}.</li>
 *   <li>Strategy SPI for plugin modules: {@link org.mseg.engine.GraphTrainingStrategy},
 *       {@link org.mseg.engine.StrategyContext}, {@link org.mseg.engine.StepProgram},
 *       {@link org.mseg.engine.StepContext}; the built-in {@code standard} strategy uses nothing else.</li>
 * </ul>
 */
package org.mseg.engine;
