package org.mseg.engine.checkpoint;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import org.mseg.api.model.ModelProvider;
import org.mseg.api.model.ModelSpec;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.api.plugin.Registry;
import org.mseg.engine.inference.WindowModel;
import org.mseg.engine.model.GraphModel;
import org.mseg.engine.model.GraphModels;
import org.mseg.pytorch.TorchTensor;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * A checkpoint's model ready for inference: a fresh graph holding only the model's variables and one inference
 * forward pass (BN with running statistics) for NHWC inputs of a fixed size, restored from the checkpoint by
 * variable name. Training checkpoints work too: their optimizer slots and other extra entries are simply not read.
 * The model is rebuilt by the provider the checkpoint names ({@code model.arch}), so any provider's checkpoint opens.
 *
 * <pre>{@code
 * try (LoadedModel m = LoadedModel.open(dir, 713, 713, environment.models())) {
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
    private final GraphModel model;
    private final Placeholder<TFloat32> input;
    private final Operand<TFloat32> logits;
    private final Operand<TFloat32> probabilities;

    private LoadedModel(CheckpointMetadata metadata, int height, int width, Graph graph, Session session,
            GraphModel model, Placeholder<TFloat32> input, Operand<TFloat32> logits) {
        this.metadata = metadata;
        this.height = height;
        this.width = width;
        this.graph = graph;
        this.session = session;
        this.model = model;
        this.input = input;
        this.logits = logits;
        this.probabilities = Ops.create(graph).withName("inference_probabilities").nn.softmax(logits);
    }

    /**
     * {@link #open(Path, int, int, Registry)} with the model providers of the module path
     * ({@link PluginEnvironment#boot()}).
     */
    public static LoadedModel open(Path dir, int height, int width) {
        return open(dir, height, width, PluginEnvironment.boot().models());
    }

    /**
     * Builds the model described by {@code DIR/checkpoint.json} with the provider it names and restores its weights.
     *
     * @param dir    the checkpoint folder
     * @param height input height, valid for the model (HRNet: {@code 8k + 1})
     * @param width  input width, valid for the model
     * @param models the model providers; the checkpoint's {@code model.arch} is looked up here
     * @return the model; close it
     * @throws CheckpointException              naming the folder or file when the checkpoint cannot be read, does not
     *                                          match its metadata, or names a model provider that is not available
     * @throws org.mseg.api.MsegException       from the provider if the size is not valid for the model
     */
    public static LoadedModel open(Path dir, int height, int width, Registry<ModelProvider> models) {
        CheckpointMetadata meta = Checkpoints.read(dir);
        ModelProvider provider = provider(models, meta, dir);
        return build(provider, meta, height, width, 0L, session -> Checkpoints.restore(dir, session));
    }

    /**
     * A model with freshly initialised (random) weights, for benchmarks and tests where the weights do not matter.
     *
     * @param provider the model provider
     * @param spec     what to build
     * @param height   input height, valid for the model
     * @param width    input width, valid for the model
     * @param seed     initialisation seed
     */
    public static LoadedModel random(ModelProvider provider, ModelSpec spec, int height, int width, long seed) {
        CheckpointMetadata meta = CheckpointMetadata.of(provider, spec, "(random)",
                CheckpointMetadata.placeholderClassNames(spec.numClasses()));
        return build(provider, meta, height, width, seed, Session::initialize);
    }

    /**
     * The provider a checkpoint names, from {@code models}, with the checkpoint's model parameters checked by it.
     *
     * @throws CheckpointException naming {@code checkpoint.json}: the arch when no provider of that name is loaded
     *                             (listing the available ones), or the provider's objection to the parameters
     */
    public static ModelProvider provider(Registry<ModelProvider> models, CheckpointMetadata meta, Path dir) {
        Path json = dir.resolve(Checkpoints.METADATA_FILE);
        ModelProvider provider = models.find(meta.arch()).orElseThrow(() -> new CheckpointException(json
                + ": model.arch '" + meta.arch() + "' is not supported: no model provider of that name is loaded"
                + " (available: " + String.join(", ", models.names()) + "); if the model comes from a plugin, pass"
                + " its folder with --plugin-dir"));
        try {
            provider.checkpointParameters(meta.modelSpec());
        } catch (org.mseg.api.ConfigException e) {
            throw new CheckpointException(json + ": the model fields do not describe a " + meta.arch() + " model: "
                    + e.getMessage(), e);
        }
        return provider;
    }

    /** Builds the inference graph of {@code meta}'s model, opens a session and sets the weights with {@code init}. */
    private static LoadedModel build(ModelProvider provider, CheckpointMetadata meta, int height, int width,
            long seed, Consumer<Session> init) {
        ModelSpec spec = meta.modelSpec();
        provider.checkInputSize(spec, height, width);
        Graph graph = new Graph();
        Session session = null;
        try {
            Ops tf = Ops.create(graph);
            GraphModel model = GraphModels.build(provider, spec, tf, seed);
            Placeholder<TFloat32> input = tf.withName("inference_input").placeholder(TFloat32.class,
                    Placeholder.shape(Shape.of(-1, height, width, 3)));
            Operand<TFloat32> logits = model.forward("inference", input, false).logits();
            session = new Session(graph);
            init.accept(session);
            return new LoadedModel(meta, height, width, graph, session, model, input, logits);
        } catch (RuntimeException e) {
            if (session != null) {
                session.close();
            }
            graph.close();
            throw e;
        }
    }

    /**
     * The model's weights as a state dict in the provider's terms ({@link GraphModel#exportStateDict}: upstream's
     * PyTorch keys for HRNet, variable names otherwise), e.g. to initialise another graph with
     * {@link GraphModel#importStateDict}.
     */
    public Map<String, TorchTensor> stateDict() {
        return model.exportStateDict(session);
    }

    /** The engine's view of the model (its variables, for inspection). */
    public GraphModel model() {
        return model;
    }

    /** The session holding the restored weights. */
    public Session session() {
        return session;
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
        return run(nhwc, n, logits);
    }

    private float[] run(float[] nhwc, int n, Operand<TFloat32> output) {
        long expected = (long) n * height * width * 3;
        if (n < 1 || nhwc.length != expected) {
            throw new IllegalArgumentException("expected " + n + " × " + height + " × " + width + " × 3 = "
                    + expected + " input values, got " + nhwc.length);
        }
        try (TFloat32 in = TFloat32.tensorOf(Shape.of(n, height, width, 3), DataBuffers.of(nhwc, true, false));
                Result r = session.runner().feed(input, in).fetch(output).run()) {
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
