package org.mseg.hrnet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Graph;

/** Parameter counts read from the built graph (nothing is run). */
class ParameterCountTest {

    @ParameterizedTest(name = "W48 with {0} classes has {1} parameters")
    @CsvSource({"194, 65985554", "19, 65859379", "316, 66073516"})
    void w48GraphHasTheReferenceParameterCount(int classes, long expected) {
        try (Graph g = new Graph()) {
            long start = System.nanoTime();
            Hrnet model = Hrnet.create(g, HrnetSpec.w48(), classes, 1L);
            long variablesDone = System.nanoTime();
            model.forward("train", -1, 713, 713, BatchNormMode.TRAINING);
            long forwardDone = System.nanoTime();
            assertEquals(expected, model.trainableParameterCount());
            System.out.printf("W48/%d graph build: variables %.0f ms + training forward %.0f ms = %.0f ms%n",
                    classes, (variablesDone - start) / 1e6, (forwardDone - variablesDone) / 1e6,
                    (forwardDone - start) / 1e6);
        }
    }

    @Test
    void graphCountEqualsTheAnalyticCountForEveryVariant() {
        HrnetSpec custom = new HrnetSpec("custom", 8, 4, 2, 4, 2, List.of(1, 2, 1));
        for (HrnetSpec spec : List.of(HrnetSpec.tiny(), HrnetSpec.w18(), HrnetSpec.w32(), custom)) {
            try (Graph g = new Graph()) {
                Hrnet model = Hrnet.create(g, spec, 7, 1L);
                assertEquals(spec.parameterCount(7), model.trainableParameterCount(), spec.name());
            }
        }
    }

    @Test
    void transitionWithEqualWidthsIsIdentityAndHasNoParameters() {
        // stage 1 outputs 4*2 = 8 channels = branch 0 width: upstream's transition1[0] is None
        HrnetSpec spec = new HrnetSpec("equal", 8, 2, 1, 8, 1, List.of(1, 1, 1));
        try (Graph g = new Graph()) {
            Hrnet model = Hrnet.create(g, spec, 3, 1L);
            assertEquals(spec.parameterCount(3), model.trainableParameterCount());
            assertEquals(0, model.parameters().stream().filter(p -> p.torchKey().startsWith("transition1.0.")).count());
            assertEquals(true, model.parameter("transition1.1.0.0.weight").isPresent());
        }
    }
}
