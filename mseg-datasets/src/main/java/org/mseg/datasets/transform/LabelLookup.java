package org.mseg.datasets.transform;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.LUT;

import java.util.random.RandomGenerator;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.mseg.datasets.Sample;
import org.mseg.taxonomy.TaxonomyMapping;

/**
 * Maps label ids to another taxonomy with a 256-entry table applied by OpenCV {@code LUT}, as upstream's
 * {@code ToUniversalLabel} ({@code label = lut[label]}, 255 → 255). The image is unchanged.
 */
public final class LabelLookup implements Transform {
    private final byte[] table;

    /** @param table 256 target ids indexed by source id (see {@link TaxonomyMapping#toByteLut()}) */
    public LabelLookup(byte[] table) {
        if (table.length != 256) {
            throw new IllegalArgumentException("a label lookup table has 256 entries, got " + table.length);
        }
        this.table = table.clone();
    }

    /** A lookup for a taxonomy mapping, e.g. {@code converter.toUniversal(dataset)}. */
    public static LabelLookup of(TaxonomyMapping mapping) {
        return new LabelLookup(mapping.toByteLut());
    }

    /** The table (a copy). */
    public byte[] table() {
        return table.clone();
    }

    @Override
    public void apply(Sample sample, RandomGenerator random) {
        try (BytePointer bytes = new BytePointer(table); Mat lut = new Mat(1, 256, CV_8UC1, bytes)) {
            Mat label = new Mat();
            LUT(sample.label(), lut, label);
            sample.replaceLabel(label);
        }
    }
}
