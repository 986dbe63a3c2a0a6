package org.mseg.pytorch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** .npy files written by NumPy (tools/make_hrnet_fixtures.py) and by {@link Npy}. */
class NpyTest {

    /** {@code (np.arange(24).reshape(2, 3, 4) - 5.5) / 4}, the array most npy fixtures hold. */
    private static float[] arange24() {
        float[] a = new float[24];
        for (int i = 0; i < a.length; i++) {
            a[i] = (i - 5.5f) / 4;
        }
        return a;
    }

    @ParameterizedTest
    @ValueSource(strings = {"f4_v1.npy", "f4_v2.npy", "f4_v3.npy", "f4_big_endian.npy", "f8.npy"})
    void readsEveryHeaderVersionAndFloatLayoutIntoTheSameArray(String file) {
        NpyArray a = Npy.read(TestFiles.NPY.resolve(file));
        assertArrayEquals(new long[] {2, 3, 4}, a.shape());
        assertArrayEquals(arange24(), a.data());
    }

    @Test
    void convertsIntegerArraysToFloat() {
        assertEquals(NpyArray.of(new float[] {-3, 0, 5, 1 << 20}, 2, 2), Npy.read(TestFiles.NPY.resolve("i8.npy")));
        assertEquals(NpyArray.of(new float[] {-7, 8, 9}, 3), Npy.read(TestFiles.NPY.resolve("i4.npy")));
        assertEquals(NpyArray.of(new float[] {0, 17, 255}, 3), Npy.read(TestFiles.NPY.resolve("u1.npy")));
    }

    @Test
    void readsZeroDimensionalAndEmptyArrays() {
        NpyArray scalar = Npy.read(TestFiles.NPY.resolve("scalar.npy"));
        assertArrayEquals(new long[0], scalar.shape());
        assertArrayEquals(new float[] {2.5f}, scalar.data());
        NpyArray empty = Npy.read(TestFiles.NPY.resolve("empty.npy"));
        assertArrayEquals(new long[] {0, 3}, empty.shape());
        assertEquals(0, empty.numel());
    }

    @Test
    void refusesFortranOrderNamingFileAndHeader() {
        Path file = TestFiles.NPY.resolve("f4_fortran.npy");
        TensorFileException e = assertThrows(TensorFileException.class, () -> Npy.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("fortran_order=True"), e.getMessage());
        assertTrue(e.getMessage().contains("'<f4'"), e.getMessage());
        assertTrue(e.getMessage().contains("(3, 4)"), e.getMessage());
        assertEquals(file.toString(), e.source());
    }

    @Test
    void refusesUnsupportedDtypeNamingIt() {
        Path file = TestFiles.NPY.resolve("c8.npy");
        TensorFileException e = assertThrows(TensorFileException.class, () -> Npy.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("'<c8'"), e.getMessage());
        assertTrue(e.getMessage().contains("(1,)"), e.getMessage());
    }

    @Test
    void writesTheSameBytesAsNumpy() throws IOException {
        byte[] numpy = Files.readAllBytes(TestFiles.NPY.resolve("f4_v1.npy"));
        assertArrayEquals(numpy, Npy.toBytes(NpyArray.of(arange24(), 2, 3, 4)));
    }

    @Test
    void roundTripsThroughAFile(@TempDir Path dir) {
        float[] data = {1.5f, -0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NaN, Float.NEGATIVE_INFINITY};
        for (long[] shape : new long[][] {{6}, {2, 3}, {1, 2, 1, 3}}) {
            Path file = dir.resolve("a" + shape.length + ".npy");
            Npy.write(file, new NpyArray(shape, data));
            NpyArray back = Npy.read(file);
            assertArrayEquals(shape, back.shape());
            assertArrayEquals(data, back.data());
        }
        Path scalar = dir.resolve("scalar.npy");
        Npy.write(scalar, NpyArray.of(new float[] {7f}));
        assertEquals(NpyArray.of(new float[] {7f}), Npy.read(scalar));
    }

    @Test
    void writtenHeaderIsAlignedTo64BytesAndEndsWithNewline() {
        byte[] bytes = Npy.toBytes(NpyArray.of(new float[5], 5));
        int headerLength = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
        assertEquals(0, (10 + headerLength) % 64);
        String header = new String(bytes, 10, headerLength, StandardCharsets.ISO_8859_1);
        assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }"), header);
        assertTrue(header.endsWith("\n"));
        assertEquals(10 + headerLength + 20, bytes.length);
    }

    @Test
    void truncatedDataIsReportedWithSizes(@TempDir Path dir) throws IOException {
        byte[] full = Files.readAllBytes(TestFiles.NPY.resolve("f4_v1.npy"));
        Path cut = dir.resolve("cut.npy");
        Files.write(cut, Arrays.copyOf(full, full.length - 10));
        TensorFileException e = assertThrows(TensorFileException.class, () -> Npy.read(cut));
        assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("96 bytes"), e.getMessage());

        Path header = dir.resolve("header.npy");
        Files.write(header, Arrays.copyOf(full, 40));
        TensorFileException h = assertThrows(TensorFileException.class, () -> Npy.read(header));
        assertTrue(h.getMessage().contains("truncated .npy header"), h.getMessage());
    }

    @Test
    void otherFilesAreNotMistakenForNpy(@TempDir Path dir) throws IOException {
        Path text = dir.resolve("text.npy");
        Files.writeString(text, "just some text, not an array");
        TensorFileException e = assertThrows(TensorFileException.class, () -> Npy.read(text));
        assertTrue(e.getMessage().contains("not a .npy file"), e.getMessage());

        Path missing = dir.resolve("missing.npy");
        TensorFileException m = assertThrows(TensorFileException.class, () -> Npy.read(missing));
        assertTrue(m.getMessage().startsWith(missing.toString()) && m.getMessage().contains("no such"),
                m.getMessage());
    }

    @Test
    void recordsCheckTheirShape() {
        assertThrows(IllegalArgumentException.class, () -> NpyArray.of(new float[5], 2, 3));
        assertEquals("(2, 3)", NpyArray.of(new float[6], 2, 3).shapeText());
    }
}
