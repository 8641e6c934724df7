package org.example.tools.netns;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The switch's rules for a cut: what is dropped, both ways, and what still passes. */
class CutTest {

    @Test
    void shouldDropBothDirectionsOfEveryLinkOfAnIsolatedHostAndNothingElse() {
        Cut cut = Cut.isolate("m3", List.of("m1", "m2", "client"), "m3 alone");

        String rules = cut.ruleset();

        assertThat(rules).contains(
                "iifname \"m3\" oifname \"m1\" ether type ip drop",
                "iifname \"m1\" oifname \"m3\" ether type ip drop",
                "iifname \"m3\" oifname \"client\" ether type ip drop",
                "iifname \"client\" oifname \"m3\" ether type ip drop");
        assertThat(rules.lines().filter(l -> l.contains("drop"))).hasSize(6);
        assertThat(cut.cuts("kafka", "m3")).isFalse();
        assertThat(cut.cuts("m2", "m3")).isTrue();
        assertThat(cut.cuts("m1", "m2")).isFalse();
    }

    @Test
    void shouldReplaceTheWholeTableInOneTransactionSoNoCutIsEverHalfApplied() {
        String rules = Cut.between("m2", "kafka", "m2 without the broker").ruleset();

        assertThat(rules).startsWith("table bridge lab_cut\ndelete table bridge lab_cut\ntable bridge lab_cut {\n");
        assertThat(rules).contains("type filter hook forward priority 0; policy accept;");
    }

    @Test
    void shouldHealByRemovingTheTable() {
        assertThat(Cut.NONE.ruleset()).isEqualTo("table bridge lab_cut\ndelete table bridge lab_cut\n");
    }

    @Test
    void shouldRefuseALinkFromAHostToItself() {
        assertThatThrownBy(() -> Cut.between("m1", "m1", "nonsense"))
                .hasMessage("a host has no link to itself: m1");
    }
}
