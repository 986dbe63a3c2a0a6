package org.mseg.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mseg.pytorch.TorchTensor;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** A model's weights in TensorFlow's own terms move between two graphs of the same model, checked key by key. */
class VariableStateDictTest {

    /** Two variables at the root scope, initialised from {@code seed}. */
    private static List<Variable<TFloat32>> model(Graph g, long seed, long classes) {
        Ops tf = Ops.create(g);
        Random rnd = new Random(seed);
        Map<String, Shape> shapes = new LinkedHashMap<>();
        shapes.put("conv1.weight", Shape.of(3, 3, 3, 4));
        shapes.put("classifier.bias", Shape.of(classes));
        List<Variable<TFloat32>> out = new ArrayList<>();
        shapes.forEach((name, shape) -> {
            float[] values = new float[Math.toIntExact(shape.size())];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) rnd.nextGaussian();
            }
            Variable<TFloat32> v = tf.withName(name).variable(shape, TFloat32.class);
            Ops init = tf.withInitScope();
            init.assign(v, init.reshape(init.constant(values), init.constant(shape.asArray())));
            out.add(v);
        });
        return out;
    }

    private static Map<String, long[]> shapes(Map<String, TorchTensor> dict) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        dict.forEach((k, t) -> shapes.put(k, t.shape()));
        return shapes;
    }

    @Test
    void weightsExportedFromOneGraphLoadIntoAnotherExactly() {
        Map<String, TorchTensor> exported;
        try (Graph g = new Graph(); Session s = new Session(g)) {
            List<Variable<TFloat32>> vars = model(g, 1L, 5);
            s.initialize();
            exported = VariableStateDict.export(s, vars);
        }
        assertEquals(List.of("conv1.weight", "classifier.bias"), List.copyOf(exported.keySet()));
        assertArrayEquals(new long[] {3, 3, 3, 4}, exported.get("conv1.weight").shape());
        Map<String, TorchTensor> extra = new LinkedHashMap<>(exported);
        extra.put("head.unused", new TorchTensor(new long[] {1}, new float[] {1f}, "float32"));
        try (Graph g = new Graph(); Session s = new Session(g)) {
            List<Variable<TFloat32>> vars = model(g, 2L, 5);
            s.initialize();
            assertTrue(!java.util.Arrays.equals(exported.get("conv1.weight").data(),
                    VariableStateDict.export(s, vars).get("conv1.weight").data()), "another seed, other weights");
            LoadReport report = VariableStateDict.load(s, vars, shapes(extra), extra::get);
            assertEquals(List.of("conv1.weight", "classifier.bias"), report.loaded());
            assertEquals(List.of("head.unused"), report.unexpected());
            assertEquals(List.of(), report.missing());
            Map<String, TorchTensor> now = VariableStateDict.export(s, vars);
            exported.forEach((k, t) -> assertArrayEquals(t.data(), now.get(k).data(), k));
        }
    }

    @Test
    void aShapeMismatchNamesTheKeyAndBothShapesAndAMissingKeyIsReported() {
        Map<String, TorchTensor> exported;
        try (Graph g = new Graph(); Session s = new Session(g)) {
            List<Variable<TFloat32>> vars = model(g, 1L, 5);
            s.initialize();
            exported = VariableStateDict.export(s, vars);
        }
        try (Graph g = new Graph(); Session s = new Session(g)) {
            List<Variable<TFloat32>> vars = model(g, 1L, 7);
            s.initialize();
            StateDictException e = assertThrows(StateDictException.class,
                    () -> VariableStateDict.load(s, vars, shapes(exported), exported::get));
            assertTrue(e.getMessage().contains("classifier.bias") && e.getMessage().contains("[5]")
                    && e.getMessage().contains("[7]"), e.getMessage());
            Map<String, TorchTensor> partial = Map.of("conv1.weight", exported.get("conv1.weight"));
            LoadReport report = VariableStateDict.load(s, vars, shapes(partial), partial::get);
            assertEquals(List.of("classifier.bias"), report.missing());
            assertEquals(List.of("conv1.weight"), report.loaded());
        }
    }
}
