package org.mseg.example.farm;

import java.net.URL;
import java.util.List;
import java.util.Optional;
import org.mseg.api.dataset.DatasetDefinition;
import org.mseg.api.dataset.DatasetProvider;
import org.mseg.api.dataset.LabelEncoding;
import org.mseg.api.dataset.SplitDefinition;

/**
 * The {@code farm-5} dataset: folder {@code Farm} under the data root, {@code images/<split>/farm_NNNN.jpg} with
 * 8-bit label PNGs at {@code labels/<split>/farm_NNNN.png}, and the train and val lists bundled in this jar.
 */
public final class FarmDatasetProvider implements DatasetProvider {

    /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
    public FarmDatasetProvider() {
    }

    @Override
    public String name() {
        return "farm";
    }

    @Override
    public String description() {
        return "Example plugin: the farm-5 dataset";
    }

    @Override
    public List<DatasetDefinition> datasets() {
        return List.of(new DatasetDefinition(FarmTaxonomyProvider.NAME, FarmTaxonomyProvider.NAME, "Farm",
                List.of(split("train"), split("val")), LabelEncoding.GRAY8, "Farm scenes, 5 classes (example plugin)"));
    }

    private static SplitDefinition split(String name) {
        URL list = FarmDatasetProvider.class.getResource("lists/" + name + ".txt");
        if (list == null) {
            throw new IllegalStateException("the bundled list lists/" + name + ".txt is missing from the farm plugin"
                    + " jar; rebuild the plugin");
        }
        return new SplitDefinition(name, true, Optional.of(list));
    }
}
