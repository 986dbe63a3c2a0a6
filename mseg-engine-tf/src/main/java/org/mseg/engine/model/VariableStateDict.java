package org.mseg.engine.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.mseg.pytorch.TorchTensor;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * A model's variables as a state dict in TensorFlow's own terms: keys are the variables' op names, tensors have the
 * variables' shapes and layouts (HWIO convolution kernels). {@link GraphModel}'s default PyTorch rules use it, so
 * every provider's weights move between graphs ({@code --pretrained CHECKPOINT_DIR}, {@code model import} of a dict
 * written in these terms) without rules of its own; a provider with upstream PyTorch weights overrides both methods
 * with its real key names and layouts, as HRNet does.
 */
public final class VariableStateDict {

    private VariableStateDict() {
    }

    /** The values of {@code variables} in {@code session}, by op name, in the given order (one session run). */
    public static Map<String, TorchTensor> export(Session session, List<Variable<TFloat32>> variables) {
        Map<String, float[]> values = values(session, variables);
        Map<String, TorchTensor> out = new LinkedHashMap<>();
        for (Variable<TFloat32> v : variables) {
            String name = v.op().name();
            out.put(name, new TorchTensor(v.shape().asArray(), values.get(name), "float32"));
        }
        return out;
    }

    /**
     * The values of {@code variables} in {@code session} as flat float arrays by op name, in the given order, read in
     * one session run (copies the weights into the Java heap).
     */
    public static Map<String, float[]> values(Session session, List<Variable<TFloat32>> variables) {
        Map<String, float[]> out = new LinkedHashMap<>();
        if (variables.isEmpty()) {
            return out;
        }
        Session.Runner runner = session.runner();
        variables.forEach(runner::fetch);
        try (Result r = runner.run()) {
            for (int i = 0; i < variables.size(); i++) {
                TFloat32 t = (TFloat32) r.get(i);
                float[] values = new float[Math.toIntExact(t.size())];
                t.asRawTensor().data().asFloats().read(values);
                out.put(variables.get(i).op().name(), values);
            }
        }
        return out;
    }

    /**
     * Loads every key that names one of {@code variables} into {@code session}. Shapes are checked before any tensor
     * is read; {@code reader} is called only for the keys that load. The assignments are added to the session's graph
     * (a session runs ops added after it was created) and run together.
     *
     * @return which keys loaded, which variables the dict lacked, which keys name no variable
     * @throws StateDictException if a key's shape differs from its variable's, naming both
     */
    public static LoadReport load(Session session, List<Variable<TFloat32>> variables, Map<String, long[]> shapes,
            Function<String, TorchTensor> reader) {
        Map<String, Variable<TFloat32>> byName = new LinkedHashMap<>();
        variables.forEach(v -> byName.put(v.op().name(), v));
        List<String> missing = new ArrayList<>();
        List<Variable<TFloat32>> toLoad = new ArrayList<>();
        for (Map.Entry<String, Variable<TFloat32>> e : byName.entrySet()) {
            long[] shape = shapes.get(e.getKey());
            if (shape == null) {
                missing.add(e.getKey());
                continue;
            }
            long[] expected = e.getValue().shape().asArray();
            if (!Arrays.equals(shape, expected)) {
                throw new StateDictException("state dict key " + e.getKey() + " has shape " + Arrays.toString(shape)
                        + " but the model's variable has " + Arrays.toString(expected) + "; check the variant,"
                        + " the model's parameters and the number of classes");
            }
            toLoad.add(e.getValue());
        }
        Set<String> unexpected = new LinkedHashSet<>(shapes.keySet());
        unexpected.removeAll(byName.keySet());
        List<String> loaded = new ArrayList<>();
        Map<String, Integer> nonFinite = new LinkedHashMap<>();
        if (!toLoad.isEmpty()) {
            Ops tf = Ops.create(session.graph());
            Session.Runner runner = session.runner();
            List<TFloat32> tensors = new ArrayList<>();
            try {
                for (Variable<TFloat32> v : toLoad) {
                    String name = v.op().name();
                    float[] values = reader.apply(name).data();
                    int bad = 0;
                    for (float x : values) {
                        bad += Float.isFinite(x) ? 0 : 1;
                    }
                    if (bad > 0) {
                        nonFinite.put(name, bad);
                    }
                    Shape shape = v.shape();
                    Placeholder<TFloat32> in = tf.placeholder(TFloat32.class, Placeholder.shape(shape));
                    Op assign = tf.assign(v, in);
                    TFloat32 t = TFloat32.tensorOf(shape, DataBuffers.of(values, true, false));
                    tensors.add(t);
                    runner.feed(in, t).addTarget(assign);
                    loaded.add(name);
                }
                runner.run().close();
            } finally {
                tensors.forEach(TFloat32::close);
            }
        }
        return new LoadReport(loaded, missing, List.copyOf(unexpected), List.of(), nonFinite);
    }
}
