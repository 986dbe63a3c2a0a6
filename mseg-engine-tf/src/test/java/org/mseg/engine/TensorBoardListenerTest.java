package org.mseg.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.api.train.StepReport;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;

/** The event file holds the per-step scalars, readable with TensorFlow's own Event protocol buffer. */
class TensorBoardListenerTest {

    @Test
    void stepScalarsLandInAnEventsFile(@TempDir Path dir) throws IOException {
        try (TensorBoardListener l = new TensorBoardListener(dir)) {
            l.onStep(new StepReport(1, 10, 2.5, Map.of("alpha", 2.0), 0.01, 12, 0.1, 1, Map.of()));
            l.onStep(new StepReport(2, 10, 2.0, Map.of("alpha", 1.5), 0.009, 13, 0.1, 1, Map.of("alpha/a", 0.5)));
        }
        Path file;
        try (Stream<Path> files = Files.list(dir)) {
            file = files.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents")).findFirst()
                    .orElseThrow();
        }
        Map<String, Float> last = new LinkedHashMap<>();
        for (Event e : read(file)) {
            for (Summary.Value v : e.getSummary().getValueList()) {
                float x = v.hasSimpleValue() ? v.getSimpleValue()
                        : v.getTensor().getFloatValCount() > 0 ? v.getTensor().getFloatVal(0) : Float.NaN;
                last.put(v.getTag() + "@" + e.getStep(), x);
            }
        }
        assertEquals(2.5f, last.get("loss@1"));
        assertEquals(1.5f, last.get("loss/alpha@2"));
        assertEquals(0.009f, last.get("lr@2"));
        assertTrue(last.containsKey("alpha/a@2"), last.toString());
    }

    @Test
    void validationPicturesArePngImageSummaries(@TempDir Path dir) throws IOException {
        byte[] rgb = new byte[4 * 6 * 3];
        for (int i = 0; i < rgb.length; i += 3) {
            rgb[i] = (byte) 200;
        }
        try (TensorBoardListener l = new TensorBoardListener(dir)) {
            l.onStep(new StepReport(7, 10, 2.5, Map.of(), 0.01, 12, 0.1, 1, Map.of()));
            l.onValidationPicture("bdd", 0, 4, 6, rgb);
        }
        Path file;
        try (Stream<Path> files = Files.list(dir)) {
            file = files.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents")).findFirst()
                    .orElseThrow();
        }
        boolean found = false;
        for (Event e : read(file)) {
            for (Summary.Value v : e.getSummary().getValueList()) {
                if (v.getTag().startsWith("val/bdd/0")) {
                    found = true;
                    assertEquals(7, e.getStep());
                    assertTrue(v.hasImage(), "an IMAGE value: " + v);
                    assertEquals(4, v.getImage().getHeight());
                    assertEquals(6, v.getImage().getWidth());
                    byte[] png = v.getImage().getEncodedImageString().toByteArray();
                    assertEquals((byte) 0x89, png[0]);
                    assertEquals("PNG", new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII));
                }
            }
        }
        assertTrue(found, "an image summary tagged val/bdd/0");
    }

    /** TFRecord framing: length (8 bytes), its CRC (4), the record, its CRC (4). */
    private static List<Event> read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        List<Event> out = new java.util.ArrayList<>();
        while (b.remaining() >= 12) {
            int length = (int) b.getLong();
            b.getInt();
            byte[] record = new byte[length];
            b.get(record);
            b.getInt();
            out.add(Event.parseFrom(record));
        }
        return out;
    }
}
