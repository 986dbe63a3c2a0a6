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

    /**
     * {@code allreduce_precision} bf16 and fp16: after one step at frozen weights the momentum buffers hold the summed
     * gradients, rounded twice (each replica's share, then the sum) in the narrow type. Every variable must stay within
     * four unit roundoffs of its largest value (plus fp16's smallest subnormal, for gradients that underflow), and
     * differ from the float32 sum somewhere: the gradients did travel narrow.
     */
    @Test
    void compressedGradientsDifferFromFloat32ByTheirRoundingOnly() {
        List<Batch> one = batches(1);
        var exact = DataParallelCheck.train(p -> trainer(p, 1e-12, Precision.FP32), TWO, one);
        for (String type : List.of("bf16", "fp16")) {
            double unit = type.equals("bf16") ? Math.scalb(1.0, -9) : Math.scalb(1.0, -12);
            double tiny = type.equals("bf16") ? 0 : Math.scalb(1.0, -24);
            var narrow = DataParallelCheck.train(p -> Toy.trainer(SIZE, SLICES, 1e-12, STEPS, 11).devices(p)
                    .allReducePrecision(type).build(), TWO, one);
            double largest = 0;
            for (var e : exact.variables().entrySet()) {
                float[] x = e.getValue();
                float[] y = narrow.variables().get(e.getKey());
                double scale = 0;
                for (float v : x) {
                    scale = Math.max(scale, Math.abs(v));
                }
                for (int i = 0; i < x.length; i++) {
                    double d = Math.abs(x[i] - y[i]);
                    largest = Math.max(largest, d);
                    assertTrue(d <= 4 * unit * scale + tiny, type + ": " + e.getKey() + "[" + i + "] " + x[i]
                            + " vs " + y[i] + " (largest value " + scale + ")");
                }
            }
            assertTrue(largest > 0, type + ": nothing was rounded, so the gradients did not travel in " + type);
            System.out.printf("allreduce_precision %s: largest difference to float32 after one step %.3g%n", type,
                    largest);
        }
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
     * Both must match one device's to a few times what one device itself moves when each dataset's crops come in
     * reverse order, and in float32 at least to a few hundred roundings (5e-5 relative).
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
            var oneReversed = DataParallelCheck.train(p -> trainer(p, 1e-12, precision), ONE, reversed);
            DataParallelCheck.Difference floor = DataParallelCheck.compare(one, oneReversed);
            double bound = Math.max(5e-5, 4 * floor.max());
            String noise = "; one device vs its reversed crops " + floor;
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

    /** One crop per device: BN statistics still come from both crops, as on one device with a batch of two. */
    @Test
    void oneCropPerDeviceNormalisesLikeOneBatch() {
        List<DatasetSlice> slices = ToyBatches.twoDatasets(1);
        ToyBatches data = new ToyBatches(3, SIZE, Toy.CLASSES, slices, 0);
        List<Batch> batches = List.of(data.next(), data.next(), data.next());
        java.util.function.Function<DevicePlan, Trainer> trainer = p -> Toy.trainer(SIZE, slices, 1e-12, STEPS, 11)
                .devices(p).build();
        DataParallelCheck.Difference d = DataParallelCheck.compare(DataParallelCheck.train(trainer, ONE, batches),
                DataParallelCheck.train(trainer, TWO, batches));
        System.out.println("one crop per device, frozen weights: " + d);
        // 5e-5: a few hundred float32 roundings of sums of ten steps' gradients (1.5e-5 measured on an AMD EPYC)
        assertTrue(d.max() <= 5e-5, d.toString());
    }

    /**
     * Where TensorFlow actually ran the second tower: in the partition graphs of a training step, its forward ops and
     * the gradient ops {@code Graph.addGradients} built for it (which ignore the caller's device) are on CPU:1.
     */
    @Test
    void eachTowersForwardAndGradientOpsRunOnItsDevice() {
        Batch batch = batches(1).get(0);
        try (Trainer t = trainer(TWO, 0.05, Precision.FP32);
                org.tensorflow.types.TFloat32 images = org.tensorflow.types.TFloat32.tensorOf(
                        org.tensorflow.ndarray.Shape.of(batch.size(), SIZE, SIZE, 3),
                        org.tensorflow.ndarray.buffer.DataBuffers.of(batch.images(), true, false));
                org.tensorflow.types.TUint8 labels = org.tensorflow.types.TUint8.tensorOf(
                        org.tensorflow.ndarray.Shape.of(batch.size(), SIZE, SIZE),
                        org.tensorflow.ndarray.buffer.DataBuffers.of(
                                ((org.mseg.datasets.LabelBuffer.Bytes) batch.labels()).ids(), true, false));
                org.tensorflow.types.TFloat32 rate = org.tensorflow.types.TFloat32.scalarOf(0f)) {
            String gradient = null;
            for (var it = t.graph().operations(); it.hasNext();) {
                var op = it.next();
                if (op.name().startsWith("tower1_gradients_0/") && op.type().equals("Conv2DBackpropFilter")) {
                    gradient = op.name();
                    break;
                }
            }
            assertTrue(gradient != null, "no Conv2DBackpropFilter among tower 1's gradient ops");
            var run = t.session().runner().feed("images", images).feed("labels", labels).feed("learning_rate", rate)
                    .fetch(gradient).setOptions(org.tensorflow.proto.RunOptions.newBuilder()
                            .setOutputPartitionGraphs(true).build()).runAndFetchMetadata();
            try (var result = run) {
                Map<String, String> deviceOf = new java.util.HashMap<>();
                for (var partition : result.getMetadata().get().getPartitionGraphsList()) {
                    // leave out the _Send/_Recv nodes TensorFlow adds between devices (named .../_N)
                    partition.getNodeList().stream().filter(n -> !n.getName().matches(".*/_\\d+"))
                            .forEach(n -> deviceOf.put(n.getName(), n.getDevice()));
                }
                assertTrue(deviceOf.get(gradient).endsWith("CPU:1"), gradient + " ran on " + deviceOf.get(gradient));
                long forwardOnOne = deviceOf.entrySet().stream()
                        .filter(e -> e.getKey().startsWith("train_replica1/") && e.getKey().contains("Conv2d"))
                        .filter(e -> e.getValue().endsWith("CPU:1")).count();
                long forward = deviceOf.keySet().stream()
                        .filter(k -> k.startsWith("train_replica1/") && k.contains("Conv2d")).count();
                assertTrue(forward > 0 && forwardOnOne == forward, forwardOnOne + " of " + forward
                        + " of tower 1's convolutions ran on CPU:1");
                long towerOneGradients = deviceOf.entrySet().stream()
                        .filter(e -> e.getKey().startsWith("tower1_gradients_0/")).count();
                List<String> misplaced = deviceOf.entrySet().stream()
                        .filter(e -> e.getKey().startsWith("tower1_gradients_0/") && !e.getValue().endsWith("CPU:1"))
                        .map(e -> e.getKey() + "@" + e.getValue()).toList();
                assertEquals(List.of(), misplaced, misplaced.size() + " of " + towerOneGradients
                        + " gradient ops of tower 1 elsewhere");
            }
        }
    }

    @Test
    void moreDevicesThanCropsAreRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> Toy.trainer(SIZE, SLICES, 0.05, 3, 11)
                .devices(new DevicePlan(List.of("cpu:0", "cpu:1", "cpu:2", "cpu:3", "cpu:4"))).build());
        assertTrue(e.getMessage().contains("5 replicas (devices of all processes) for 4 crops"), e.getMessage());
    }

    @Test
    void devicePlansNameTensorFlowDevicesOnce() {
        assertEquals(1, DevicePlan.single().replicas());
        assertEquals(2, new DevicePlan(List.of("gpu:0", "gpu:1")).replicas());
        assertThrows(ConfigException.class, () -> new DevicePlan(List.of("tpu:0")));
        assertThrows(ConfigException.class, () -> new DevicePlan(List.of("cpu:0", "cpu:0")));
    }
}
