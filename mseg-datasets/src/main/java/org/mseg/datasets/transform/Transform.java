package org.mseg.datasets.transform;

import java.util.random.RandomGenerator;
import org.mseg.datasets.Sample;

/**
 * One step of the data pipeline. It replaces the sample's image and/or label in place (the sample closes the Mats it
 * no longer holds) and draws random numbers only from the given generator, in upstream's order.
 */
public interface Transform {

    /**
     * Transforms the sample in place.
     *
     * @param sample the image and label; stays owned by the caller
     * @param random source of every random decision of this step
     */
    void apply(Sample sample, RandomGenerator random);
}
