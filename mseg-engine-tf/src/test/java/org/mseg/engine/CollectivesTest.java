package org.mseg.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/** The collective all-reduce over two virtual CPU devices of one session. */
class CollectivesTest {

    private static Ops on(Graph g, int device) {
        return Ops.create(g).withDevice(DeviceSpec.newBuilder().deviceType(DeviceSpec.DeviceType.CPU)
                .deviceIndex(device).build());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void longChainsOfDependentSumsComplete() {
        for (int count : new int[] {150}) {
            try (Graph g = new Graph()) {
                Collectives c = Collectives.create(2, "ring");
                Ops a = on(g, 0);
                Ops b = on(g, 1);
                Operand<TFloat32> xa = a.constant(new float[] {1, 2});
                Operand<TFloat32> xb = b.constant(new float[] {1, 2});
                for (int i = 0; i < count; i++) {
                    xa = a.math.mul(c.sum(a, xa, "s" + i), a.constant(0.5f));
                    xb = b.math.mul(c.sum(b, xb, "s" + i), b.constant(0.5f));
                }
                try (Session s = new Session(g, ConfigProto.newBuilder().putDeviceCount("CPU", 2).build());
                        Result r = s.runner().fetch(xa).fetch(xb).run()) {
                    // each link halves the sum of two equal vectors: the values come back unchanged
                    assertEquals(2f, ((TFloat32) r.get(0)).getFloat(1));
                    assertEquals(2f, ((TFloat32) r.get(1)).getFloat(1));
                }
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void scalarsAndVectorsSumOverTwoCpus() {
        try (Graph g = new Graph()) {
            Collectives c = Collectives.create(2, "ring");
            Ops a = on(g, 0);
            Ops b = on(g, 1);
            Operand<TFloat32> sa = c.sum(a, a.constant(1.5f), "scalar");
            Operand<TFloat32> sb = c.sum(b, b.constant(2f), "scalar");
            Operand<TFloat32> va = c.sum(a, a.constant(new float[] {1, 2, 3}), "vector");
            Operand<TFloat32> vb = c.sum(b, b.constant(new float[] {10, 20, 30}), "vector");
            try (Session s = new Session(g, ConfigProto.newBuilder().putDeviceCount("CPU", 2).build());
                    Result r = s.runner().fetch(sa).fetch(sb).fetch(va).fetch(vb).run()) {
                assertEquals(3.5f, ((TFloat32) r.get(0)).getFloat());
                assertEquals(3.5f, ((TFloat32) r.get(1)).getFloat());
                assertEquals(33f, ((TFloat32) r.get(3)).getFloat(2));
            }
        }
    }
}
