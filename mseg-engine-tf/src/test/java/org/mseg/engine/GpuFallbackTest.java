package org.mseg.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The GPU-build check on the natives this build resolved (the CPU natives in the default build). */
class GpuFallbackTest {

    /** The classifier Maven put on the test module path (set by mseg-engine-tf's pom). */
    private static String nativeClassifier() {
        String classifier = System.getProperty("mseg.test.tensorflowNativeClassifier");
        assumeTrue(classifier != null, "run through Maven, which names the TensorFlow native classifier");
        return classifier;
    }

    @Test
    void recognisesTheNativesOnTheModulePathByTheirKernels() {
        assertEquals(nativeClassifier().endsWith("-gpu"), GpuFallback.gpuBuild(), nativeClassifier());
    }

    @Test
    void cpuBuildSeesNoGpuAndDoesNotWarn() {
        assumeTrue(nativeClassifier().equals("linux-x86_64"));
        assertEquals(0, GpuFallback.visibleGpus());
        assertEquals(Optional.empty(), GpuFallback.check());
        assertFalse(GpuFallback.warnIfNoGpu());
    }

    @Test
    void warningSaysWhatHappensAndWhatToDo() {
        assertTrue(GpuFallback.WARNING.contains("no GPU is visible"));
        assertTrue(GpuFallback.WARNING.contains("training on CPU"));
        assertTrue(GpuFallback.WARNING.contains("mseg-cli doctor"));
    }
}
