package org.mseg.engine.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.pytorch.TorchTensor;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * The parts of {@link Checkpoints} that do not depend on the model, on a toy model of two root-scope variables: a
 * failed write leaves the old checkpoint, and a full disk is reported as such. The model's side (HRNet weights round
 * trip, restore into another graph, ...) is tested with the HRNet provider, in mseg-hrnet-tf.
 */
class CheckpointsTest {

    private static final int CLASSES = 3;

    private static CheckpointMetadata meta() {
        return new CheckpointMetadata("toy", "two-variables", CLASSES, Map.of("width", 2L), "toy-3",
                List.of("sky", "road", "car"), Instant.now(), Map.of(), List.of());
    }

    /** A toy model at the graph's root scope, its weights drawn from {@code seed}. */
    private static List<Variable<TFloat32>> toyModel(Graph g, long seed) {
        Ops tf = Ops.create(g);
        Random rnd = new Random(seed);
        Map<String, Shape> shapes = new LinkedHashMap<>();
        shapes.put("conv1.weight", Shape.of(CLASSES, 2));
        shapes.put("last_layer.3.bias", Shape.of(CLASSES));
        return shapes.entrySet().stream().map(e -> {
            float[] values = new float[Math.toIntExact(e.getValue().size())];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) rnd.nextGaussian();
            }
            Variable<TFloat32> v = tf.withName(e.getKey()).variable(e.getValue(), TFloat32.class);
            Ops init = tf.withInitScope();
            init.assign(v, init.reshape(init.constant(values), init.constant(e.getValue().asArray())));
            return v;
        }).toList();
    }

    /** The toy model's weights, keyed by variable name. */
    private static Map<String, TorchTensor> export(Session s, List<Variable<TFloat32>> model) {
        Map<String, TorchTensor> out = new LinkedHashMap<>();
        for (Variable<TFloat32> v : model) {
            try (Result r = s.runner().fetch(v).run()) {
                TFloat32 t = (TFloat32) r.get(0);
                float[] data = new float[Math.toIntExact(t.size())];
                t.asRawTensor().data().asFloats().read(data);
                out.put(v.op().name(), new TorchTensor(t.shape().asArray(), data, "float32"));
            }
        }
        return out;
    }

    /** Writes a toy model with weights drawn from {@code seed}; returns its weights. */
    private static Map<String, TorchTensor> writeTiny(Path dir, long seed, CheckpointMetadata meta) {
        try (Graph g = new Graph()) {
            List<Variable<TFloat32>> model = toyModel(g, seed);
            try (Session s = new Session(g)) {
                Checkpoints.write(dir, s, meta);
                return export(s, model);
            }
        }
    }

    private static Map<String, TorchTensor> restoreTiny(Path dir) {
        try (Graph g = new Graph()) {
            List<Variable<TFloat32>> model = toyModel(g, 123L);
            try (Session s = new Session(g)) {
                Checkpoints.restore(dir, s);
                return export(s, model);
            }
        }
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void replacingKeepsTheOldCheckpointWhenTheWriteFailsBeforePublishing(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("latest");
        Map<String, TorchTensor> first = writeTiny(dir, 1L, meta().withTraining(Map.of("iteration", 1L)));
        try (Graph g = new Graph()) {
            List<Variable<TFloat32>> model = toyModel(g, 2L);
            try (Session s = new Session(g)) {
                CheckpointMetadata second = meta().withTraining(Map.of("iteration", 2L));
                RuntimeException killed = new IllegalStateException("simulated crash");
                assertEquals(killed, assertThrows(IllegalStateException.class,
                        () -> Checkpoints.write(dir, s, second, () -> {
                            throw killed;
                        })));
                assertEquals(List.of("latest"), names(tmp), "the temporary folder is deleted");
                assertEquals(1L, Checkpoints.read(dir).training().get("iteration"));
                assertEquals(first, restoreTiny(dir));

                CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.write(dir, s,
                        meta().withTraining(Map.of("loss", Double.NaN))));
                assertTrue(e.getMessage().contains("$.training.loss"), e.getMessage());
                assertEquals(List.of("latest"), names(tmp));
                assertEquals(1L, Checkpoints.read(dir).training().get("iteration"));

                Checkpoints.write(dir, s, second);
                assertEquals(2L, Checkpoints.read(dir).training().get("iteration"));
                assertEquals(export(s, model), restoreTiny(dir));
                assertEquals(List.of("latest"), names(tmp), "the replaced checkpoint is deleted");
            }
        }
    }

    @Test
    void aFullDiskIsReportedAsSuchNamingTheCheckpointNotAsTensorFlowsOutOfMemory(@TempDir Path tmp) {
        Path target = tmp.resolve("run/checkpoints/iter_6");
        // what TensorFlow's SaveV2 reports on ENOSPC, with the session's OOM hint appended
        RuntimeException tf = new org.tensorflow.exceptions.TFResourceExhaustedException(target
                + "/variables_temp/part-00000-of-00001.data-00000-of-00001.tempstate123; No space left on device\n"
                + "\t [[{{node save/SaveV2}}]]\nHint: If you want to see a list of allocated tensors when OOM happens,"
                + " add report_tensor_allocations_upon_oom to RunOptions for current allocation info.");
        IOException java = new IOException("No space left on device");
        Path devFull = Path.of("/dev/full");
        if (Files.isWritable(devFull)) {
            java = assertThrows(IOException.class, () -> Files.write(devFull, new byte[1 << 16]));
        }
        for (Throwable cause : List.of(tf, java)) {
            assertTrue(Checkpoints.isDiskFull(cause), cause.toString());
            CheckpointException e = Checkpoints.diskFull(target, cause);
            assertTrue(e.getMessage().contains("cannot write checkpoint " + target + ": the disk is full"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("--out DIR"), e.getMessage());
            assertFalse(e.getMessage().contains("OOM") || e.getMessage().contains("allocat"), e.getMessage());
        }
        assertFalse(Checkpoints.isDiskFull(new org.tensorflow.exceptions.TFResourceExhaustedException(
                "OOM when allocating tensor with shape[35,48,713,713]")), "a real OOM stays an OOM");
    }
}
