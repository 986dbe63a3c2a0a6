package org.mseg.datasets.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.api.DatasetException;
import org.mseg.api.dataset.DatasetDefinition;
import org.mseg.datasets.DataRoot;
import org.mseg.datasets.Sample;
import org.mseg.datasets.SampleReader;
import org.mseg.datasets.SplitList;
import org.mseg.datasets.TestMats;

/** {@link SampleReader#readInto}, which the loader's workers use: same result as read, storage kept between calls. */
class ReadIntoTest {
    @TempDir
    Path dir;

    @Test
    void readIntoGivesWhatReadGivesAndKeepsItsStorage() {
        LoaderFixture fx = new LoaderFixture(dir);
        fx.dataset("cityscapes-19", "Cityscapes", 3, 12, 10, 19, Set.of(2));
        DatasetDefinition def = LoaderFixture.ENV.datasets().get("cityscapes-19");
        SplitList list = SplitList.read(def, "train", Optional.of(fx.lists));
        SampleReader reader = SampleReader.of(def, new DataRoot(fx.root), list, LoaderFixture.ENV.taxonomies());
        try (SampleReader.Buffers buffers = new SampleReader.Buffers()) {
            long address = -1;
            for (int i = 0; i < 2; i++) {
                reader.readInto(list.entries().get(i), buffers);
                try (Sample expected = reader.read(i)) {
                    assertArrayEquals(TestMats.floats(expected.image()), TestMats.floats(buffers.image()));
                    assertArrayEquals(TestMats.bytes(expected.label()), TestMats.bytes(buffers.label()));
                }
                if (i == 0) {
                    address = buffers.image().data().address();
                } else {
                    assertEquals(address, buffers.image().data().address(), "same-size image decoded in place");
                }
            }
            DatasetException e = assertThrows(DatasetException.class,
                    () -> reader.readInto(list.entries().get(2), buffers));
            DatasetException same = assertThrows(DatasetException.class, () -> reader.read(2).close());
            assertEquals(same.getMessage(), e.getMessage());
        }
    }
}
