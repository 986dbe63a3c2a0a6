package org.mseg.pytorch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The HRNet fixtures' checkpoints, read as state dicts and checked against what PyTorch wrote. */
class StateDictTest {

    @ParameterizedTest
    @ValueSource(strings = {"tiny-33x33", "tiny-41x57", "w12-49x65"})
    void keysAreThoseOfTheTorchModel(String fixture) {
        StateDict sd = StateDict.read(TestFiles.fixture(fixture, "model.pth"));
        List<String> sorted = new ArrayList<>(sd.keys());
        Collections.sort(sorted);
        assertEquals(TestFiles.lines(TestFiles.fixture(fixture, "expected_keys.txt")), sorted);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-33x33", "tiny-41x57", "w12-49x65"})
    void everyTensorMatchesTheChecksumsPyTorchComputed(String fixture) {
        StateDict sd = StateDict.read(TestFiles.fixture(fixture, "model.pth"));
        Map<String, Object> checksums = TestFiles.jsonObject(TestFiles.fixture(fixture, "checksums.json"));
        assertEquals(List.copyOf(checksums.keySet()), List.copyOf(sd.keys()), "checkpoint order is kept");
        for (Map.Entry<String, Object> e : checksums.entrySet()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> expected = (Map<String, Object>) e.getValue();
            TorchTensor t = sd.get(e.getKey());
            long[] shape = ((List<?>) expected.get("shape")).stream().mapToLong(v -> ((Double) v).longValue())
                    .toArray();
            assertArrayEquals(shape, t.shape(), e.getKey());
            assertEquals(expected.get("dtype"), t.dtype(), e.getKey());
            assertEquals((double) expected.get("first"), t.data()[0], 0.0, e.getKey());
            assertEquals((double) expected.get("last"), t.data()[t.numel() - 1], 0.0, e.getKey());
            double sum = 0;
            double absSum = 0;
            for (float v : t.data()) {
                sum += v;
                absSum += Math.abs(v);
            }
            double absExpected = (double) expected.get("absSum");
            assertEquals(absExpected, absSum, 1e-9 * absExpected + 1e-12, e.getKey());
            assertEquals((double) expected.get("sum"), sum, 1e-9 * absExpected + 1e-12, e.getKey());
        }
    }

    @Test
    void mSegStyleCheckpointIsUnwrappedAndUnprefixed() {
        StateDict sd = StateDict.read(TestFiles.fixture("tiny-33x33", "model.pth"));
        assertEquals("state_dict", sd.location());
        assertTrue(sd.prefixStripped());
        assertTrue(sd.keys().stream().noneMatch(k -> k.startsWith("module.")));
        assertEquals(List.of(16L, 3L, 3L, 3L), boxed(sd.get("conv1.weight").shape()));
        assertEquals("int64", sd.get("bn1.num_batches_tracked").dtype());
        assertEquals(0, sd.get("bn1.num_batches_tracked").rank());
    }

    @Test
    void readTensorsIsTheMapOfRead() {
        Path file = TestFiles.fixture("tiny-33x33", "model.pth");
        Map<String, TorchTensor> tensors = StateDict.readTensors(file);
        assertEquals(StateDict.read(file).tensors(), tensors);
        assertEquals("conv1.weight", tensors.keySet().iterator().next());
    }

    @Test
    void plainStateDictIsReadAsIs() {
        StateDict sd = StateDict.read(TestFiles.fixture("tiny-41x57", "model.pth"));
        assertEquals("", sd.location());
        assertFalse(sd.prefixStripped());
        assertEquals(7, sd.get("last_layer.3.weight").shape()[0]);
    }

    @Test
    void stateDictUnderModelKeyWithHalfPrecisionWeights() {
        StateDict sd = StateDict.read(TestFiles.fixture("w12-49x65", "model.pth"));
        assertEquals("model", sd.location());
        assertEquals("float16", sd.get("stage3.1.branches.2.1.conv2.weight").dtype());
        assertArrayEquals(new long[] {48, 48, 3, 3}, sd.get("stage3.1.branches.2.1.conv2.weight").shape());
    }

    @Test
    void legacyCheckpointHoldsTheSameTensorsAsTheZipOne() {
        StateDict zip = StateDict.read(TestFiles.fixture("tiny-33x33", "model.pth"));
        StateDict legacy = StateDict.read(TestFiles.fixture("tiny-33x33", "model_legacy.pth"));
        assertEquals(zip.tensors(), legacy.tensors());
        assertEquals(List.copyOf(zip.keys()), List.copyOf(legacy.keys()));
        assertEquals(zip.location(), legacy.location());
    }

    @Test
    void foundInTheObjectTreeLikeFromTheFile() {
        Path file = TestFiles.fixture("tiny-33x33", "model.pth");
        StateDict fromTree = StateDict.of(PthReader.read(file), file.toString());
        assertEquals(StateDict.read(file).tensors(), fromTree.tensors());
        assertEquals("state_dict", fromTree.location());
    }

    @Test
    void prefixIsStrippedKeyByKey() {
        StateDict sd = StateDict.read(TestFiles.PTH.resolve("mixed_prefix.pth"));
        assertEquals(List.of("a.weight", "b.weight"), List.copyOf(sd.keys()));
        assertTrue(sd.prefixStripped());
    }

    @Test
    void prefixStrippingThatMergesKeysIsAnError() {
        Path file = TestFiles.PTH.resolve("prefix_clash.pth");
        TensorFileException e = assertThrows(TensorFileException.class, () -> StateDict.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("'module.a.weight'") && e.getMessage().contains("'a.weight'"),
                e.getMessage());
    }

    @Test
    void checkpointWithoutTensorsSaysWhatItHas() {
        Path file = TestFiles.PTH.resolve("no_state_dict.pth");
        TensorFileException e = assertThrows(TensorFileException.class, () -> StateDict.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("[epoch, optimizer]"), e.getMessage());
    }

    @Test
    void dictionaryMixingTensorsWithOtherValuesNamesTheOddEntry() {
        TorchTensor w = new TorchTensor(new long[] {2}, new float[] {1, 2}, "float32");
        Map<String, Object> mixed = new java.util.LinkedHashMap<>();
        mixed.put("conv.weight", w);
        mixed.put("epoch", 3L);
        TensorFileException e = assertThrows(TensorFileException.class,
                () -> StateDict.of(Map.of("state_dict", mixed), "mixed.pth"));
        assertTrue(e.getMessage().startsWith("mixed.pth: 'state_dict' mixes tensors"), e.getMessage());
        assertTrue(e.getMessage().contains("entry 'epoch' is a Long"), e.getMessage());
    }

    @Test
    void nestedTensorDictionaryUnderAnotherKeyIsNotGuessed() {
        Path file = TestFiles.PTH.resolve("views.pth");
        TensorFileException e = assertThrows(TensorFileException.class, () -> StateDict.read(file));
        assertTrue(e.getMessage().contains("no state dict found") && e.getMessage().contains("[tensors, python]"),
                e.getMessage());
        Object tensorsOnly = ((Map<?, ?>) PthReader.read(file)).get("tensors");
        assertEquals(17, StateDict.of(tensorsOnly, file.toString()).size());
    }

    @Test
    void missingKeySuggestsTheClosestOnes() {
        StateDict sd = StateDict.read(TestFiles.fixture("tiny-41x57", "model.pth"));
        TensorFileException e = assertThrows(TensorFileException.class, () -> sd.get("stage2.0.branches.1.0.conv1.weigth"));
        assertTrue(e.getMessage().contains("'stage2.0.branches.1.0.conv1.weigth'"), e.getMessage());
        assertTrue(e.getMessage().contains("closest keys: stage2.0.branches.1.0.conv1.weight"), e.getMessage());
        assertTrue(sd.find("nope").isEmpty());
    }

    @Test
    void shapeMismatchNamesBothShapes() {
        StateDict sd = StateDict.read(TestFiles.fixture("tiny-41x57", "model.pth"));
        assertEquals(7, sd.get("last_layer.3.weight", 7, 120, 1, 1).shape()[0]);
        TensorFileException e = assertThrows(TensorFileException.class,
                () -> sd.get("last_layer.3.weight", 194, 120, 1, 1));
        assertTrue(e.getMessage().contains("(7, 120, 1, 1)") && e.getMessage().contains("(194, 120, 1, 1)"),
                e.getMessage());
    }

    @Test
    void tensorsAreUnmodifiable() {
        StateDict sd = StateDict.read(TestFiles.fixture("tiny-41x57", "model.pth"));
        assertThrows(UnsupportedOperationException.class, () -> sd.tensors().clear());
    }

    private static List<Long> boxed(long[] values) {
        List<Long> out = new ArrayList<>();
        for (long v : values) {
            out.add(v);
        }
        return out;
    }
}
