package org.mseg.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mseg.api.ConfigException;
import org.mseg.api.TrainingException;
import org.mseg.api.model.ModelProvider;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.engine.checkpoint.CheckpointMetadata;
import org.mseg.engine.checkpoint.Checkpoints;
import org.mseg.engine.checkpoint.LoadedModel;
import org.mseg.engine.model.GraphModel;
import org.mseg.engine.model.GraphModels;
import org.mseg.engine.model.LoadReport;
import org.mseg.pytorch.LazyStateDict;
import org.mseg.pytorch.TorchTensor;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --pretrained} / {@code TRAIN.weight}: initial weights from a PyTorch {@code .pth} file (MSeg's models, the
 * ImageNet HRNet backbone) or from an MSeg checkpoint folder (weights only; its optimizer state is not read), loaded by
 * the model's own import rules ({@link GraphModel#importStateDict}).
 */
final class PretrainedWeights {
    private static final Logger LOG = LoggerFactory.getLogger(PretrainedWeights.class);

    private PretrainedWeights() {
    }

    /**
     * Loads the weights into the trainer's model. Keys the file lacks keep their initial values (e.g. the classifier
     * when starting from the ImageNet backbone); a file that matches no key at all is refused.
     */
    static void load(Trainer t, Path w, PluginEnvironment env) {
        GraphModel model = t.model();
        LoadReport report;
        if (Files.isDirectory(w)) {
            CheckpointMetadata meta = Checkpoints.read(w);
            Map<String, TorchTensor> dict = weights(LoadedModel.provider(env.models(), meta, w), meta, w);
            Map<String, long[]> shapes = new LinkedHashMap<>();
            dict.forEach((k, v) -> shapes.put(k, v.shape()));
            report = model.importStateDict(t.session(), shapes, dict::get);
            LOG.info("pretrained weights from checkpoint {} ({} {}, {} classes)", w, meta.arch(), meta.variant(),
                    meta.numClasses());
        } else if (Files.isRegularFile(w)) {
            try (LazyStateDict dict = LazyStateDict.open(w)) {
                report = model.importStateDict(t.session(), dict.shapes(), dict::tensor);
            }
        } else {
            throw new ConfigException("--pretrained / TRAIN.weight " + w + " does not exist; give a PyTorch .pth file"
                    + " or a checkpoint folder");
        }
        if (report.loaded().isEmpty()) {
            throw new TrainingException("--pretrained / TRAIN.weight " + w + " matched none of the model's "
                    + report.missing().size() + " weights (its keys: " + report.unexpected().stream().limit(5).toList()
                    + "...). Is it a checkpoint of the same arch and variant?");
        }
        report.nonFiniteWarning(w.toString()).ifPresent(LOG::warn);
        LOG.info("pretrained: {} tensors loaded, {} kept their initial values{}, {} in the file unused", report
                .loaded().size(), report.missing().size(), report.missing().isEmpty() ? ""
                        : " (e.g. " + report.missing().get(0) + ")", report.unexpected().size());
    }

    /**
     * A checkpoint's model weights in its provider's state-dict terms: the model alone (no forward pass) built in a
     * graph of its own and restored by variable name, so optimizer slots and other extra entries are not read.
     */
    private static Map<String, TorchTensor> weights(ModelProvider provider, CheckpointMetadata meta, Path dir) {
        try (Graph graph = new Graph()) {
            GraphModel source = GraphModels.build(provider, meta.modelSpec(), Ops.create(graph), 0L);
            try (Session session = new Session(graph)) {
                Checkpoints.restore(dir, session);
                return source.exportStateDict(session);
            }
        }
    }
}
