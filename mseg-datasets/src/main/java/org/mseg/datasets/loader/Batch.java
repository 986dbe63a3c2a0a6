package org.mseg.datasets.loader;

import java.util.List;
import java.util.Objects;

/**
 * One training step's input: one sub-batch from every configured dataset, stored contiguously in stream order.
 *
 * <p>The arrays are owned by the caller once {@link MultiDatasetLoader#next()} returns them; the loader never touches
 * them again. Being arrays, they take part in {@code equals} by identity; compare contents with
 * {@link java.util.Arrays#equals}.
 *
 * @param index      0-based number of this batch in the run; a loader resumed from a state continues the numbering
 * @param height     crop height ({@code train_h})
 * @param width      crop width ({@code train_w})
 * @param images     NHWC RGB float32, normalised with MSeg's ImageNet statistics; {@code size·height·width·3} values
 * @param labels     NHW uint8 class ids in the training taxonomy (after the label lookup), 255 = ignore;
 *                   {@code size·height·width} values; empty when the taxonomy has more than 255 classes
 * @param wideLabels NHW unsigned 16-bit class ids, 65535 = ignore ({@code TaxonomyMapping.WIDE_IGNORE_ID}), for
 *                   taxonomies of more than 255 classes (the naive one); empty otherwise
 * @param parts      which samples came from which dataset, in stream order, contiguous from offset 0
 * @param stateAfter the position of every dataset stream after this batch: a loader started at it yields the next
 *                   batch
 */
public record Batch(long index, int height, int width, float[] images, byte[] labels, short[] wideLabels,
        List<Part> parts, LoaderState stateAfter) {

    /** A batch with 8-bit labels. */
    public Batch(long index, int height, int width, float[] images, byte[] labels, List<Part> parts,
            LoaderState stateAfter) {
        this(index, height, width, images, labels, new short[0], parts, stateAfter);
    }

    /**
     * Samples {@code [offset, offset + count)} of the batch came from {@code dataset}.
     *
     * @param dataset dataset name
     * @param offset  first sample of the part
     * @param count   number of samples of the part
     */
    public record Part(String dataset, int offset, int count) {
        public Part {
            Objects.requireNonNull(dataset, "dataset");
            if (offset < 0 || count < 1) {
                throw new IllegalArgumentException("a part needs offset >= 0 and count >= 1, got " + offset + ", "
                        + count);
            }
        }
    }

    public Batch {
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(wideLabels, "wideLabels");
        Objects.requireNonNull(stateAfter, "stateAfter");
        parts = List.copyOf(parts);
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("batch crops need a positive size, got " + width + "x" + height);
        }
        int expectedOffset = 0;
        for (Part p : parts) {
            if (p.offset() != expectedOffset) {
                throw new IllegalArgumentException("parts must be contiguous from 0, got " + parts);
            }
            expectedOffset += p.count();
        }
        long pixels = (long) expectedOffset * height * width;
        boolean oneKind = labels.length == pixels && wideLabels.length == 0
                || wideLabels.length == pixels && labels.length == 0 && pixels > 0;
        if (!oneKind || images.length != pixels * 3) {
            throw new IllegalArgumentException("a batch of " + expectedOffset + " crops of " + width + "x" + height
                    + " needs " + pixels * 3 + " image values and " + pixels + " labels of one width, got "
                    + images.length + ", " + labels.length + " 8-bit and " + wideLabels.length + " 16-bit");
        }
    }

    /** True if the labels are 16-bit ({@link #wideLabels()}), false if 8-bit ({@link #labels()}). */
    public boolean wide() {
        return wideLabels.length > 0;
    }

    /** Number of samples. */
    public int size() {
        Part last = parts.isEmpty() ? null : parts.get(parts.size() - 1);
        return last == null ? 0 : last.offset() + last.count();
    }
}
