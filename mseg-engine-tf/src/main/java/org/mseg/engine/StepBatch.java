package org.mseg.engine;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One training batch as the engine consumes it: images and labels of every dataset, concatenated along the batch
 * axis in the order of {@link #slices()}.
 *
 * @param index       position of the batch in the stream (0 for the first)
 * @param height      crop height
 * @param width       crop width
 * @param images      NHWC RGB, normalised, {@code n·height·width·3} floats
 * @param labels      training-taxonomy ids as unsigned bytes, 255 = ignore, {@code n·height·width} values; empty
 *                    when the taxonomy has more than 255 classes
 * @param wideLabels  training-taxonomy ids as unsigned 16-bit values, 65535 = ignore, {@code n·height·width} values,
 *                    for taxonomies of more than 255 classes (the naive one); empty otherwise
 * @param slices      which rows belong to which dataset; contiguous from row 0
 * @param sourceState the data source's position after this batch (restart there to get the next batch), as plain
 *                    maps, lists, strings and numbers; may be empty
 */
public record StepBatch(long index, int height, int width, float[] images, byte[] labels, short[] wideLabels,
        List<DatasetSlice> slices, Map<String, Object> sourceState) {

    /** A batch with 8-bit labels. */
    public StepBatch(long index, int height, int width, float[] images, byte[] labels, List<DatasetSlice> slices,
            Map<String, Object> sourceState) {
        this(index, height, width, images, labels, new short[0], slices, sourceState);
    }

    /** Validates sizes and slice layout. */
    public StepBatch {
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(wideLabels, "wideLabels");
        slices = List.copyOf(slices);
        sourceState = Map.copyOf(sourceState);
        int rows = 0;
        for (DatasetSlice s : slices) {
            if (s.offset() != rows) {
                throw new IllegalArgumentException("slices must be contiguous from row 0; " + s.dataset()
                        + " starts at " + s.offset() + ", expected " + rows);
            }
            rows += s.count();
        }
        long pixels = (long) rows * height * width;
        boolean oneKind = labels.length == pixels && wideLabels.length == 0
                || wideLabels.length == pixels && labels.length == 0 && pixels > 0;
        if (images.length != pixels * 3 || !oneKind) {
            throw new IllegalArgumentException("batch of " + rows + " crops of " + height + "x" + width + " needs "
                    + pixels * 3 + " image floats and " + pixels + " labels of one width, got " + images.length
                    + ", " + labels.length + " 8-bit and " + wideLabels.length + " 16-bit");
        }
    }

    /** True if the labels are 16-bit ({@link #wideLabels()}), false if 8-bit ({@link #labels()}). */
    public boolean wide() {
        return wideLabels.length > 0;
    }

    /** Number of crops. */
    public int size() {
        return slices.stream().mapToInt(DatasetSlice::count).sum();
    }
}
