package org.mseg.pytorch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Untrusted checkpoints must not exhaust memory. {@code expanded_unused.pth} (tools/make_hostile_pth.py) is the tiny
 * HRNet plus {@code module.unused.expanded}: {@code torch.zeros(1).expand(40000, 40000)}, one float in the file and
 * 6.4 GB once materialised.
 */
class HostileCheckpointTest {
    private static final Path EXPANDED = TestFiles.PTH.resolve("expanded_unused.pth");

    @Test
    void readingTheWholeStateDictRefusesTheExpandedTensorNamingKeyAndFile() {
        TensorFileException e = assertThrows(TensorFileException.class, () -> StateDict.read(EXPANDED));
        assertTrue(e.getMessage().startsWith(EXPANDED.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("'module.unused.expanded'"), e.getMessage());
        assertTrue(e.getMessage().contains("(40000, 40000)") && e.getMessage().contains("(0, 0)"), e.getMessage());
        assertTrue(e.getMessage().contains("remove the key from the checkpoint"), e.getMessage());
    }

    @Test
    void theLazyStateDictKnowsTheShapeButReadsOnlyTheKeysAskedFor() {
        try (LazyStateDict sd = LazyStateDict.open(EXPANDED)) {
            assertArrayEquals(new long[] {40000, 40000}, sd.shapes().get("unused.expanded"));
            assertEquals("state_dict", sd.location());
            TorchTensor conv1 = sd.tensor("conv1.weight");
            assertEquals(StateDict.read(TestFiles.fixture("tiny-33x33", "model.pth")).get("conv1.weight"), conv1);
            TensorFileException e = assertThrows(TensorFileException.class, () -> sd.tensor("unused.expanded"));
            assertTrue(e.getMessage().contains("'unused.expanded'"), e.getMessage());
        }
    }
}
