package org.mseg.hrnet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mseg.pytorch.TorchTensor;

/** HRNet's import rules leave the ImageNet classification head of the backbone checkpoint out. */
class ImagenetHeadPartitionTest {

    @Test
    void theImagenetClassificationHeadIsSkipped() {
        TorchTensor t = new TorchTensor(new long[] {1}, new float[] {0f}, "float32");
        Map<String, TorchTensor> dict = new LinkedHashMap<>();
        for (String key : List.of("conv1.weight", "incre_modules.0.0.conv1.weight", "downsamp_modules.2.0.weight",
                "final_layer.0.bias", "classifier.weight", "classifier.bias", "last_layer.0.weight",
                "final_layer_extra.weight")) {
            dict.put(key, t);
        }
        StateDictLoader.Partition<TorchTensor> p = StateDictLoader.partition(dict);
        assertEquals(List.of("incre_modules.0.0.conv1.weight", "downsamp_modules.2.0.weight", "final_layer.0.bias",
                "classifier.weight", "classifier.bias"), p.skipped());
        assertEquals(List.of("conv1.weight", "last_layer.0.weight", "final_layer_extra.weight"),
                List.copyOf(p.model().keySet()));
    }
}
