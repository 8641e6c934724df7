package org.example.tools.netns;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which links of the lab are cut: each is a pair of hosts whose IPv4 packets the lab's switch
 * drops, both ways, while every process keeps running. A dropped packet is silence, as across a
 * failed switch or zone link: no reset, no "unreachable", so both ends find out only by their own
 * timeouts. ARP still passes, so a host's neighbours stay resolved and nothing fails faster than
 * it would on a routed network.
 *
 * <p>The rules live in one nftables table of the switch's namespace ({@link #TABLE}), replaced as a
 * whole in one transaction, so a cut never exists half applied; {@link #NONE} removes it.
 */
public record Cut(String description, Set<Link> links) {

    /** The nftables table (bridge family) of the switch namespace that holds the cut. */
    public static final String TABLE = "lab_cut";

    /** Nothing cut: the network healed. */
    public static final Cut NONE = new Cut("nothing cut", Set.of());

    /** A link between two hosts, by their names in the lab (e.g. {@code m3} and {@code kafka}). */
    public record Link(String a, String b) {
        public Link {
            if (a.equals(b)) {
                throw new IllegalArgumentException("a host has no link to itself: " + a);
            }
        }
    }

    public Cut {
        links = Set.copyOf(links);
    }

    /** {@code host} cut off from each of {@code others}; its links to the rest of the lab stay. */
    public static Cut isolate(String host, Collection<String> others, String description) {
        Set<Link> links = new LinkedHashSet<>();
        for (String other : others) {
            if (!other.equals(host)) {
                links.add(new Link(host, other));
            }
        }
        return new Cut(description, links);
    }

    /** Only the link between {@code a} and {@code b}. */
    public static Cut between(String a, String b, String description) {
        return new Cut(description, Set.of(new Link(a, b)));
    }

    public boolean cuts(String a, String b) {
        return links.contains(new Link(a, b)) || links.contains(new Link(b, a));
    }

    /**
     * The nftables script that makes this cut the only one: it declares the table (so that deleting
     * it cannot fail), deletes it, and adds it again with one drop rule per direction of each link.
     * The switch-side port of each host's cable carries the host's name.
     */
    public String ruleset() {
        List<String> lines = new ArrayList<>();
        lines.add("table bridge " + TABLE);
        lines.add("delete table bridge " + TABLE);
        if (!links.isEmpty()) {
            lines.add("table bridge " + TABLE + " {");
            lines.add("  chain forward {");
            lines.add("    type filter hook forward priority 0; policy accept;");
            links.stream().sorted((x, y) -> (x.a() + x.b()).compareTo(y.a() + y.b())).forEach(link -> {
                lines.add(drop(link.a(), link.b()));
                lines.add(drop(link.b(), link.a()));
            });
            lines.add("  }");
            lines.add("}");
        }
        return String.join("\n", lines) + "\n";
    }

    private static String drop(String from, String to) {
        return "    iifname \"" + from + "\" oifname \"" + to + "\" ether type ip drop";
    }
}
