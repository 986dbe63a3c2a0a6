package org.mseg.engine.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SlidingWindowTest {

    @Test
    void strideIsTwoThirdsOfTheCropRoundedUp() {
        assertEquals(476, SlidingWindow.stride(713));
        assertEquals(396, SlidingWindow.stride(593));
        assertEquals(316, SlidingWindow.stride(473));
        assertEquals(6, SlidingWindow.stride(9));
    }

    @Test
    void startsFollowUpstreamGridAndEndAtTheBorder() {
        assertArrayEquals(new int[] {0}, SlidingWindow.starts(713, 713));
        // ceil(287 / 476) + 1 = 2 windows; the second is moved back to end at 1000.
        assertArrayEquals(new int[] {0, 287}, SlidingWindow.starts(1000, 713));
        // ceil(1287 / 476) + 1 = 4: 0, 476, 952, then 1428 + 713 > 2000 → 1287.
        assertArrayEquals(new int[] {0, 476, 952, 1287}, SlidingWindow.starts(2000, 713));
        assertArrayEquals(new int[] {0, 6}, SlidingWindow.starts(15, 9));
        assertThrows(IllegalArgumentException.class, () -> SlidingWindow.starts(700, 713));
    }

    @Test
    void everyPixelIsCoveredAndWindowsStayInside() {
        for (int[] size : new int[][] {{713, 1267}, {1080, 1920}, {720, 720}, {2000, 1000}}) {
            List<SlidingWindow.Window> grid = SlidingWindow.grid(size[0], size[1], 713, 713);
            int[] count = new int[size[0] * size[1]];
            for (SlidingWindow.Window w : grid) {
                assertTrue(w.top() >= 0 && w.top() + 713 <= size[0]);
                assertTrue(w.left() >= 0 && w.left() + 713 <= size[1]);
                for (int y = w.top(); y < w.top() + 713; y++) {
                    for (int x = w.left(); x < w.left() + 713; x++) {
                        count[y * size[1] + x]++;
                    }
                }
            }
            for (int c : count) {
                assertTrue(c >= 1, "an uncovered pixel in " + size[0] + " × " + size[1]);
            }
        }
    }
}
