package org.mseg.hrnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mseg.api.MsegException;

class HrnetSpecTest {

    @Test
    void w48ParameterCountsMatchTheReference() {
        HrnetSpec w48 = HrnetSpec.w48();
        assertEquals(65_985_554L, w48.parameterCount(194));
        assertEquals(65_859_379L, w48.parameterCount(19));
        assertEquals(66_073_516L, w48.parameterCount(316));
    }

    @Test
    void w48BackboneHas65325120Parameters() {
        // head = conv 720x720 + bias + BN(720) + conv 720xK + bias
        long head194 = 720L * 720 + 720 + 2 * 720 + 720L * 194 + 194;
        assertEquals(65_325_120L, HrnetSpec.w48().parameterCount(194) - head194);
    }

    @Test
    void standardVariantsShareTheUpstreamTopology() {
        for (HrnetSpec spec : List.of(HrnetSpec.w48(), HrnetSpec.w32(), HrnetSpec.w18())) {
            assertEquals(64, spec.stemChannels());
            assertEquals(256, spec.stage1OutputChannels());
            assertEquals(4, spec.stage1Blocks());
            assertEquals(4, spec.blocksPerBranch());
            assertEquals(List.of(1, 4, 3), spec.modulesPerStage());
        }
        assertEquals(List.of(48, 96, 192, 384), HrnetSpec.w48().branchWidths());
        assertEquals(720, HrnetSpec.w48().representationChannels());
        assertEquals(List.of(18, 36, 72, 144), HrnetSpec.w18().branchWidths());
        assertEquals(270, HrnetSpec.w18().representationChannels());
    }

    @Test
    void tinyIsSmall() {
        HrnetSpec tiny = HrnetSpec.tiny();
        assertEquals(List.of(8, 16, 32, 64), tiny.branchWidths());
        assertEquals(64, tiny.stage1OutputChannels());
        assertTrue(tiny.parameterCount(5) < 300_000, "tiny has " + tiny.parameterCount(5) + " parameters");
    }

    @Test
    void namedVariantsResolveAndUnknownNamesListTheKnownOnes() {
        assertEquals(HrnetSpec.w48(), HrnetSpec.named("w48"));
        assertEquals(HrnetSpec.tiny(), HrnetSpec.named("tiny"));
        MsegException e = assertThrows(MsegException.class, () -> HrnetSpec.named("w64"));
        assertTrue(e.getMessage().contains("w64") && e.getMessage().contains("tiny, w18, w32, w48"), e.getMessage());
        assertEquals(List.of("tiny", "w18", "w32", "w48"), HrnetSpec.variantNames());
    }

    @Test
    void invalidFieldsAreRejectedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new HrnetSpec("x", 16, 16, 1, 0, 1, List.of(1, 1, 1)));
        assertTrue(e.getMessage().contains("baseWidth"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new HrnetSpec("x", 16, 16, 1, 8, 1, List.of(1, 1)));
        assertTrue(e.getMessage().contains("modulesPerStage"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new HrnetSpec("x", 16, 16, 1, 8, 1, List.of(1, 0, 1)));
        assertTrue(e.getMessage().contains("stage 3"), e.getMessage());
    }
}
