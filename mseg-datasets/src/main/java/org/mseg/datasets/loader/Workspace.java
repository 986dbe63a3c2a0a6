package org.mseg.datasets.loader;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;

import org.bytedeco.opencv.opencv_core.Mat;
import org.mseg.datasets.SampleReader;

/**
 * One worker thread's reusable buffers: the decoding buffers of {@link SampleReader#readInto}; native buffers for the
 * train chain's whole-image steps (short-side resize, random scale) and for its crop-region steps (rotated band, blurred
 * band, rotated labels, remap tables); and the Java arrays the remap tables are computed in. Each buffer only grows, so
 * after the first few samples no step allocates: on a virtual machine the page faults of a fresh 100 MB Mat cost
 * several times the OpenCV operation that fills it.
 *
 * <p>Views ({@link #view}) are Mat headers over a buffer's storage, sized for one step's output; OpenCV writes into a
 * destination of the right size and type without reallocating. The caller closes each view; {@link #close()} frees
 * the storage.
 */
final class Workspace implements AutoCloseable {
    /** Buffer ids: the short-side resize and the random scale of image and label (whole images). */
    static final int IMAGE_A = 0;
    static final int IMAGE_B = 1;
    static final int LABEL_A = 2;
    static final int LABEL_B = 3;
    /** Buffer ids: the rotated band around the crop, its blurred copy, the rotated label window. */
    static final int BAND = 4;
    static final int BLURRED = 5;
    static final int BAND_LABEL = 6;
    /** Buffer ids: remap tables (source coordinates, interpolation weights). */
    static final int MAP_XY = 7;
    static final int MAP_ALPHA = 8;
    /** Buffer id: source rows resized horizontally, for the scaled image's region. */
    static final int SCALED_ROWS = 9;
    private static final int BUFFERS = 10;

    private final SampleReader.Buffers decoded = new SampleReader.Buffers();
    private final Mat[] storage = new Mat[BUFFERS];
    private final long[] capacity = new long[BUFFERS];
    private int[] deltas = new int[0];
    private short[] xy = new short[0];
    private short[] alpha = new short[0];
    private byte[] cropLabels = new byte[0];
    private final float[][] floats = {new float[0], new float[0], new float[0]};

    Workspace() {
        for (int i = 0; i < BUFFERS; i++) {
            storage[i] = new Mat();
        }
    }

    /** The decoding buffers: the sample read last. */
    SampleReader.Buffers decoded() {
        return decoded;
    }

    /**
     * Makes buffer {@code id} hold at least {@code bytes}, so that a sample's later steps never grow it one size at a
     * time (each growth is a fresh allocation and its page faults).
     */
    void reserve(int id, long bytes) {
        if (bytes > capacity[id]) {
            storage[id].close();
            if (bytes > Integer.MAX_VALUE - 64) {
                throw new IllegalStateException("an image of " + bytes + " bytes does not fit one buffer");
            }
            storage[id] = new Mat(1, (int) bytes, CV_8UC1);
            capacity[id] = bytes;
        }
    }

    /**
     * A new header of {@code rows × cols} elements of {@code type} over buffer {@code id}, growing the buffer first if
     * needed. Writing through a view overwrites whatever earlier views of the same buffer showed.
     */
    Mat view(int id, int rows, int cols, int type) {
        reserve(id, (long) rows * cols * elemSize(type));
        return new Mat(rows, cols, type, storage[id].data());
    }

    /** A Java array of at least {@code length} ints, reused; its contents are left over from earlier use. */
    int[] deltas(int length) {
        if (deltas.length < length) {
            deltas = new int[length];
        }
        return deltas;
    }

    /** A Java array of at least {@code length} shorts for remap coordinates, reused. */
    short[] xy(int length) {
        if (xy.length < length) {
            xy = new short[length];
        }
        return xy;
    }

    /** A Java array of at least {@code length} shorts for remap weights, reused. */
    short[] alpha(int length) {
        if (alpha.length < length) {
            alpha = new short[length];
        }
        return alpha;
    }

    /** Java scratch array {@code slot} (0..2) of at least {@code length} floats, reused. */
    float[] floats(int slot, int length) {
        if (floats[slot].length < length) {
            floats[slot] = new float[length];
        }
        return floats[slot];
    }

    /** A Java array of at least {@code length} bytes for a crop's 8-bit labels before they are widened, reused. */
    byte[] cropLabels(int length) {
        if (cropLabels.length < length) {
            cropLabels = new byte[length];
        }
        return cropLabels;
    }

    /** Bytes per element of an OpenCV type (depth size times channels). */
    static int elemSize(int type) {
        int[] depthBytes = {1, 1, 2, 2, 4, 4, 8, 2};
        return depthBytes[type & 7] * ((type >> 3) + 1);
    }

    @Override
    public void close() {
        decoded.close();
        for (Mat m : storage) {
            m.close();
        }
    }
}
