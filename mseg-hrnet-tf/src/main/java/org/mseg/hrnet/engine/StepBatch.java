package org.mseg.hrnet.engine;

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
 * @param labels      training-taxonomy ids as unsigned bytes, 255 = ignore, {@code n·height·width} values
 * @param slices      which rows belong to which dataset; contiguous from row 0
 * @param sourceState the data source's position after this batch (restart there to get the next batch), as plain
 *                    maps, lists, strings and numbers; may be empty
 */
public record StepBatch(long index, int height, int width, float[] images, byte[] labels, List<DatasetSlice> slices,
        Map<String, Object> sourceState) {

    /** Validates sizes and slice layout. */
    public StepBatch {
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(labels, "labels");
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
        if (images.length != pixels * 3 || labels.length != pixels) {
            throw new IllegalArgumentException("batch of " + rows + " crops of " + height + "x" + width + " needs "
                    + pixels * 3 + " image floats and " + pixels + " labels, got " + images.length + " and "
                    + labels.length);
        }
    }

    /** Number of crops. */
    public int size() {
        return slices.stream().mapToInt(DatasetSlice::count).sum();
    }
}
