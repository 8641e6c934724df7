package org.example.tools;

import com.hazelcast.jet.core.DAG;
import com.hazelcast.jet.core.Edge;
import com.hazelcast.jet.core.Vertex;
import org.example.FraudPipeline;
import org.example.JobSettings;
import org.example.definition.FeatureDefinition;
import org.example.scoring.PythonScorer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * Draws the job's DAG, as Jet plans it from {@link FraudPipeline}, into an SVG picture for the
 * README. Because it is drawn from the pipeline itself, a test regenerates it and fails when the
 * committed picture no longer matches the code.
 *
 * <p>Layout: one row per DAG layer (longest path from the source), the busiest path in the left
 * column, branches to the right; an edge that skips rows is routed down a lane on the right.
 */
public final class PipelineDiagram {

    static final String DEFAULT_OUTPUT = "images/pipeline.svg";

    private static final int ROW_HEIGHT = 64;
    private static final int BOX_HEIGHT = 38;
    private static final int COLUMN_WIDTH = 300;
    private static final int MARGIN = 20;
    private static final int LANE_GAP = 14;
    private static final double CHAR_WIDTH = 7.4;

    private PipelineDiagram() {
    }

    public static void main(String[] args) {
        System.exit(Commands.execute(new Program(), args, System.out, System.err));
    }

    @Command(name = "PipelineDiagram", description = "Draws the job's DAG, as Jet plans it, into an SVG picture.")
    static final class Program implements Callable<Integer> {

        @Parameters(arity = "0..1", defaultValue = DEFAULT_OUTPUT,
                description = "Where to write the picture, relative to the repository")
        Path output;

        @Override
        public Integer call() throws IOException {
            Files.createDirectories(output.toAbsolutePath().getParent());
            Files.writeString(output, svg());
            System.out.println("Wrote " + output);
            return 0;
        }
    }

    /** The picture of the job as built with default settings. */
    public static String svg() {
        JobSettings defaults = JobSettings.defaults();
        DAG dag = FraudPipeline.build(defaults, FeatureDefinition.load(), FraudPipeline.kafkaSource(defaults),
                PythonScorer.python(Path.of(System.getProperty("java.io.tmpdir")), defaults.pythonBatchSize(),
                        defaults.pythonParallelism(), defaults.jobName()),
                FraudPipeline.predictionResultMap(), FraudPipeline.deadLettersMap()).toDag();
        return svg(dag);
    }

    static String svg(DAG dag) {
        List<Vertex> vertices = new ArrayList<>();
        dag.iterator().forEachRemaining(vertices::add);
        Map<String, Integer> layer = new HashMap<>();
        for (Vertex v : vertices) {
            int l = 0;
            for (Edge in : dag.getInboundEdges(v.getName())) {
                l = Math.max(l, layer.get(in.getSourceName()) + 1);
            }
            layer.put(v.getName(), l);
        }
        Map<String, Integer> height = new HashMap<>();
        for (int i = vertices.size() - 1; i >= 0; i--) {
            String name = vertices.get(i).getName();
            int h = 0;
            for (Edge out : dag.getOutboundEdges(name)) {
                h = Math.max(h, height.get(out.getDestName()) + 1);
            }
            height.put(name, h);
        }
        Map<String, Integer> column = assignColumns(dag, vertices, layer, height);

        int columns = column.values().stream().mapToInt(c -> c + 1).max().orElse(1);
        int rows = layer.values().stream().mapToInt(r -> r + 1).max().orElse(1);
        long longEdges = vertices.stream().flatMap(v -> dag.getOutboundEdges(v.getName()).stream())
                .filter(e -> layer.get(e.getDestName()) - layer.get(e.getSourceName()) > 1).count();
        int width = MARGIN * 2 + columns * COLUMN_WIDTH + (int) longEdges * LANE_GAP;
        int heightPx = MARGIN * 2 + rows * ROW_HEIGHT;

        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                        + " font-family=\"monospace\" font-size=\"13\">%n", width, heightPx, width, heightPx));
        svg.append("<title>fraud-detection job: Jet DAG</title>\n");
        svg.append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\""
                + " markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\"/></marker></defs>\n");
        svg.append(String.format("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, heightPx));
        // Jet's topological order varies between runs among equals; the picture must not.
        Comparator<String> position = Comparator.<String>comparingInt(layer::get).thenComparingInt(column::get);
        vertices.sort(Comparator.comparing(Vertex::getName, position));
        int lane = 0;
        for (Vertex v : vertices) {
            List<Edge> out = new ArrayList<>(dag.getOutboundEdges(v.getName()));
            out.sort(Comparator.comparing(Edge::getDestName, position));
            for (Edge e : out) {
                lane += drawEdge(svg, e, layer, column, columns, lane) ? 1 : 0;
            }
        }
        for (Vertex v : vertices) {
            drawVertex(svg, v, layer.get(v.getName()), column.get(v.getName()));
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    /**
     * Within a row: the scoring path first and dead-letter branches after it, then the vertex with
     * the longest way to go, then by where its inputs sit.
     */
    private static Map<String, Integer> assignColumns(DAG dag, List<Vertex> vertices,
                                                      Map<String, Integer> layer, Map<String, Integer> height) {
        Map<Integer, List<String>> rows = new TreeMap<>();
        vertices.forEach(v -> rows.computeIfAbsent(layer.get(v.getName()), r -> new ArrayList<>()).add(v.getName()));
        Map<String, Integer> column = new HashMap<>();
        for (List<String> row : rows.values()) {
            row.sort(Comparator.comparing(PipelineDiagram::isDeadLetterPath)
                    .thenComparing(Comparator.<String>comparingInt(height::get).reversed())
                    .thenComparingDouble(name -> dag.getInboundEdges(name).stream()
                            .mapToInt(e -> column.get(e.getSourceName())).average().orElse(0))
                    .thenComparing(Comparator.naturalOrder()));
            for (int i = 0; i < row.size(); i++) {
                column.put(row.get(i), i);
            }
        }
        return column;
    }

    private static void drawVertex(StringBuilder svg, Vertex v, int row, int col) {
        String label = label(v.getName());
        String detail = v.getLocalParallelism() > 0 ? "local parallelism " + v.getLocalParallelism() : null;
        int boxWidth = boxWidth(v);
        int x = MARGIN + col * COLUMN_WIDTH;
        int y = MARGIN + row * ROW_HEIGHT;
        boolean deadLetterPath = isDeadLetterPath(v.getName());
        svg.append(String.format(Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"6\" fill=\"%s\" stroke=\"%s\"/>%n",
                x, y, boxWidth, BOX_HEIGHT, deadLetterPath ? "#fde8e8" : "#e8f0fe",
                deadLetterPath ? "#c0392b" : "#2c5aa0"));
        int textY = detail == null ? y + 24 : y + 16;
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                x + boxWidth / 2, textY, escape(label)));
        if (detail != null) {
            svg.append(String.format(Locale.ROOT,
                    "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"11\" fill=\"#555\">%s</text>%n",
                    x + boxWidth / 2, y + 31, detail));
        }
    }

    /** Draws one edge; returns whether it used a lane of its own. */
    private static boolean drawEdge(StringBuilder svg, Edge e, Map<String, Integer> layer,
                                    Map<String, Integer> column, int columns, int lane) {
        int fromRow = layer.get(e.getSourceName());
        int toRow = layer.get(e.getDestName());
        int fromCol = column.get(e.getSourceName());
        int toCol = column.get(e.getDestName());
        boolean acrossMembers = e.isDistributed() && e.getRoutingPolicy() == Edge.RoutingPolicy.PARTITIONED;
        String style = acrossMembers ? " stroke-dasharray=\"6 3\"" : "";
        if (toRow - fromRow <= 1) {
            int x1 = MARGIN + fromCol * COLUMN_WIDTH + boxWidth(e.getSource()) / 2;
            int x2 = MARGIN + toCol * COLUMN_WIDTH + boxWidth(e.getDestination()) / 2;
            int y1 = MARGIN + fromRow * ROW_HEIGHT + BOX_HEIGHT;
            int y2 = MARGIN + toRow * ROW_HEIGHT;
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"%s marker-end=\"url(#arrow)\"/>%n",
                    x1, y1, x2, y2, style));
            if (acrossMembers) {
                svg.append(String.format(Locale.ROOT,
                        "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#555\">partitioned across members</text>%n",
                        Math.max(x1, x2) + 6, (y1 + y2) / 2 + 4));
            }
            return false;
        }
        int laneX = MARGIN + columns * COLUMN_WIDTH + lane * LANE_GAP;
        int x1 = MARGIN + fromCol * COLUMN_WIDTH + boxWidth(e.getSource());
        int y1 = MARGIN + fromRow * ROW_HEIGHT + BOX_HEIGHT / 2;
        int x2 = MARGIN + toCol * COLUMN_WIDTH + boxWidth(e.getDestination());
        int y2 = MARGIN + toRow * ROW_HEIGHT + BOX_HEIGHT / 2;
        svg.append(String.format(Locale.ROOT,
                "<polyline points=\"%d,%d %d,%d %d,%d %d,%d\" fill=\"none\" stroke=\"#999\"%s marker-end=\"url(#arrow)\"/>%n",
                x1, y1, laneX, y1, laneX, y2, x2, y2, style));
        return true;
    }

    private static boolean isDeadLetterPath(String vertexName) {
        return vertexName.contains("dead");
    }

    private static int boxWidth(Vertex v) {
        String label = label(v.getName());
        return (int) Math.max(150, Math.min(COLUMN_WIDTH - 30, label.length() * CHAR_WIDTH + 24));
    }

    /** {@code fused(ENRICH:ok, TRANSFORM)} reads as {@code ENRICH:ok + TRANSFORM}. */
    static String label(String vertexName) {
        return vertexName.startsWith("fused(") && vertexName.endsWith(")")
                ? vertexName.substring(6, vertexName.length() - 1).replace(", ", " + ")
                : vertexName;
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
