package org.example.tools.netns;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The lab's hosts and the commands that build it. */
class LabNetworkTest {

    private final LabNetwork lab = LabNetwork.of("fd-1234-", "10.250.0", 3);

    @Test
    void shouldGiveEachHostANamespaceAndAnAddressOfItsOwn() {
        assertThat(lab.hosts()).extracting(LabNetwork.Host::name).containsExactly("m1", "m2", "m3", "kafka", "client");
        assertThat(lab.member(2)).isEqualTo(new LabNetwork.Host("m2", "fd-1234-m2", "10.250.0.2"));
        assertThat(lab.host("kafka").address()).isEqualTo("10.250.0.10");
        assertThat(lab.host("client").address()).isEqualTo("10.250.0.20");
        assertThat(lab.switchNamespace()).isEqualTo("fd-1234-sw");
    }

    @Test
    void shouldBuildEverythingInsideTheLabsOwnNamespacesNeverInTheMachinesOwn() {
        for (List<String> command : lab.upCommands()) {
            assertThat(command.get(0)).isEqualTo("ip");
            boolean addsALabNamespace = command.subList(1, 3).equals(List.of("netns", "add"))
                    && command.get(3).startsWith("fd-1234-");
            boolean runsInALabNamespace = command.get(1).equals("-n") && command.get(2).startsWith("fd-1234-");
            assertThat(addsALabNamespace || runsInALabNamespace).as(String.join(" ", command)).isTrue();
        }
    }

    @Test
    void shouldCableEachHostToTheSwitchByAPortNamedAfterIt() {
        assertThat(lab.upCommands()).contains(
                List.of("ip", "-n", "fd-1234-sw", "link", "add", "m3", "type", "veth", "peer", "name", "eth0", "netns", "fd-1234-m3"),
                List.of("ip", "-n", "fd-1234-sw", "link", "set", "m3", "master", "br0"),
                List.of("ip", "-n", "fd-1234-m3", "addr", "add", "10.250.0.3/24", "dev", "eth0"));
    }

    @Test
    void shouldRunACommandInsideAHostThroughIpNetnsExec() {
        assertThat(LabNetwork.inside(lab.member(1), List.of("java", "-version")))
                .containsExactly("ip", "netns", "exec", "fd-1234-m1", "java", "-version");
    }

    @Test
    void shouldRefuseAPrefixThatCouldNameSomebodyElsesNamespace() {
        assertThatThrownBy(() -> LabNetwork.of("", "10.250.0", 3))
                .hasMessage("lab prefix must be 1-12 of [a-z0-9-], not ''");
        assertThatThrownBy(() -> LabNetwork.of("fd-", "10.250", 3))
                .hasMessage("lab subnet must be the first three octets, e.g. 10.250.0, not '10.250'");
    }
}
