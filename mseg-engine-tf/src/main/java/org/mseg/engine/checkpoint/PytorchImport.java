package org.mseg.engine.checkpoint;

import java.nio.file.Path;
import java.util.List;
import org.mseg.api.model.ModelProvider;
import org.mseg.api.model.ModelSpec;
import org.mseg.engine.model.GraphModel;
import org.mseg.engine.model.GraphModels;
import org.mseg.engine.model.LoadReport;
import org.mseg.pytorch.LazyStateDict;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;

/**
 * A PyTorch state dict loaded into a freshly built model by the model provider's own import rules
 * ({@link GraphModel#importStateDict}), ready to be written as an MSeg checkpoint: what
 * {@code mseg-cli model import --arch NAME} does. The file is read lazily: only the tensors the model loads are read.
 *
 * <pre>{@code
 * try (PytorchImport imported = PytorchImport.open(provider, spec, Path.of("model.pth"))) {
 *     imported.report().requireComplete();
 *     imported.write(Path.of("checkpoint"), "universal", classNames);
 * }
 * }</pre>
 *
 * <p>Owns a graph and a session, released by {@link #close()}.
 */
public final class PytorchImport implements AutoCloseable {

    private final ModelProvider provider;
    private final ModelSpec spec;
    private final Graph graph;
    private final Session session;
    private final LoadReport report;
    private final int tensors;
    private final String location;

    private PytorchImport(ModelProvider provider, ModelSpec spec, Graph graph, Session session, LoadReport report,
            int tensors, String location) {
        this.provider = provider;
        this.spec = spec;
        this.graph = graph;
        this.session = session;
        this.report = report;
        this.tensors = tensors;
        this.location = location;
    }

    /**
     * Builds {@code spec} with {@code provider} (random initial weights, seed 0) and loads {@code file} into it.
     *
     * @throws org.mseg.pytorch.TensorFileException    if the file cannot be read as a PyTorch checkpoint
     * @throws org.mseg.engine.model.StateDictException on a shape mismatch, or if the model has no import rules
     */
    public static PytorchImport open(ModelProvider provider, ModelSpec spec, Path file) {
        Graph graph = new Graph();
        Session session = null;
        try (LazyStateDict dict = LazyStateDict.open(file)) {
            GraphModel model = GraphModels.build(provider, spec, Ops.create(graph), 0L);
            session = new Session(graph);
            LoadReport report = model.importStateDict(session, dict.shapes(), dict::tensor);
            return new PytorchImport(provider, spec, graph, session, report, dict.keys().size(), dict.location());
        } catch (RuntimeException e) {
            if (session != null) {
                session.close();
            }
            graph.close();
            throw e;
        }
    }

    /** Which keys loaded, were missing, unexpected, skipped by the import rules, or ignored. */
    public LoadReport report() {
        return report;
    }

    /** Number of tensors in the file. */
    public int tensors() {
        return tensors;
    }

    /** Where in the file the state dict was found (e.g. {@code state_dict}); empty at the top level. */
    public String location() {
        return location;
    }

    /**
     * Writes the model, as imported, as a weights-only checkpoint.
     *
     * @param dir        the checkpoint folder (replaced atomically if it exists)
     * @param taxonomy   the taxonomy the logits are in
     * @param classNames its class names in logit order
     * @return {@code dir}
     */
    public Path write(Path dir, String taxonomy, List<String> classNames) {
        return Checkpoints.write(dir, session, CheckpointMetadata.of(provider, spec, taxonomy, classNames));
    }

    @Override
    public void close() {
        session.close();
        graph.close();
    }
}
