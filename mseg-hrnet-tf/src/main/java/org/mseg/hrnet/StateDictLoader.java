package org.mseg.hrnet;

import org.mseg.engine.model.StateDictException;
import org.mseg.engine.model.LoadReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.mseg.pytorch.LazyStateDict;
import org.mseg.pytorch.TorchTensor;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Copies a PyTorch {@code state_dict} into an {@link Hrnet}'s variables and back.
 *
 * <p>Keys may carry the {@code module.} prefix of (Distributed)DataParallel checkpoints; it is removed.
 * {@code num_batches_tracked} entries are ignored (TensorFlow's BN has no counter and upstream uses a fixed momentum).
 * Convolution weights are transposed from PyTorch's OIHW to TensorFlow's HWIO; BN weight/bias become gamma/beta.
 *
 * <p>Loading feeds each value in place of the variable's random initial value and runs its initializer assignment,
 * so no ops are added to the graph. A session with {@code autoInit} runs all initializers before the first load, so
 * keys missing from the state dict keep their seeded random values.
 */
public final class StateDictLoader {

    private static final String DATA_PARALLEL_PREFIX = "module.";
    private static final String BATCH_COUNTER_SUFFIX = ".num_batches_tracked";

    /** Class-head keys of the HRNet ImageNet classifier ({@code hrnetv2_w48_imagenet_pretrained.pth}). */
    public static final List<String> IMAGENET_HEAD = List.of("incre_modules", "downsamp_modules", "final_layer",
            "classifier");

    private StateDictLoader() {
    }

    /**
     * A state dict split into the keys to load and the ImageNet classification head to skip.
     *
     * @param model   the keys the model may use, in the dict's order
     * @param skipped the ImageNet head's keys
     * @param <T>     what the dict maps keys to (tensors, shapes)
     */
    public record Partition<T>(Map<String, T> model, List<String> skipped) {
    }

    /**
     * Separates the ImageNet classification head ({@link #IMAGENET_HEAD}: the backbone checkpoint's classifier, which
     * a segmentation model has no use for) from the keys the model may use.
     */
    public static <T> Partition<T> partition(Map<String, T> stateDict) {
        Map<String, T> model = new LinkedHashMap<>();
        List<String> skipped = new ArrayList<>();
        stateDict.forEach((key, tensor) -> {
            boolean head = IMAGENET_HEAD.stream().anyMatch(p -> key.equals(p) || key.startsWith(p + "."));
            if (head) {
                skipped.add(key);
            } else {
                model.put(key, tensor);
            }
        });
        return new Partition<>(model, List.copyOf(skipped));
    }

    /**
     * Reads a PyTorch checkpoint ({@code .pth}, zip or legacy format; a plain state dict or one nested under
     * {@code state_dict}/{@code model}) and loads it as {@link #load(Session, Hrnet, Map)} does.
     *
     * @throws org.mseg.pytorch.TensorFileException if the file cannot be read as a checkpoint
     * @throws StateDictException                     on a shape mismatch
     */
    public static LoadReport load(Session session, Hrnet model, Path checkpoint) {
        try (LazyStateDict dict = LazyStateDict.open(checkpoint)) {
            return load(session, model, dict.shapes(), dict::tensor);
        }
    }

    /**
     * Loads every matching key of {@code stateDict} into {@code session}.
     *
     * @return which keys were loaded, missing, unexpected or ignored; call {@link LoadReport#requireComplete()} to
     *         insist on an exact match
     * @throws StateDictException if a key exists in both model and state dict with different shapes (naming the key
     *                            and both shapes), or appears twice (with and without {@code module.})
     */
    public static LoadReport load(Session session, Hrnet model, Map<String, TorchTensor> stateDict) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        stateDict.forEach((k, t) -> shapes.put(k, t.shape()));
        return load(session, model, shapes, stateDict::get);
    }

    /**
     * Loads a state dict whose tensors are read on demand: {@code reader} is called only for the keys the model
     * loads, after every shape has been checked, so unused keys of a file are never materialised.
     *
     * @param shapes every key of the state dict (a {@code module.} prefix is removed) with its PyTorch shape
     * @param reader the tensor of a key of {@code shapes}, as given there (with its prefix, if any)
     * @return as {@link #load(Session, Hrnet, Map)}
     * @throws StateDictException as {@link #load(Session, Hrnet, Map)}
     */
    public static LoadReport load(Session session, Hrnet model, Map<String, long[]> shapes,
            Function<String, TorchTensor> reader) {
        Map<String, long[]> byKey = new LinkedHashMap<>();
        Map<String, String> given = new LinkedHashMap<>();
        List<String> ignored = new ArrayList<>();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            String key = e.getKey().startsWith(DATA_PARALLEL_PREFIX)
                    ? e.getKey().substring(DATA_PARALLEL_PREFIX.length()) : e.getKey();
            if (key.endsWith(BATCH_COUNTER_SUFFIX)) {
                ignored.add(key);
                continue;
            }
            given.put(key, e.getKey());
            if (byKey.put(key, e.getValue()) != null) {
                throw new StateDictException("state dict has key " + key + " twice (with and without the '"
                        + DATA_PARALLEL_PREFIX + "' prefix)");
            }
        }

        List<String> unexpected = new ArrayList<>();
        for (String key : byKey.keySet()) {
            if (model.parameter(key).isEmpty()) {
                unexpected.add(key);
            }
        }
        List<String> missing = new ArrayList<>();
        List<HrnetParameter> toLoad = new ArrayList<>();
        for (HrnetParameter p : model.parameters()) {
            long[] shape = byKey.get(p.torchKey());
            if (shape == null) {
                missing.add(p.torchKey());
                continue;
            }
            if (!Arrays.equals(shape, p.torchShape().asArray())) {
                throw new StateDictException("state dict key " + p.torchKey() + " has shape " + pythonShape(shape)
                        + " but the model (" + model.spec().name() + ", " + model.numClasses() + " classes) expects "
                        + pythonShape(p.torchShape()) + "; check the variant and the number of classes");
            }
            toLoad.add(p);
        }

        // One run for all tensors: every distinct feed/target combination costs TensorFlow a graph pruning and
        // optimisation pass, which would dominate a run per variable.
        List<String> loaded = new ArrayList<>();
        Map<String, Integer> nonFinite = new LinkedHashMap<>();
        List<TFloat32> tensors = new ArrayList<>();
        try {
            Session.Runner runner = session.runner();
            for (HrnetParameter p : toLoad) {
                float[] torch = reader.apply(given.get(p.torchKey())).data();
                int bad = countNonFinite(torch);
                if (bad > 0) {
                    nonFinite.put(p.torchKey(), bad);
                }
                float[] values = toTensorFlowLayout(p, torch);
                TFloat32 tensor = TFloat32.tensorOf(p.shape(), DataBuffers.of(values, true, false));
                tensors.add(tensor);
                ParameterFactory.InitSlot slot = model.initSlots().get(p.torchKey());
                runner.feed(slot.value(), tensor).addTarget(slot.assign());
                loaded.add(p.torchKey());
            }
            if (!toLoad.isEmpty()) {
                runner.run().close(); // targets only: nothing to read
            }
        } finally {
            tensors.forEach(TFloat32::close);
        }
        return new LoadReport(loaded, missing, unexpected, ignored, nonFinite);
    }

    private static int countNonFinite(float[] values) {
        int n = 0;
        for (float v : values) {
            if (!Float.isFinite(v)) {
                n++;
            }
        }
        return n;
    }

    /**
     * Reads every model tensor from {@code session} in PyTorch layout and {@code state_dict} order (no
     * {@code module.} prefix, no {@code num_batches_tracked}).
     */
    public static Map<String, TorchTensor> export(Session session, Hrnet model) {
        Map<String, TorchTensor> out = new LinkedHashMap<>();
        List<HrnetParameter> parameters = model.parameters();
        Session.Runner runner = session.runner();
        parameters.forEach(p -> runner.fetch(p.variable()));
        try (Result r = runner.run()) {
            for (int i = 0; i < parameters.size(); i++) {
                HrnetParameter p = parameters.get(i);
                float[] values = new float[Math.toIntExact(p.size())];
                ((TFloat32) r.get(i)).asRawTensor().data().asFloats().read(values);
                out.put(p.torchKey(), new TorchTensor(p.torchShape().asArray(), toTorchLayout(p, values), "float32"));
            }
        }
        return out;
    }

    /** PyTorch layout (OIHW for conv weights) to TensorFlow layout (HWIO). */
    static float[] toTensorFlowLayout(HrnetParameter p, float[] torch) {
        if (p.kind() != ParameterKind.CONV_WEIGHT) {
            return torch;
        }
        long[] s = p.torchShape().asArray();
        int o = (int) s[0];
        int in = (int) s[1];
        int kh = (int) s[2];
        int kw = (int) s[3];
        float[] tf = new float[torch.length];
        for (int a = 0; a < o; a++) {
            for (int b = 0; b < in; b++) {
                for (int y = 0; y < kh; y++) {
                    for (int x = 0; x < kw; x++) {
                        tf[((y * kw + x) * in + b) * o + a] = torch[((a * in + b) * kh + y) * kw + x];
                    }
                }
            }
        }
        return tf;
    }

    /** TensorFlow layout (HWIO for conv weights) to PyTorch layout (OIHW). */
    static float[] toTorchLayout(HrnetParameter p, float[] tf) {
        if (p.kind() != ParameterKind.CONV_WEIGHT) {
            return tf;
        }
        long[] s = p.torchShape().asArray();
        int o = (int) s[0];
        int in = (int) s[1];
        int kh = (int) s[2];
        int kw = (int) s[3];
        float[] torch = new float[tf.length];
        for (int a = 0; a < o; a++) {
            for (int b = 0; b < in; b++) {
                for (int y = 0; y < kh; y++) {
                    for (int x = 0; x < kw; x++) {
                        torch[((a * in + b) * kh + y) * kw + x] = tf[((y * kw + x) * in + b) * o + a];
                    }
                }
            }
        }
        return torch;
    }

    private static String pythonShape(Shape shape) {
        return pythonShape(shape.asArray());
    }

    private static String pythonShape(long[] dims) {
        if (dims.length == 1) {
            return "(" + dims[0] + ",)";
        }
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < dims.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(dims[i]);
        }
        return sb.append(')').toString();
    }
}
