/**
 * The TensorFlow training engine.
 *
 * <ul>
 *   <li>{@link org.mseg.hrnet.engine.Trainer}: the training state (graph, session, optimizer, iteration) and one
 *       {@code step(StepBatch)}; {@link org.mseg.hrnet.engine.TrainingLoop} drives it from a
 *       {@link org.mseg.hrnet.engine.BatchSource} with listeners and checkpoints;
 *       {@link org.mseg.hrnet.engine.TrainingRun} does a whole run from a configuration.</li>
 *   <li>{@link org.mseg.hrnet.engine.SegmentationLoss} (cross-entropy with ignore label, per dataset),
 *       {@link org.mseg.hrnet.engine.SgdMomentum} (PyTorch SGD), {@link org.mseg.hrnet.engine.PolyLrSchedule}.</li>
 *   <li>Strategy SPI for plugin modules: {@link org.mseg.hrnet.engine.GraphTrainingStrategy},
 *       {@link org.mseg.hrnet.engine.StrategyContext}, {@link org.mseg.hrnet.engine.StepProgram},
 *       {@link org.mseg.hrnet.engine.StepContext}; the built-in {@code standard} strategy uses nothing else.</li>
 * </ul>
 */
package org.mseg.hrnet.engine;
