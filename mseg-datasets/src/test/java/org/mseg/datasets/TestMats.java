package org.mseg.datasets;

import static org.bytedeco.opencv.global.opencv_core.CV_32FC3;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;

import java.nio.FloatBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.TreeSet;
import java.util.random.RandomGenerator;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

/** Builds and inspects small Mats for tests. */
public final class TestMats {
    private TestMats() {
    }

    /** A new CV_8UC1 label with the given row-major values; the caller owns it. */
    public static Mat label(int rows, int cols, int... values) {
        Mat m = new Mat(rows, cols, CV_8UC1);
        byte[] b = new byte[rows * cols];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) values[i];
        }
        m.data().put(b);
        return m;
    }

    /** A new CV_8UC1 label where pixel (r, c) = f(r, c). */
    public static Mat label(int rows, int cols, java.util.function.IntBinaryOperator f) {
        int[] v = new int[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                v[r * cols + c] = f.applyAsInt(r, c);
            }
        }
        return label(rows, cols, v);
    }

    /** A new CV_32FC3 image where channel ch of pixel (r, c) = f(r, c, ch). */
    public static Mat image(int rows, int cols, PixelFunction f) {
        Mat m = new Mat(rows, cols, CV_32FC3);
        FloatBuffer buf = m.createBuffer();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                for (int ch = 0; ch < 3; ch++) {
                    buf.put((r * cols + c) * 3 + ch, f.value(r, c, ch));
                }
            }
        }
        return m;
    }

    /** Channel values of one pixel. */
    public interface PixelFunction {
        /** Value of channel {@code ch} at (r, c). */
        float value(int r, int c, int ch);
    }

    /** Label value at (r, c). */
    public static int at(Mat label, int r, int c) {
        BytePointer row = label.ptr(r);
        return row.get(c) & 0xff;
    }

    /** Image channel value at (r, c). */
    public static float at(Mat image, int r, int c, int ch) {
        return floats(image)[(r * image.cols() + c) * image.channels() + ch];
    }

    /** All label bytes in row-major order. */
    public static byte[] bytes(Mat label) {
        try (Mat copy = label.clone()) {
            byte[] b = new byte[label.rows() * label.cols() * label.channels()];
            copy.data().get(b);
            return b;
        }
    }

    /** All image floats in row-major order. */
    public static float[] floats(Mat image) {
        try (Mat copy = image.clone()) {
            FloatBuffer buf = copy.createBuffer();
            float[] f = new float[buf.capacity()];
            buf.get(f);
            return f;
        }
    }

    /** The distinct label values. */
    public static TreeSet<Integer> values(Mat label) {
        TreeSet<Integer> set = new TreeSet<>();
        for (byte b : bytes(label)) {
            set.add(b & 0xff);
        }
        return set;
    }

    /** A generator returning scripted values: doubles for nextDouble, ints for nextInt(origin, bound). */
    public static final class Scripted implements RandomGenerator {
        private final Deque<Double> doubles = new ArrayDeque<>();
        private final Deque<Integer> ints = new ArrayDeque<>();

        /** An empty script: any draw fails the test until values are queued. */
        public Scripted() {
        }

        /** Queues values for nextDouble. */
        public Scripted thenDoubles(double... values) {
            for (double v : values) {
                doubles.add(v);
            }
            return this;
        }

        /** Queues values for nextInt(origin, bound). */
        public Scripted thenInts(int... values) {
            for (int v : values) {
                ints.add(v);
            }
            return this;
        }

        /** True if every scripted value was drawn. */
        public boolean exhausted() {
            return doubles.isEmpty() && ints.isEmpty();
        }

        @Override
        public double nextDouble() {
            if (doubles.isEmpty()) {
                throw new AssertionError("unexpected nextDouble()");
            }
            return doubles.pop();
        }

        @Override
        public int nextInt(int origin, int bound) {
            if (ints.isEmpty()) {
                throw new AssertionError("unexpected nextInt(" + origin + ", " + bound + ")");
            }
            int v = ints.pop();
            if (v < origin || v >= bound) {
                throw new AssertionError("scripted " + v + " outside [" + origin + ", " + bound + ")");
            }
            return v;
        }

        @Override
        public long nextLong() {
            throw new AssertionError("unexpected nextLong()");
        }
    }
}
