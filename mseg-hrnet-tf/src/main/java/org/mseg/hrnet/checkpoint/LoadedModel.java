package org.mseg.hrnet.checkpoint;

import java.nio.file.Path;
import java.util.function.Consumer;
import org.mseg.hrnet.BatchNormMode;
import org.mseg.hrnet.Hrnet;
import org.mseg.hrnet.HrnetForward;
import org.mseg.hrnet.HrnetSpec;
import org.mseg.hrnet.inference.WindowModel;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * A checkpoint's model ready for inference: a fresh graph holding only the model's variables and one inference
 * forward pass (BN with running statistics) for NHWC inputs of a fixed size, restored from the checkpoint by
 * variable name. Training checkpoints work too: their optimizer slots and other extra entries are simply not read.
 *
 * <pre>{@code
 * try (LoadedModel m = LoadedModel.open(dir, 713, 713)) {
 *     float[] logits = m.logits(nhwcImage, 1); // [1, 713, 713, numClasses]
 * }
 * }</pre>
 *
 * <p>Not thread-safe; owns a {@link Graph} and a {@link Session}, released by {@link #close()}.
 */
public final class LoadedModel implements WindowModel, AutoCloseable {

    private final CheckpointMetadata metadata;
    private final int height;
    private final int width;
    private final Graph graph;
    private final Session session;
    private final HrnetForward forward;
    private final Hrnet model;
    private final org.tensorflow.Operand<TFloat32> probabilities;

    private LoadedModel(CheckpointMetadata metadata, int height, int width, Graph graph, Session session,
            Hrnet model, HrnetForward forward) {
        this.metadata = metadata;
        this.height = height;
        this.width = width;
        this.graph = graph;
        this.session = session;
        this.forward = forward;
        this.model = model;
        this.probabilities = org.tensorflow.op.Ops.create(graph).withName("inference_probabilities").nn
                .softmax(forward.logits());
    }

    /**
     * Builds the model described by {@code DIR/checkpoint.json} and restores its weights.
     *
     * @param dir    the checkpoint folder
     * @param height input height, {@code 8k + 1}
     * @param width  input width, {@code 8k + 1}
     * @return the model; close it
     * @throws CheckpointException                       naming the folder or file when the checkpoint cannot be
     *                                                   read or does not match its metadata
     * @throws org.mseg.hrnet.InvalidInputSizeException if the size is not {@code 8k + 1}
     */
    public static LoadedModel open(Path dir, int height, int width) {
        Hrnet.checkInputSize(height, width);
        CheckpointMetadata meta = Checkpoints.read(dir);
        return build(meta, height, width, 0L, session -> Checkpoints.restore(dir, session));
    }

    /**
     * A model with freshly initialised (random) weights, for benchmarks and tests where the weights do not matter.
     *
     * @param spec       the HRNet variant
     * @param numClasses number of logits
     * @param height     input height, {@code 8k + 1}
     * @param width      input width, {@code 8k + 1}
     * @param seed       initialisation seed
     */
    public static LoadedModel random(HrnetSpec spec, int numClasses, int height, int width, long seed) {
        CheckpointMetadata meta = CheckpointMetadata.of(spec, numClasses, "(random)",
                CheckpointMetadata.placeholderClassNames(numClasses));
        return build(meta, height, width, seed, Session::initialize);
    }

    /** Builds the inference graph of {@code meta}'s model, opens a session and sets the weights with {@code init}. */
    private static LoadedModel build(CheckpointMetadata meta, int height, int width, long seed,
            Consumer<Session> init) {
        Hrnet.checkInputSize(height, width);
        Graph graph = new Graph();
        Session session = null;
        try {
            Hrnet model = Hrnet.create(graph, meta.spec(), meta.numClasses(), seed);
            HrnetForward forward = model.forward("inference", -1, height, width, BatchNormMode.INFERENCE);
            session = new Session(graph);
            init.accept(session);
            return new LoadedModel(meta, height, width, graph, session, model, forward);
        } catch (RuntimeException e) {
            if (session != null) {
                session.close();
            }
            graph.close();
            throw e;
        }
    }

    /**
     * The model's weights as a PyTorch-style state dict (upstream key names and layouts), e.g. to initialise another
     * graph with {@link org.mseg.hrnet.StateDictLoader}.
     */
    public java.util.Map<String, org.mseg.hrnet.io.TorchTensor> stateDict() {
        return org.mseg.hrnet.StateDictLoader.export(session, model);
    }

    /** The checkpoint's metadata. */
    public CheckpointMetadata metadata() {
        return metadata;
    }

    /** Input height. */
    public int height() {
        return height;
    }

    /** Input width. */
    public int width() {
        return width;
    }

    @Override
    public int windowHeight() {
        return height;
    }

    @Override
    public int windowWidth() {
        return width;
    }

    /** Number of logits per pixel. */
    @Override
    public int numClasses() {
        return metadata.numClasses();
    }

    /**
     * Runs the model.
     *
     * @param nhwc normalised images, float32 NHWC {@code [n, height, width, 3]} in C order
     * @param n    number of images
     * @return logits, NHWC {@code [n, height, width, numClasses]} in C order, no softmax
     * @throws IllegalArgumentException if {@code nhwc} has another length
     */
    @Override
    public float[] logits(float[] nhwc, int n) {
        return run(nhwc, n, forward.logits());
    }

    private float[] run(float[] nhwc, int n, org.tensorflow.Operand<TFloat32> output) {
        long expected = (long) n * height * width * 3;
        if (n < 1 || nhwc.length != expected) {
            throw new IllegalArgumentException("expected " + n + " × " + height + " × " + width + " × 3 = "
                    + expected + " input values, got " + nhwc.length);
        }
        try (TFloat32 in = TFloat32.tensorOf(Shape.of(n, height, width, 3), DataBuffers.of(nhwc, true, false));
                Result r = session.runner().feed(forward.input(), in).fetch(output).run()) {
            TFloat32 out = (TFloat32) r.get(0);
            float[] values = new float[Math.toIntExact(out.size())];
            out.asRawTensor().data().asFloats().read(values);
            return values;
        }
    }

    /** Softmax probabilities, computed by TensorFlow; same layout as {@link #logits}. */
    @Override
    public float[] probabilities(float[] nhwc, int n) {
        return run(nhwc, n, probabilities);
    }

    /** Releases the session and the graph. */
    @Override
    public void close() {
        session.close();
        graph.close();
    }
}
