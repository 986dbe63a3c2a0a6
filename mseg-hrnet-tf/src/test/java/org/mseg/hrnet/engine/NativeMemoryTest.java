package org.mseg.hrnet.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mseg.datasets.loader.Batch;
import org.mseg.datasets.loader.DatasetSlice;
import org.mseg.engine.Trainer;

/** Hundreds of steps must not grow the process's resident memory: every tensor and result is closed. */
class NativeMemoryTest {

    private static final long MAX_GROWTH_KB = 40 * 1024;

    @Test
    void residentMemoryStaysFlatOverManySteps() throws IOException {
        List<DatasetSlice> slices = ToyBatches.twoDatasets(1);
        ToyBatches data = new ToyBatches(5, 9, Toy.CLASSES, slices, 0);
        try (Trainer t = Toy.trainer(9, slices, 0.01, 400, 3).evalSize(9, 9).build()) {
            for (int i = 0; i < 60; i++) {
                t.step(data.next());
            }
            long warm = rssKb();
            for (int i = 0; i < 300; i++) {
                Batch b = data.next();
                t.step(b);
                if (i % 10 == 0) {
                    t.predict(b.images(), b.size(), 9, 9);
                }
            }
            long after = rssKb();
            assertTrue(after - warm < MAX_GROWTH_KB, "RSS grew from " + warm + " kB to " + after + " kB");
        }
    }

    private static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
