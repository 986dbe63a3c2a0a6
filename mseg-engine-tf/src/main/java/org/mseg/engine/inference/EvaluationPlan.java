package org.mseg.engine.inference;

import java.util.Optional;
import java.util.Set;
import org.mseg.api.ConfigException;
import org.mseg.api.dataset.DatasetDefinition;
import org.mseg.api.plugin.Registry;
import org.mseg.api.taxonomy.TaxonomyDefinition;
import org.mseg.api.taxonomy.TaxonomyKind;
import org.mseg.taxonomy.TaxonomyConverter;

/**
 * How a model of one taxonomy is scored on one dataset (MSEG.md g.2–g.3, g.6), decided from the taxonomies alone:
 * <ul>
 *   <li>model taxonomy = the dataset's taxonomy (oracle and single-dataset models): plain softmax, GT as is;</li>
 *   <li>universal model on a test dataset (zero-shot): universal probabilities summed into the test classes;</li>
 *   <li>universal model on a training dataset: scored in universal ids, GT mapped to universal, the universal classes
 *       the (unrelabeled) dataset cannot produce left out of the means ({@code excluded_ids});</li>
 *   <li>universal model on a {@code *-relabeled} dataset: the same, with the relabeled protocol (reward/penalty
 *       against the unrelabeled GT of the same images, read from the unrelabeled counterpart's list);</li>
 *   <li>naive model on a test dataset: naive probabilities summed into the test classes by class name.</li>
 * </ul>
 *
 * @param dataset       the dataset scored
 * @param evalTaxonomy  the taxonomy predictions and scores are in
 * @param projection    model classes → evaluation classes
 * @param gtLut         256-entry LUT from the dataset's label ids to evaluation ids; null when they are the same
 * @param excludedIds   evaluation classes left out of the means
 * @param unrelabeled   for the relabeled protocol, the unrelabeled counterpart dataset
 * @param unrelabeledLut for the relabeled protocol, its label ids → universal ids
 * @param folderName    upstream's output folder name: {@code <dataset>[_universal[_relabeled]]}
 */
public record EvaluationPlan(DatasetDefinition dataset, TaxonomyDefinition evalTaxonomy, ClassProjection projection,
        byte[] gtLut, Set<Integer> excludedIds, Optional<DatasetDefinition> unrelabeled, byte[] unrelabeledLut,
        String folderName) {

    /** Copies the set. */
    public EvaluationPlan {
        excludedIds = Set.copyOf(excludedIds);
    }

    /** Whether the relabeled protocol applies. */
    public boolean relabeledProtocol() {
        return unrelabeled.isPresent();
    }

    /** A short description of the mode for tables and reports. */
    public String mode() {
        if (relabeledProtocol()) {
            return "universal, relabeled protocol vs " + unrelabeled.get().name();
        }
        if (gtLut != null) {
            return "universal, " + excludedIds.size() + " excluded ids";
        }
        return projection.isIdentity() ? "own taxonomy" : "projected into " + evalTaxonomy.name();
    }

    /**
     * Plans the evaluation of a model on a dataset.
     *
     * @param modelTaxonomy the taxonomy of the model's outputs (the checkpoint's)
     * @param modelClasses  the model's number of outputs
     * @throws ConfigException if the model's taxonomy cannot be scored on the dataset; says which pairs work
     */
    public static EvaluationPlan of(TaxonomyConverter converter, Registry<DatasetDefinition> datasets,
            String modelTaxonomy, int modelClasses, DatasetDefinition dataset) {
        if (!converter.taxonomies().contains(modelTaxonomy)) {
            throw new ConfigException("the checkpoint's taxonomy '" + modelTaxonomy + "' is not a known taxonomy, so"
                    + " its classes cannot be matched to a dataset's. Re-import the weights with 'mseg-cli model import"
                    + " ... --taxonomy NAME' (e.g. universal), or add the plugin that defines it.");
        }
        TaxonomyDefinition model = converter.taxonomy(modelTaxonomy);
        if (model.numClasses() != modelClasses) {
            throw new ConfigException("the checkpoint declares taxonomy '" + modelTaxonomy + "' with "
                    + model.numClasses() + " classes but predicts " + modelClasses);
        }
        TaxonomyDefinition own = converter.taxonomy(dataset.taxonomy());
        if (own.name().equals(model.name())) {
            return new EvaluationPlan(dataset, own, ClassProjection.identity(modelClasses), null, Set.of(),
                    Optional.empty(), null, dataset.name());
        }
        if (model.kind() == TaxonomyKind.UNIVERSAL || model.kind() == TaxonomyKind.NAIVE) {
            boolean universal = model.kind() == TaxonomyKind.UNIVERSAL;
            if (!own.fromUniversal().isEmpty() || own.kind() == TaxonomyKind.TEST) {
                ClassProjection p = ClassProjection.of(universal ? converter.universalToTest(own.name())
                        : converter.naiveToTest(own.name()));
                return new EvaluationPlan(dataset, own, p, null, Set.of(), Optional.empty(), null, dataset.name());
            }
            if (universal && own.mapsToUniversal()) {
                byte[] lut = converter.toUniversal(own.name()).toByteLut();
                Optional<DatasetDefinition> counterpart = counterpart(datasets, dataset);
                if (counterpart.isPresent()) {
                    String base = counterpart.get().taxonomy();
                    return new EvaluationPlan(dataset, model, ClassProjection.identity(modelClasses), lut,
                            converter.excludedUniversalIds(base), counterpart,
                            converter.toUniversal(base).toByteLut(), counterpart.get().name() + "_universal_relabeled");
                }
                return new EvaluationPlan(dataset, model, ClassProjection.identity(modelClasses), lut,
                        converter.excludedUniversalIds(own.name()), Optional.empty(), null,
                        dataset.name() + "_universal");
            }
        }
        throw new ConfigException("a model predicting taxonomy '" + modelTaxonomy + "' cannot be scored on dataset '"
                + dataset.name() + "' (taxonomy '" + own.name() + "'). Supported: a model of the dataset's own"
                + " taxonomy; a universal model on any training, relabeled or test dataset; a naive model on a test"
                + " dataset.");
    }

    /** The unrelabeled dataset a relabeled one names ({@link DatasetDefinition#relabeledFrom()}), if registered. */
    private static Optional<DatasetDefinition> counterpart(Registry<DatasetDefinition> datasets,
            DatasetDefinition dataset) {
        return dataset.relabeledFrom().flatMap(datasets::find);
    }
}
