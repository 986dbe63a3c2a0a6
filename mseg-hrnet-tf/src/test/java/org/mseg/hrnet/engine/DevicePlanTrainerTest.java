package org.mseg.hrnet.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mseg.api.ConfigException;
import org.mseg.datasets.loader.DatasetSlice;
import org.mseg.engine.DevicePlan;
import org.mseg.engine.Trainer;

/**
 * The trainer's graph builder takes the devices a step runs on: a plan naming the CPU explicitly trains exactly as
 * TensorFlow's default placement does, and a plan of several devices is refused before any graph is built.
 */
class DevicePlanTrainerTest {

    private static final int SIZE = 9;
    private static final List<DatasetSlice> SLICES = ToyBatches.twoDatasets(2);

    private static Map<String, float[]> train(DevicePlan plan) {
        ToyBatches data = new ToyBatches(3, SIZE, Toy.CLASSES, SLICES, 0);
        try (Trainer t = Toy.trainer(SIZE, SLICES, 0.05, 3, 11).devices(plan).build()) {
            assertEquals(plan, t.devices());
            for (int i = 0; i < 3; i++) {
                t.step(data.next());
            }
            return t.variableValues();
        }
    }

    @Test
    void anExplicitCpuPlanTrainsExactlyAsTheDefaultPlacement() {
        Map<String, float[]> placed = train(new DevicePlan(List.of("cpu:0")));
        Map<String, float[]> automatic = train(DevicePlan.single());
        assertEquals(automatic.keySet(), placed.keySet());
        automatic.forEach((k, v) -> assertArrayEquals(v, placed.get(k), k));
    }

    @Test
    void severalDevicesAreRefusedNamingThePlan() {
        ConfigException e = assertThrows(ConfigException.class, () -> Toy.trainer(SIZE, SLICES, 0.05, 3, 11)
                .devices(new DevicePlan(List.of("cpu:0", "cpu:1"))).build());
        assertTrue(e.getMessage().contains("cpu:0,cpu:1") && e.getMessage().contains("one device"), e.getMessage());
    }

    @Test
    void devicePlansNameTensorFlowDevicesOnce() {
        assertEquals(1, DevicePlan.single().replicas());
        assertEquals(2, new DevicePlan(List.of("gpu:0", "gpu:1")).replicas());
        assertThrows(ConfigException.class, () -> new DevicePlan(List.of("tpu:0")));
        assertThrows(ConfigException.class, () -> new DevicePlan(List.of("cpu:0", "cpu:0")));
    }
}
