package org.mseg.pytorch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Checkpoints written by torch.save (tools/make_hrnet_fixtures.py) read without Python. */
class PthReaderTest {

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    /** views.pth holds the same object in three encodings: zip + protocol 2, legacy, zip + protocol 4. */
    @ParameterizedTest
    @ValueSource(strings = {"views.pth", "views_legacy.pth", "views_protocol4.pth"})
    void viewsSharingOneStorageComeOutInCOrder(String file) {
        Map<String, Object> root = map(PthReader.read(TestFiles.PTH.resolve(file)));
        Map<String, Object> tensors = map(root.get("tensors"));
        Map<String, Object> expected = TestFiles.jsonObject(TestFiles.PTH.resolve("views.json"));
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(tensors.keySet()), "checkpoint order is kept");
        for (Map.Entry<String, Object> e : expected.entrySet()) {
            Map<String, Object> spec = map(e.getValue());
            TorchTensor t = (TorchTensor) tensors.get(e.getKey());
            long[] shape = ((List<?>) spec.get("shape")).stream().mapToLong(v -> ((Double) v).longValue()).toArray();
            float[] values = new float[((List<?>) spec.get("values")).size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = ((Double) ((List<?>) spec.get("values")).get(i)).floatValue();
            }
            assertArrayEquals(shape, t.shape(), e.getKey());
            assertArrayEquals(values, t.data(), e.getKey());
            assertEquals(spec.get("dtype"), t.dtype(), e.getKey());
        }
    }

    @Test
    void transposedSliceAndBroadcastViewsAreResolved() {
        Map<String, Object> tensors = map(map(PthReader.read(TestFiles.PTH.resolve("views.pth"))).get("tensors"));
        TorchTensor base = (TorchTensor) tensors.get("base");
        TorchTensor transposed = (TorchTensor) tensors.get("transposed");
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 6; j++) {
                assertEquals(base.data()[i * 6 + j], transposed.data()[j * 4 + i]);
            }
        }
        // base[1:3, 2:5]: storage offset 8, strides (6, 1)
        assertArrayEquals(new float[] {base.data()[8], base.data()[9], base.data()[10], base.data()[14],
                base.data()[15], base.data()[16]}, ((TorchTensor) tensors.get("slice")).data());
        // expand(2, 3) has stride 0 on its first dimension
        assertArrayEquals(new float[] {1.5f, -2.5f, 4f, 1.5f, -2.5f, 4f}, ((TorchTensor) tensors.get("expanded")).data());
        TorchTensor scalar = (TorchTensor) tensors.get("scalar");
        assertEquals(0, scalar.rank());
        assertArrayEquals(new float[] {3.25f}, scalar.data());
    }

    @Test
    void halfPrecisionSubnormalsAndBfloat16AreExact() {
        Map<String, Object> tensors = map(map(PthReader.read(TestFiles.PTH.resolve("views.pth"))).get("tensors"));
        float[] half = ((TorchTensor) tensors.get("half")).data();
        assertEquals(65504f, half[2]);
        assertEquals(0x1p-14f, half[3]);
        assertEquals(0x1p-24f, half[5]);
        assertEquals(-0x32p-24f, half[6]);
        assertEquals(3.140625f, ((TorchTensor) tensors.get("bfloat16")).data()[2]);
    }

    @ParameterizedTest
    @ValueSource(strings = {"views.pth", "views_legacy.pth", "views_protocol4.pth"})
    void plainPythonValuesBecomeJavaValues(String file) {
        Map<String, Object> python = map(map(PthReader.read(TestFiles.PTH.resolve(file))).get("python"));
        assertEquals(7L, python.get("epoch"));
        assertEquals(0.0125, python.get("lr"));
        assertEquals("hrnet", python.get("name"));
        assertEquals(List.of(true, false, PthReader.NONE), python.get("flags"));
        assertSame(PthReader.NONE, ((List<?>) python.get("flags")).get(2));
        assertEquals(List.of(1L, 2.5, "a"), python.get("pair"));
        assertEquals(BigInteger.TWO.pow(70), python.get("big"));
        assertEquals(-5L, python.get("negative"));
        assertArrayEquals("abc".getBytes(StandardCharsets.US_ASCII), (byte[]) python.get("bytes"));
        assertEquals(Map.of("a", Map.of("b", List.of(1L, 2L, 3L))), python.get("nested"));
        assertEquals(0.425, python.get("numpyFloat"));
        assertEquals(42L, python.get("numpyInt"));
        assertEquals("b\u00e4r \u2192 \uD83D\uDE00", python.get("unicode"));
    }

    @Test
    void returnedTreeIsUnmodifiable() {
        Map<String, Object> root = map(PthReader.read(TestFiles.PTH.resolve("views.pth")));
        assertThrows(UnsupportedOperationException.class, () -> root.put("x", 1));
        assertThrows(UnsupportedOperationException.class,
                () -> ((List<?>) map(root.get("python")).get("flags")).clear());
    }

    @Test
    void detectsTheOnDiskFormat() {
        assertEquals(PthReader.Format.ZIP, PthReader.format(TestFiles.PTH.resolve("views.pth")));
        assertEquals(PthReader.Format.LEGACY, PthReader.format(TestFiles.PTH.resolve("views_legacy.pth")));
        assertEquals(PthReader.Format.LEGACY, PthReader.format(TestFiles.fixture("tiny-33x33", "model_legacy.pth")));
    }

    @Test
    void refusesAGlobalThatWouldRunACommand() {
        Path file = TestFiles.PTH.resolve("refused_global.pth");
        TensorFileException e = assertThrows(TensorFileException.class, () -> PthReader.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("'posix.system'"), e.getMessage());
        assertTrue(e.getMessage().contains("never executes"), e.getMessage());
        assertThrows(TensorFileException.class, () -> StateDict.read(file));
    }

    @Test
    void truncatedZipCheckpointNamesTheFile(@TempDir Path dir) throws IOException {
        byte[] full = Files.readAllBytes(TestFiles.fixture("tiny-41x57", "model.pth"));
        for (int keep : new int[] {100, full.length / 2, full.length - 30}) {
            Path cut = dir.resolve("cut" + keep + ".pth");
            Files.write(cut, Arrays.copyOf(full, keep));
            TensorFileException e = assertThrows(TensorFileException.class, () -> StateDict.read(cut));
            assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("corrupt or truncated zip"), e.getMessage());
        }
    }

    @Test
    void truncatedLegacyCheckpointNamesTheFile(@TempDir Path dir) throws IOException {
        byte[] full = Files.readAllBytes(TestFiles.fixture("tiny-33x33", "model_legacy.pth"));
        for (int keep : new int[] {5, 3000, full.length - 100}) {
            Path cut = dir.resolve("cut" + keep + ".pth");
            Files.write(cut, Arrays.copyOf(full, keep));
            TensorFileException e = assertThrows(TensorFileException.class, () -> StateDict.read(cut));
            assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
    }

    @Test
    void archiveMissingAStorageNamesTheTensor(@TempDir Path dir) throws IOException {
        Path source = TestFiles.fixture("tiny-41x57", "model.pth");
        Path broken = dir.resolve("broken.pth");
        copyZip(source, broken, name -> name.endsWith("/data/0") ? null : name, null);
        TensorFileException e = assertThrows(TensorFileException.class, () -> StateDict.read(broken));
        assertTrue(e.getMessage().startsWith(broken.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("data/0") && e.getMessage().contains("conv1.weight"), e.getMessage());
    }

    @Test
    void shortStorageIsReportedInsteadOfReadingPastIt(@TempDir Path dir) throws IOException {
        Path source = TestFiles.fixture("tiny-41x57", "model.pth");
        Path broken = dir.resolve("short.pth");
        copyZip(source, broken, name -> name, (name, data) -> name.endsWith("/data/0")
                ? Arrays.copyOf(data, data.length - 8) : data);
        TensorFileException e = assertThrows(TensorFileException.class, () -> StateDict.read(broken));
        assertTrue(e.getMessage().contains("conv1.weight") && e.getMessage().contains("holds only"),
                e.getMessage());
    }

    @Test
    void corruptPickleReportsTheOpcodeAndPosition(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("corrupt.pth");
        writeZip(file, Map.of("corrupt/data.pkl", new byte[] {(byte) 0x80, 2, '}', (byte) 0xff}));
        TensorFileException e = assertThrows(TensorFileException.class, () -> PthReader.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("opcode 0xff at byte 3"), e.getMessage());

        Path cut = dir.resolve("cutpickle.pth");
        writeZip(cut, Map.of("cutpickle/data.pkl", new byte[] {(byte) 0x80, 2, '}', 'q', 0, '(', 'X', 9, 0, 0, 0,
                'a'}));
        TensorFileException c = assertThrows(TensorFileException.class, () -> PthReader.read(cut));
        assertTrue(c.getMessage().contains("runs past the end"), c.getMessage());

        Path inst = dir.resolve("inst.pth");
        writeZip(inst, Map.of("inst/data.pkl", "\u0080\u0002(ios\nsystem\n.".getBytes(StandardCharsets.ISO_8859_1)));
        TensorFileException i = assertThrows(TensorFileException.class, () -> PthReader.read(inst));
        assertTrue(i.getMessage().contains("arbitrary classes"), i.getMessage());
    }

    @Test
    void otherFilesAreNotMistakenForCheckpoints(@TempDir Path dir) throws IOException {
        Path text = dir.resolve("text.pth");
        Files.writeString(text, "hello");
        assertTrue(assertThrows(TensorFileException.class, () -> PthReader.read(text)).getMessage()
                .contains("not a PyTorch checkpoint"));

        Path pickle = dir.resolve("pickle.pth");
        Files.write(pickle, new byte[] {(byte) 0x80, 2, 'K', 5, '.'});
        assertTrue(assertThrows(TensorFileException.class, () -> PthReader.read(pickle)).getMessage()
                .contains("magic number"));

        Path empty = dir.resolve("empty.pth");
        Files.write(empty, new byte[0]);
        assertTrue(assertThrows(TensorFileException.class, () -> PthReader.read(empty)).getMessage()
                .contains("empty file"));

        Path zip = dir.resolve("other.zip");
        writeZip(zip, Map.of("readme.txt", "hi".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(assertThrows(TensorFileException.class, () -> PthReader.read(zip)).getMessage()
                .contains("without a data.pkl"));

        Path missing = dir.resolve("missing.pth");
        TensorFileException m = assertThrows(TensorFileException.class, () -> PthReader.read(missing));
        assertTrue(m.getMessage().startsWith(missing.toString()) && m.getMessage().contains("no such"),
                m.getMessage());
    }

    private interface Rename {
        String apply(String name);
    }

    private interface Rewrite {
        byte[] apply(String name, byte[] data);
    }

    /** Copies a zip checkpoint entry by entry (stored, like torch.save), dropping or altering entries. */
    private static void copyZip(Path from, Path to, Rename rename, Rewrite rewrite) throws IOException {
        Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(from.toFile())) {
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                ZipEntry entry = en.nextElement();
                String name = rename.apply(entry.getName());
                if (name == null) {
                    continue;
                }
                try (InputStream in = zip.getInputStream(entry)) {
                    byte[] data = in.readAllBytes();
                    entries.put(name, rewrite == null ? data : rewrite.apply(name, data));
                }
            }
        }
        writeZip(to, entries);
    }

    private static void writeZip(Path file, Map<String, byte[]> entries) throws IOException {
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(e.getValue().length);
                CRC32 crc = new CRC32();
                crc.update(e.getValue());
                entry.setCrc(crc.getValue());
                zip.putNextEntry(entry);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
    }
}
