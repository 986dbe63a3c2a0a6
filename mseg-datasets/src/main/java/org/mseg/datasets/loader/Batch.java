package org.mseg.datasets.loader;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.mseg.datasets.LabelBuffer;

/**
 * One batch of crops from every configured dataset, concatenated along the batch axis in the order of
 * {@link #slices()}: what {@link MultiDatasetLoader#next()} yields and what the engine trains and validates on.
 *
 * <p>The arrays are owned by the caller once {@link MultiDatasetLoader#next()} returns them; the loader never touches
 * them again. Being arrays, they take part in {@code equals} by identity; compare contents with
 * {@link java.util.Arrays#equals}.
 *
 * @param index       0-based number of this batch in the stream; a loader resumed from a state continues the
 *                    numbering
 * @param height      crop height ({@code train_h})
 * @param width       crop width ({@code train_w})
 * @param images      NHWC RGB float32, normalised with MSeg's ImageNet statistics; {@code rowCount·height·width·3}
 *                    values
 * @param labels      NHW class ids in the training taxonomy (after the label lookup), {@code rowCount·height·width}
 *                    values: 8-bit with ignore 255, or 16-bit with ignore 65535 when the taxonomy has more than 255
 *                    classes (the naive one)
 * @param slices      which rows came from which dataset, in stream order, contiguous from row 0
 * @param sourceState the data source's position after this batch (a source restarted there yields the next batch),
 *                    as plain maps, lists, strings and numbers, kept with checkpoints; the loader's is
 *                    {@link LoaderState#toMap()}; may be empty
 * @param firstRow    the first of the batch's rows that {@code images} and {@code labels} hold: 0, unless this is the
 *                    share of one process of a cluster ({@link MultiDatasetLoader.Builder#rows})
 * @param rowCount    how many rows they hold, from {@code firstRow} on ({@link #size()} for the whole batch)
 */
public record Batch(long index, int height, int width, float[] images, LabelBuffer labels, List<DatasetSlice> slices,
        Map<String, Object> sourceState, int firstRow, int rowCount) {

    /** A whole batch: the arrays hold every row. */
    public Batch(long index, int height, int width, float[] images, LabelBuffer labels, List<DatasetSlice> slices,
            Map<String, Object> sourceState) {
        this(index, height, width, images, labels, slices, sourceState, 0, rowsOf(slices));
    }

    private static int rowsOf(List<DatasetSlice> slices) {
        return slices.stream().mapToInt(DatasetSlice::count).sum();
    }

    /** Validates sizes and slice layout. */
    public Batch {
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(labels, "labels");
        slices = List.copyOf(slices);
        sourceState = Map.copyOf(sourceState);
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("batch crops need a positive size, got " + width + "x" + height);
        }
        int rows = 0;
        for (DatasetSlice s : slices) {
            if (s.offset() != rows) {
                throw new IllegalArgumentException("slices must be contiguous from row 0; " + s.dataset()
                        + " starts at " + s.offset() + ", expected " + rows);
            }
            rows += s.count();
        }
        if (firstRow < 0 || rowCount < 1 || firstRow + rowCount > rows) {
            throw new IllegalArgumentException("rows " + firstRow + ".." + (firstRow + rowCount - 1) + " are not"
                    + " within the batch's " + rows + " rows");
        }
        long pixels = (long) rowCount * height * width;
        if (images.length != pixels * 3 || labels.length() != pixels) {
            throw new IllegalArgumentException("batch of " + rowCount + " crops of " + height + "x" + width + " needs "
                    + pixels * 3 + " image floats and " + pixels + " labels, got " + images.length + " and "
                    + labels.length() + " " + labels.bits() + "-bit");
        }
    }

    /** Whether the arrays hold every row of the batch (not one process's share). */
    public boolean whole() {
        return firstRow == 0 && rowCount == size();
    }

    /** Number of crops of the whole batch (the arrays may hold fewer: {@link #rowCount()}). */
    public int size() {
        return slices.stream().mapToInt(DatasetSlice::count).sum();
    }
}
