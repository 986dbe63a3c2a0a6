package org.mseg.hrnet.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mseg.api.ConfigException;
import org.mseg.api.config.Precision;
import org.mseg.datasets.loader.Batch;
import org.mseg.datasets.loader.DatasetSlice;
import org.mseg.engine.DevicePlan;
import org.mseg.engine.Trainer;
import org.mseg.engine.testkit.DataParallelCheck;

/**
 * Data parallelism on virtual CPU devices: a plan naming the CPU trains exactly as TensorFlow's default placement;
 * two devices (each a tower over half the crops, synchronized BN, all-reduced gradients) compute the same gradients
 * and BN statistics as one, and over a real training run stay within the float32 noise floor of one device.
 */
class DevicePlanTrainerTest {

    private static final int SIZE = 17;
    private static final List<DatasetSlice> SLICES = ToyBatches.twoDatasets(2);
    private static final int STEPS = 10;
    private static final DevicePlan ONE = new DevicePlan(List.of("cpu:0"));
    private static final DevicePlan TWO = new DevicePlan(List.of("cpu:0", "cpu:1"));

    private static List<Batch> batches(int steps) {
        ToyBatches data = new ToyBatches(3, SIZE, Toy.CLASSES, SLICES, 0);
        List<Batch> out = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            out.add(data.next());
        }
        return out;
    }

    private static Trainer trainer(DevicePlan plan, double lr, Precision precision) {
        return Toy.trainer(SIZE, SLICES, lr, STEPS, 11).devices(plan).precision(precision).build();
    }

    private static Map<String, float[]> train(DevicePlan plan) {
        return DataParallelCheck.train(p -> trainer(p, 0.05, Precision.FP32), plan, batches(3)).variables();
    }

    @Test
    void anExplicitCpuPlanTrainsExactlyAsTheDefaultPlacement() {
        Map<String, float[]> placed = train(ONE);
        Map<String, float[]> automatic = train(DevicePlan.single());
        assertEquals(automatic.keySet(), placed.keySet());
        automatic.forEach((k, v) -> assertArrayEquals(v, placed.get(k), k));
    }

    /**
     * With a learning rate of 1e-12 the weights stay put, so after ten steps each momentum buffer is the sum of ten
     * steps' gradients at the same weights, and the BN running statistics have averaged ten steps' batch statistics.
     * In float32 both must match one device's to a few roundings of values of order 1; in bfloat16 (8 significant
     * bits) to a few times what one device itself moves when each dataset's crops come in reverse order.
     */
    @Test
    void twoDevicesComputeTheGradientsAndStatisticsOfOne() {
        List<Batch> batches = batches(STEPS);
        List<Batch> reversed = batches.stream().map(DataParallelCheck::reversedWithinSlices).toList();
        for (Precision precision : List.of(Precision.FP32, Precision.BF16)) {
            if (org.mseg.engine.LowPrecisionKernels.problem(precision).isPresent()) {
                continue;
            }
            var one = DataParallelCheck.train(p -> trainer(p, 1e-12, precision), ONE, batches);
            var two = DataParallelCheck.train(p -> trainer(p, 1e-12, precision), TWO, batches);
            DataParallelCheck.Difference d = DataParallelCheck.compare(one, two);
            double bound = 2e-5;
            String noise = "";
            if (precision == Precision.BF16) {
                var oneReversed = DataParallelCheck.train(p -> trainer(p, 1e-12, precision), ONE, reversed);
                DataParallelCheck.Difference floor = DataParallelCheck.compare(one, oneReversed);
                bound = Math.max(bound, 4 * floor.max());
                noise = "; one device vs its reversed crops " + floor;
            }
            System.out.printf("%s frozen weights, cpu:1 vs cpu:2 after %d steps: %s%s%n", precision, STEPS, d, noise);
            assertTrue(d.max() <= bound, precision + ": " + d + noise);
        }
    }

    /**
     * A real run (learning rate 0.05, ten steps) amplifies float32 rounding step by step. Its noise floor is what the
     * same single-device run gives with each dataset's crops in reverse order (the same step, summed in another order);
     * two devices must stay within a small multiple of it.
     */
    @Test
    void trainingOnTwoDevicesStaysWithinOneDevicesRoundingNoise() {
        List<Batch> batches = batches(STEPS);
        List<Batch> reversed = batches.stream().map(DataParallelCheck::reversedWithinSlices).toList();
        var one = DataParallelCheck.train(p -> trainer(p, 0.05, Precision.FP32), ONE, batches);
        var oneReversed = DataParallelCheck.train(p -> trainer(p, 0.05, Precision.FP32), ONE, reversed);
        var two = DataParallelCheck.train(p -> trainer(p, 0.05, Precision.FP32), TWO, batches);
        DataParallelCheck.Difference floor = DataParallelCheck.compare(one, oneReversed);
        DataParallelCheck.Difference devices = DataParallelCheck.compare(one, two);
        System.out.printf("lr 0.05, %d steps: one device vs its reversed crops %s; cpu:1 vs cpu:2 %s%n", STEPS, floor,
                devices);
        assertTrue(devices.max() <= Math.max(1e-5, 4 * floor.max()), "two devices " + devices + ", noise " + floor);
    }

    /**
     * An objective on the batch-wide representation (as CCSA's contrastive loss is), {@code 1e-3·Σ z²} plus the
     * cross-entropy: its gradient enters every tower at its rows of the representation. Back-propagated through BN,
     * a gradient proportional to the activations cancels almost entirely, so float32 rounding is amplified; the bound
     * is what one device itself moves when each dataset's crops come in reverse order (the objective does not depend
     * on their order).
     */
    @Test
    void gradientsEnteringAtTheRepresentationReachEveryTower() {
        List<Batch> batches = batches(2);
        List<Batch> reversed = batches.stream().map(DataParallelCheck::reversedWithinSlices).toList();
        java.util.function.Function<DevicePlan, Trainer> trainer = p -> Toy.trainer(SIZE, SLICES, 1e-12, STEPS, 11)
                .devices(p).strategy(representationObjective(), Map.of()).build();
        var one = DataParallelCheck.train(trainer, ONE, batches);
        var oneReversed = DataParallelCheck.train(trainer, ONE, reversed);
        var two = DataParallelCheck.train(trainer, TWO, batches);
        DataParallelCheck.Difference floor = DataParallelCheck.compare(one, oneReversed);
        DataParallelCheck.Difference devices = DataParallelCheck.compare(one, two);
        System.out.printf("representation objective: one device vs its reversed crops %s; cpu:1 vs cpu:2 %s%n", floor,
                devices);
        assertTrue(devices.max() <= Math.max(2e-5, 4 * floor.max()), "two devices " + devices + ", noise " + floor);
    }

    private static org.mseg.engine.GraphTrainingStrategy representationObjective() {
        return c -> {
            var tf = c.tf();
            org.tensorflow.Operand<org.tensorflow.types.TFloat32> z = c.forward().representation();
            var objective = tf.math.add(tf.math.mul(tf.sum(tf.math.square(z), tf.constant(new int[] {0, 1, 2, 3})),
                    tf.constant(1e-3f)), c.loss().mean());
            org.tensorflow.op.Op train = c.minimize(c.gradients(objective));
            return step -> {
                try (org.tensorflow.Result r = step.runner().fetch(objective).addTarget(train).run()) {
                    return new org.mseg.engine.StepOutcome(((org.tensorflow.types.TFloat32) r.get(0)).getFloat(),
                            Map.of(), Map.of());
                }
            };
        };
    }

    /**
     * float16 with dynamic loss scaling: the towers' gradients are summed, then unscaled and checked for overflow once,
     * so two devices skip the same steps and end with the same scale as one.
     */
    @Test
    void float16LossScalingSkipsTheSameStepsOnTwoDevices() {
        List<Batch> batches = batches(2);
        java.util.function.Function<DevicePlan, Trainer> trainer = p -> Toy.trainer(SIZE, SLICES, 1e-12, STEPS, 11)
                .devices(p).precision(Precision.FP16).lossScaling(65536f, 1).build();
        List<String> states = new ArrayList<>();
        for (DevicePlan plan : List.of(ONE, TWO)) {
            try (Trainer t = trainer.apply(plan)) {
                for (Batch b : batches) {
                    t.step(b);
                }
                states.add(t.lossScaleState().orElseThrow().toString());
            }
        }
        assertEquals(states.get(0), states.get(1));
    }

    @Test
    void anObjectiveReadingTheWeightsAroundTheTowersIsRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> Toy.trainer(SIZE, SLICES, 0.05, 3, 11)
                .devices(TWO).strategy(c -> {
                    var tf = c.tf();
                    var penalty = tf.sum(tf.math.square(tf.reshape(c.variables().get(0), tf.constant(new int[] {-1}))),
                            tf.constant(0));
                    c.minimize(c.gradients(tf.math.add(c.loss().mean(), penalty)));
                    return step -> null;
                }, Map.of()).build());
        assertTrue(e.getMessage().contains("other than through the step's losses"), e.getMessage());
    }

    @Test
    void moreDevicesThanCropsAreRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> Toy.trainer(SIZE, SLICES, 0.05, 3, 11)
                .devices(new DevicePlan(List.of("cpu:0", "cpu:1", "cpu:2", "cpu:3", "cpu:4"))).build());
        assertTrue(e.getMessage().contains("5 devices for 4 crops"), e.getMessage());
    }

    @Test
    void devicePlansNameTensorFlowDevicesOnce() {
        assertEquals(1, DevicePlan.single().replicas());
        assertEquals(2, new DevicePlan(List.of("gpu:0", "gpu:1")).replicas());
        assertThrows(ConfigException.class, () -> new DevicePlan(List.of("tpu:0")));
        assertThrows(ConfigException.class, () -> new DevicePlan(List.of("cpu:0", "cpu:0")));
    }
}
