package org.example.scoring;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * A LightGBM binary classifier read from LightGBM's text model format (what
 * {@code Booster.save_model} writes) and evaluated in plain Java, so the job can score without
 * Python and without a native library.
 *
 * <p>Evaluation follows LightGBM's own prediction for a dense row of doubles: every tree is walked
 * from its root ({@code value <= threshold} goes left), the leaf values are added in tree order and
 * the sum goes through the binary objective's sigmoid. Missing values behave as LightGBM's
 * {@code decision_type} says: with missing type None a NaN is read as 0; with Zero, a value within
 * {@value #ZERO_THRESHOLD} of 0 (NaN included) takes the split's default direction; with NaN, a NaN
 * does. A categorical split sends a value left when its integer part is in the split's bitset; NaN
 * and negative values go right. A row value within {@value #ZERO_THRESHOLD} of 0 is read as 0, as
 * LightGBM reads a dense matrix.
 *
 * <p>How it is laid out, for speed. The thresholds of each feature are sorted once; a row's value
 * becomes its rank among them (how many are below it), so that a split compares two small integers,
 * which is exact: {@code value <= threshold[k]} exactly when fewer than {@code k + 1} thresholds
 * lie below the value. All trees then live in one {@code long[]}, one word per node or leaf, each
 * tree in preorder so that a node's left child is the next word: a walk reads little memory and
 * mostly what is already in cache. A prediction allocates nothing but, in the one-argument methods,
 * the ranks of the row's values. Instances are immutable and safe to share between threads.
 *
 * <p>{@link #contributions} explains a row's raw score as LightGBM's {@code pred_contrib} does:
 * its TreeSHAP ({@code Tree::TreeSHAP} in LightGBM's tree.cpp, Lundberg et al., arXiv:1706.06060),
 * run on the same slots, with each node's training-row count ({@code internal_count},
 * {@code leaf_count}) as its cover, and every floating-point operation in LightGBM's order, so that
 * the contributions are LightGBM's to the last bit rather than merely close.
 */
public final class LightGbmModel {

    /**
     * LightGBM's {@code kZeroThreshold}: what it takes for zero. LightGBM writes it as the float
     * literal {@code 1e-35f}, so as a double it is 1.0000000180025095e-35, not 1e-35; LightGBM
     * writes that double as the threshold of splits between zero and the values around it.
     */
    static final double ZERO_THRESHOLD = 1e-35f;

    // decision_type, as LightGBM's Tree keeps it: bit 0 categorical, bit 1 default left, bits 2-3 missing type.
    private static final int CATEGORICAL_MASK = 1;
    private static final int DEFAULT_LEFT_MASK = 2;
    private static final int MISSING_NONE = 0;
    private static final int MISSING_ZERO = 1;
    private static final int MISSING_NAN = 2;

    // What a slot is, decided once at load so that the hot loop tests one common case.
    private static final int NUMERICAL = 0;
    private static final int ZERO_GOES_LEFT = 1;
    private static final int ZERO_GOES_RIGHT = 2;
    private static final int NAN_GOES_LEFT = 3;
    private static final int NAN_GOES_RIGHT = 4;
    private static final int CATEGORICAL = 5;
    private static final int LEAF = 7;

    // A slot: bits 0-2 its kind; 3-22 the split's feature; 23-42 the threshold's rank among the
    // feature's thresholds, the categorical split's bitset, or the leaf's index in its tree; 43-63
    // how many slots after the left child (the next slot) the right child comes.
    private static final long KIND = 7;
    private static final int FEATURE_SHIFT = 3;
    private static final int INDEX_SHIFT = 23;
    private static final int OFFSET_SHIFT = 43;
    private static final int FIELD = (1 << 20) - 1;
    private static final int MAX_OFFSET = (1 << 21) - 1;

    /**
     * The deepest tree read. TreeSHAP keeps {@code (d + 1)(d + 2) / 2} path entries for a tree
     * {@code d} levels deep and recurses {@code d} calls deep: 512 levels take 3.7 MB per
     * {@link ContributionBuffers} and a small part of a thread's stack. LightGBM's trees are far
     * shallower (31 leaves allow at most 30 levels; the shipped model's deepest has 17).
     */
    static final int MAX_DEPTH = 512;

    private final List<String> featureNames;
    private final int numFeatures;
    private final double sigmoid;
    /** Per tree: the slot of its root, and where its leaves start in {@link #leafValues}. */
    private final int[] roots;
    private final int[] leafBase;
    private final long[] slots;
    private final double[] leafValues;
    /** The features numerical splits use; per feature, its sorted distinct thresholds. */
    private final int[] rankedFeatures;
    private final double[][] thresholds;
    /** Per categorical split, its bitset's words (bit c set: category c goes left). */
    private final int[][] bitsets;
    /** Per slot, how many training rows reached it (internal_count, leaf_count): TreeSHAP's cover. */
    private final double[] counts;
    /** The trees' expected values, added in tree order: the last of the contributions. */
    private final double expectedValue;
    /** The entries TreeSHAP's paths need in the deepest tree. */
    private final int pathCapacity;

    private LightGbmModel(List<String> featureNames, double sigmoid, List<Tree> trees) {
        this.featureNames = List.copyOf(featureNames);
        this.numFeatures = featureNames.size();
        this.sigmoid = sigmoid;
        checkFits(numFeatures, FIELD, "features");

        List<TreeSet<Double>> distinct = new ArrayList<>();
        for (int f = 0; f < numFeatures; f++) {
            distinct.add(new TreeSet<>());
        }
        trees.forEach(tree -> tree.numericalThresholds(distinct));
        thresholds = distinct.stream().map(set -> set.stream().mapToDouble(Double::doubleValue).toArray())
                .toArray(double[][]::new);
        rankedFeatures = IntStream.range(0, numFeatures).filter(f -> thresholds[f].length > 0).toArray();

        roots = new int[trees.size()];
        leafBase = new int[trees.size()];
        List<int[]> categoricalSplits = new ArrayList<>();
        long[] laidOut = new long[1024];
        double[] laidOutCounts = new double[1024];
        int used = 0;
        int leaves = 0;
        int maxDepth = 0;
        double expected = 0.0;
        for (int t = 0; t < trees.size(); t++) {
            Tree tree = trees.get(t);
            roots[t] = used;
            leafBase[t] = leaves;
            Layout layout = tree.layOut(thresholds, categoricalSplits);
            int length = layout.slots().length;
            if (used + length > laidOut.length) {
                laidOut = Arrays.copyOf(laidOut, Math.max(2 * laidOut.length, used + length));
                laidOutCounts = Arrays.copyOf(laidOutCounts, laidOut.length);
            }
            System.arraycopy(layout.slots(), 0, laidOut, used, length);
            System.arraycopy(layout.counts(), 0, laidOutCounts, used, length);
            used += length;
            leaves += tree.leaves.length;
            maxDepth = Math.max(maxDepth, layout.depth());
            // LightGBM starts the last contribution at 0 and adds each tree's expected value in turn.
            expected += tree.expectedValue();
        }
        slots = Arrays.copyOf(laidOut, used);
        counts = Arrays.copyOf(laidOutCounts, used);
        leafValues = trees.stream().flatMapToDouble(tree -> Arrays.stream(tree.leaves)).toArray();
        bitsets = categoricalSplits.toArray(new int[0][]);
        expectedValue = expected;
        pathCapacity = (maxDepth + 1) * (maxDepth + 2) / 2;
    }

    /** The feature names, in the column order a row must follow. */
    public List<String> featureNames() {
        return featureNames;
    }

    public int numFeatures() {
        return numFeatures;
    }

    /** The distinct thresholds of the numerical splits on one feature, ascending. */
    double[] numericalThresholds(int feature) {
        return thresholds[feature].clone();
    }

    /** The probability of the positive class: the binary objective's sigmoid of the raw score. */
    public double probability(double[] row) {
        return probability(row, new int[numFeatures]);
    }

    /**
     * {@link #probability(double[])} without allocating: {@code ranks} (at least
     * {@link #numFeatures()} long) is overwritten with the ranks of the row's values, so one caller
     * can reuse it per row.
     */
    public double probability(double[] row, int[] ranks) {
        return 1.0 / (1.0 + Math.exp(-sigmoid * rawScore(row, ranks)));
    }

    /** The sum of the trees' outputs for one row: LightGBM's raw score. */
    private double rawScore(double[] row, int[] ranks) {
        if (row.length != numFeatures || ranks.length < numFeatures) {
            throw new IllegalArgumentException("a row has " + numFeatures + " values, not " + row.length);
        }
        for (int feature : rankedFeatures) {
            ranks[feature] = rank(thresholds[feature], row[feature]);
        }
        long[] slots = this.slots;
        double sum = 0.0;
        for (int t = 0; t < roots.length; t++) {
            int slot = roots[t];
            long node = slots[slot];
            while ((node & KIND) != LEAF) {
                boolean right = (node & KIND) == NUMERICAL
                        ? ranks[field(node, FEATURE_SHIFT)] > field(node, INDEX_SHIFT)
                        : goesRight(node, row, ranks);
                slot += right ? 1 + (int) (node >>> OFFSET_SHIFT) : 1;
                node = slots[slot];
            }
            sum += leafValues[leafBase[t] + field(node, INDEX_SHIFT)];
        }
        return sum;
    }

    // ---- Contributions: LightGBM's TreeSHAP ------------------------------------------------------

    /**
     * Room for {@link #contributions(double[], ContributionBuffers)}: the row's ranks and TreeSHAP's
     * paths, sized for this model's deepest tree, so that a call allocates only its result. Not
     * thread-safe: one per thread, as the ranks of {@link #probability(double[], int[])}.
     */
    public static final class ContributionBuffers {
        private final int[] ranks;
        // TreeSHAP's path entries (LightGBM's PathElement), one array per field; each call of the
        // recursion keeps its path in a segment of its own, after its caller's.
        private final int[] features;
        private final double[] zeroFractions;
        private final double[] oneFractions;
        private final double[] weights;

        private ContributionBuffers(int numFeatures, int pathCapacity) {
            ranks = new int[numFeatures];
            features = new int[pathCapacity];
            zeroFractions = new double[pathCapacity];
            oneFractions = new double[pathCapacity];
            weights = new double[pathCapacity];
        }
    }

    public ContributionBuffers newContributionBuffers() {
        return new ContributionBuffers(numFeatures, pathCapacity);
    }

    /** {@link #contributions(double[], ContributionBuffers)} with buffers of its own. */
    public double[] contributions(double[] row) {
        return contributions(row, newContributionBuffers());
    }

    /**
     * How much each feature moved the row's raw score (log-odds) away from the model's expected
     * value: what LightGBM's {@code predict(X, pred_contrib=True)} returns for the row, bit for bit.
     * One value per feature, in column order, then the expected value (the trees' leaf values
     * averaged over their training rows); together they add up to the raw score, up to rounding.
     * Each tree's TreeSHAP visits every node of the tree, so this costs far more than
     * {@link #probability(double[], int[])}, which visits one path (docs/BENCHMARK.md). Its path
     * weights lose precision as distinct features pile up on one path, as LightGBM's do: with the
     * shipped model's 16 features the sum misses the raw score by under 1e-13 (docs/DESIGN.md).
     *
     * @param buffers from {@link #newContributionBuffers()} of this model, overwritten
     */
    public double[] contributions(double[] row, ContributionBuffers buffers) {
        if (row.length != numFeatures) {
            throw new IllegalArgumentException("a row has " + numFeatures + " values, not " + row.length);
        }
        if (buffers.ranks.length < numFeatures || buffers.features.length < pathCapacity) {
            throw new IllegalArgumentException("the buffers were made for a smaller model");
        }
        int[] ranks = buffers.ranks;
        for (int feature : rankedFeatures) {
            ranks[feature] = rank(thresholds[feature], row[feature]);
        }
        double[] phi = new double[numFeatures + 1];
        for (int t = 0; t < roots.length; t++) {
            // A tree of one leaf moves nothing: its value is its expected value.
            if ((slots[roots[t]] & KIND) != LEAF) {
                treeShap(row, buffers, phi, leafBase[t], roots[t], 0, 0, 1, 1, -1);
            }
        }
        phi[numFeatures] = expectedValue;
        return phi;
    }

    /**
     * LightGBM's {@code Tree::TreeSHAP} on the slots: extends the path its caller kept at
     * {@code parentStart} by the split that led here ({@code parentFeature}, the share of the
     * parent's rows that came here and whether the row did), then at a leaf credits each feature on
     * the path with its share of the leaf's value, or at a split recurses into the child the row
     * takes (hot) and the other (cold). A feature split on again is first taken off the path, so
     * that it appears once. Every arithmetic expression is written as in tree.cpp, operand for
     * operand, so that the results round as LightGBM's do.
     */
    private void treeShap(double[] row, ContributionBuffers path, double[] phi, int leafBase, int slot,
                          int depth, int parentStart, double parentZeroFraction, double parentOneFraction,
                          int parentFeature) {
        int start = parentStart + depth;
        if (depth > 0) {
            System.arraycopy(path.features, parentStart, path.features, start, depth);
            System.arraycopy(path.zeroFractions, parentStart, path.zeroFractions, start, depth);
            System.arraycopy(path.oneFractions, parentStart, path.oneFractions, start, depth);
            System.arraycopy(path.weights, parentStart, path.weights, start, depth);
        }
        extendPath(path, start, depth, parentZeroFraction, parentOneFraction, parentFeature);

        long node = slots[slot];
        if ((node & KIND) == LEAF) {
            double value = leafValues[leafBase + field(node, INDEX_SHIFT)];
            for (int i = 1; i <= depth; i++) {
                double w = unwoundPathSum(path, start, depth, i);
                phi[path.features[start + i]] += w * (path.oneFractions[start + i] - path.zeroFractions[start + i])
                        * value;
            }
            return;
        }
        int feature = field(node, FEATURE_SHIFT);
        int left = slot + 1;
        int right = slot + 1 + (int) (node >>> OFFSET_SHIFT);
        boolean goesRight = (node & KIND) == NUMERICAL
                ? path.ranks[feature] > field(node, INDEX_SHIFT)
                : goesRight(node, row, path.ranks);
        int hot = goesRight ? right : left;
        int cold = goesRight ? left : right;
        double w = counts[slot];
        double hotZeroFraction = counts[hot] / w;
        double coldZeroFraction = counts[cold] / w;
        double incomingZeroFraction = 1;
        double incomingOneFraction = 1;

        int pathIndex = 0;
        while (pathIndex <= depth && path.features[start + pathIndex] != feature) {
            pathIndex++;
        }
        if (pathIndex != depth + 1) {
            incomingZeroFraction = path.zeroFractions[start + pathIndex];
            incomingOneFraction = path.oneFractions[start + pathIndex];
            unwindPath(path, start, depth, pathIndex);
            depth -= 1;
        }
        treeShap(row, path, phi, leafBase, hot, depth + 1, start,
                hotZeroFraction * incomingZeroFraction, incomingOneFraction, feature);
        treeShap(row, path, phi, leafBase, cold, depth + 1, start,
                coldZeroFraction * incomingZeroFraction, 0, feature);
    }

    /** LightGBM's {@code Tree::ExtendPath}: the path at {@code start} grows by one entry. */
    private static void extendPath(ContributionBuffers path, int start, int depth, double zeroFraction,
                                   double oneFraction, int feature) {
        double[] weights = path.weights;
        path.features[start + depth] = feature;
        path.zeroFractions[start + depth] = zeroFraction;
        path.oneFractions[start + depth] = oneFraction;
        weights[start + depth] = depth == 0 ? 1 : 0;
        for (int i = depth - 1; i >= 0; i--) {
            weights[start + i + 1] += oneFraction * weights[start + i] * (i + 1) / (double) (depth + 1);
            weights[start + i] = zeroFraction * weights[start + i] * (depth - i) / (double) (depth + 1);
        }
    }

    /** LightGBM's {@code Tree::UnwindPath}: entry {@code pathIndex} leaves the path at {@code start}. */
    private static void unwindPath(ContributionBuffers path, int start, int depth, int pathIndex) {
        double[] weights = path.weights;
        double oneFraction = path.oneFractions[start + pathIndex];
        double zeroFraction = path.zeroFractions[start + pathIndex];
        double nextOnePortion = weights[start + depth];
        for (int i = depth - 1; i >= 0; --i) {
            if (oneFraction != 0) {
                double tmp = weights[start + i];
                weights[start + i] = nextOnePortion * (depth + 1) / (double) ((i + 1) * oneFraction);
                nextOnePortion = tmp - weights[start + i] * zeroFraction * (depth - i) / (double) (depth + 1);
            } else {
                weights[start + i] = (weights[start + i] * (depth + 1)) / (double) (zeroFraction * (depth - i));
            }
        }
        for (int i = pathIndex; i < depth; ++i) {
            path.features[start + i] = path.features[start + i + 1];
            path.zeroFractions[start + i] = path.zeroFractions[start + i + 1];
            path.oneFractions[start + i] = path.oneFractions[start + i + 1];
        }
    }

    /**
     * LightGBM's {@code Tree::UnwoundPathSum}: the path's total permutation weight were entry
     * {@code pathIndex} unwound, without unwinding it.
     */
    private static double unwoundPathSum(ContributionBuffers path, int start, int depth, int pathIndex) {
        double[] weights = path.weights;
        double oneFraction = path.oneFractions[start + pathIndex];
        double zeroFraction = path.zeroFractions[start + pathIndex];
        double nextOnePortion = weights[start + depth];
        double total = 0;
        for (int i = depth - 1; i >= 0; --i) {
            if (oneFraction != 0) {
                double tmp = nextOnePortion * (depth + 1) / (double) ((i + 1) * oneFraction);
                total += tmp;
                nextOnePortion = weights[start + i] - tmp * zeroFraction * ((depth - i) / (double) (depth + 1));
            } else {
                total += (weights[start + i] / zeroFraction) / ((depth - i) / (double) (depth + 1));
            }
        }
        return total;
    }

    /**
     * How many of the ascending {@code thresholds} lie below the value as LightGBM compares it: NaN
     * and values it takes for zero count as 0. A fixed number of halvings, each picking its half by
     * arithmetic rather than a branch, since the outcome is as unpredictable as a coin.
     */
    static int rank(double[] thresholds, double value) {
        double x = Math.abs(value) > ZERO_THRESHOLD ? value : 0.0;
        int base = 0;
        int length = thresholds.length;
        while (length > 1) {
            int half = length >>> 1;
            // threshold < x exactly when threshold - x is negative (x is not NaN; a difference
            // of two distinct doubles is never zero).
            base += half & -below(thresholds[base + half - 1], x);
            length -= half;
        }
        return base + below(thresholds[base], x);
    }

    private static int below(double threshold, double x) {
        return (int) (Double.doubleToRawLongBits(threshold - x) >>> 63);
    }

    /** The splits other than a plain numerical one: missing values, categories. */
    private boolean goesRight(long node, double[] row, int[] ranks) {
        int feature = field(node, FEATURE_SHIFT);
        double value = row[feature];
        int kind = (int) (node & KIND);
        switch (kind) {
            case ZERO_GOES_LEFT, ZERO_GOES_RIGHT -> {
                if (!(Math.abs(value) > ZERO_THRESHOLD)) {
                    return kind == ZERO_GOES_RIGHT;
                }
                return ranks[feature] > field(node, INDEX_SHIFT);
            }
            case NAN_GOES_LEFT, NAN_GOES_RIGHT -> {
                if (Double.isNaN(value)) {
                    return kind == NAN_GOES_RIGHT;
                }
                return ranks[feature] > field(node, INDEX_SHIFT);
            }
            case CATEGORICAL -> {
                if (Double.isNaN(value)) {
                    return true;
                }
                int category = (int) value; // truncates toward zero, as LightGBM's cast does
                if (category < 0) {
                    return true;
                }
                int[] words = bitsets[field(node, INDEX_SHIFT)];
                int word = category >>> 5;
                return word >= words.length || (words[word] >>> (category & 31) & 1) == 0;
            }
            default -> throw new IllegalStateException("slot kind " + kind);
        }
    }

    private static int field(long node, int shift) {
        return (int) (node >>> shift) & FIELD;
    }

    private static void checkFits(int value, int limit, String what) {
        if (value > limit) {
            throw new IllegalArgumentException("more than " + limit + " " + what + " are not supported");
        }
    }

    /**
     * One tree as LightGBM writes it: per node its split, children as node index or {@code ~leaf},
     * and how many training rows reached it; per leaf its value and its rows.
     */
    private record Tree(int[] features, double[] thresholds, int[] kinds, int[] left, int[] right, double[] leaves,
                        int[][] bitsets, int[] nodeCounts, int[] leafCounts) {

        void numericalThresholds(List<TreeSet<Double>> distinct) {
            for (int node = 0; node < features.length; node++) {
                if (kinds[node] != CATEGORICAL) {
                    distinct.get(features[node]).add(thresholds[node]);
                }
            }
        }

        /**
         * LightGBM's {@code Tree::ExpectedValue}: the leaves' values weighed by their share of the
         * root's rows, added in leaf order.
         */
        double expectedValue() {
            if (leaves.length == 1) {
                return leaves[0];
            }
            double totalCount = nodeCounts[0];
            double expected = 0.0;
            for (int i = 0; i < leaves.length; i++) {
                expected += (leafCounts[i] / totalCount) * leaves[i];
            }
            return expected;
        }

        /**
         * The tree's slots in preorder, each with its row count, and the tree's depth; its
         * categorical splits' bitsets are appended to {@code bitsets}.
         */
        Layout layOut(double[][] ranked, List<int[]> allBitsets) {
            checkFits(leaves.length, FIELD, "leaves in a tree");
            checkFits(2 * leaves.length, MAX_OFFSET, "slots in a tree");
            long[] slots = new long[2 * leaves.length - 1];
            double[] counts = new double[slots.length];
            int used = 0;
            int depth = 0;
            // Pending children: {LightGBM node or ~leaf, the slot whose right child it is or -1, depth}.
            Deque<int[]> pending = new ArrayDeque<>();
            pending.push(new int[]{leaves.length == 1 ? ~0 : 0, -1, 0});
            while (!pending.isEmpty()) {
                int[] next = pending.pop();
                int node = next[0];
                int slot = used++;
                if (next[1] >= 0) {
                    slots[next[1]] |= (long) (slot - next[1] - 1) << OFFSET_SHIFT;
                }
                if (node < 0) {
                    slots[slot] = LEAF | (long) ~node << INDEX_SHIFT;
                    counts[slot] = leafCounts[~node];
                    depth = Math.max(depth, next[2]);
                    continue;
                }
                int index;
                if (kinds[node] == CATEGORICAL) {
                    index = allBitsets.size();
                    allBitsets.add(bitsets[node]);
                    checkFits(index, FIELD, "categorical splits");
                } else {
                    index = Arrays.binarySearch(ranked[features[node]], thresholds[node]);
                }
                slots[slot] = kinds[node] | (long) features[node] << FEATURE_SHIFT | (long) index << INDEX_SHIFT;
                counts[slot] = nodeCounts[node];
                // The right subtree is laid out after the whole left one, which starts at slot + 1.
                pending.push(new int[]{right[node], slot, next[2] + 1});
                pending.push(new int[]{left[node], -1, next[2] + 1});
            }
            checkFits(depth, MAX_DEPTH, "levels in a tree");
            return new Layout(slots, counts, depth);
        }
    }

    private record Layout(long[] slots, double[] counts, int depth) {
    }

    // ---- Reading the text format ------------------------------------------------------------------

    public static LightGbmModel parse(String text, String source) {
        return read(new StringReader(text), source);
    }

    /**
     * Reads a model in LightGBM's text format. Fails, naming {@code source} and the line, on
     * anything this reader does not evaluate exactly as LightGBM would: other objectives than
     * binary, several classes, linear trees, random-forest averaging, a malformed tree.
     */
    public static LightGbmModel read(Reader reader, String source) {
        try (BufferedReader lines = new BufferedReader(reader)) {
            return new Parser(lines, source).parse();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + source, e);
        }
    }

    private static final class Parser {
        private final BufferedReader lines;
        private final String source;
        private int lineNumber;

        Parser(BufferedReader lines, String source) {
            this.lines = lines;
            this.source = source;
        }

        LightGbmModel parse() throws IOException {
            String first = next();
            if (first == null || !first.strip().equals("tree")) {
                throw fail("not a LightGBM tree model (the first line must be 'tree')");
            }
            Map<String, String> header = new HashMap<>();
            String line;
            while ((line = next()) != null && !line.startsWith("Tree=") && !line.equals("end of trees")) {
                if (line.strip().equals("average_output")) {
                    throw fail("random-forest models (average_output) are not supported");
                }
                putKeyValue(header, line);
            }
            String version = require(header, "version");
            if (!version.equals("v3") && !version.equals("v4")) {
                throw fail("model format " + version + " is not supported (v3 or v4)");
            }
            if (!require(header, "num_class").equals("1") || !require(header, "num_tree_per_iteration").equals("1")) {
                throw fail("only single-class models are supported (num_class=1, num_tree_per_iteration=1)");
            }
            int numFeatures = parseInt(require(header, "max_feature_idx"), "max_feature_idx") + 1;
            List<String> names = List.of(require(header, "feature_names").split(" "));
            if (names.size() != numFeatures) {
                throw fail("feature_names lists " + names.size() + " features, max_feature_idx says " + numFeatures);
            }
            double sigmoid = binarySigmoid(require(header, "objective"));

            List<Tree> trees = new ArrayList<>();
            while (line != null && line.startsWith("Tree=")) {
                int index = parseInt(line.substring("Tree=".length()), "Tree=");
                if (index != trees.size()) {
                    throw fail("expected Tree=" + trees.size() + ", found " + line);
                }
                Map<String, String> tree = new HashMap<>();
                while ((line = next()) != null && !line.startsWith("Tree=") && !line.equals("end of trees")) {
                    putKeyValue(tree, line);
                }
                trees.add(tree(tree, index, numFeatures));
            }
            if (line == null) {
                throw fail("no 'end of trees' line: the model is truncated");
            }
            if (trees.isEmpty()) {
                throw fail("the model has no trees");
            }
            try {
                return new LightGbmModel(names, sigmoid, trees);
            } catch (IllegalArgumentException tooLarge) {
                throw fail(tooLarge.getMessage());
            }
        }

        private double binarySigmoid(String objective) {
            String[] parts = objective.split(" ");
            if (!parts[0].equals("binary")) {
                throw fail("objective " + parts[0] + " is not supported (binary only)");
            }
            double sigmoid = 1.0;
            for (int i = 1; i < parts.length; i++) {
                if (!parts[i].startsWith("sigmoid:")) {
                    throw fail("unknown option '" + parts[i] + "' of the binary objective");
                }
                sigmoid = parseDouble(parts[i].substring("sigmoid:".length()), "sigmoid");
            }
            if (!(sigmoid > 0)) {
                throw fail("sigmoid must be positive, not " + sigmoid);
            }
            return sigmoid;
        }

        private Tree tree(Map<String, String> tree, int index, int numFeatures) {
            String where = "Tree=" + index + ": ";
            int numLeaves = parseInt(require(tree, "num_leaves", where), where + "num_leaves");
            if (numLeaves < 1) {
                throw fail(where + "num_leaves must be at least 1");
            }
            if ("1".equals(tree.get("is_linear"))) {
                throw fail(where + "linear trees are not supported");
            }
            double[] leaves = doubles(tree, "leaf_value", numLeaves, where);
            if (numLeaves == 1) {
                // Its value is its expected value: TreeSHAP needs no counts.
                return new Tree(new int[0], new double[0], new int[0], new int[0], new int[0], leaves, new int[0][],
                        new int[0], new int[1]);
            }
            int numNodes = numLeaves - 1;
            int numCat = parseInt(require(tree, "num_cat", where), where + "num_cat");
            int[] features = ints(tree, "split_feature", numNodes, where);
            double[] thresholds = doubles(tree, "threshold", numNodes, where);
            int[] decisionTypes = tree.containsKey("decision_type")
                    ? ints(tree, "decision_type", numNodes, where) : new int[numNodes];
            int[] left = ints(tree, "left_child", numNodes, where);
            int[] right = ints(tree, "right_child", numNodes, where);
            // TreeSHAP's cover. LightGBM always writes them; without them its contributions are NaN.
            int[] nodeCounts = ints(tree, "internal_count", numNodes, where);
            int[] leafCounts = ints(tree, "leaf_count", numLeaves, where);
            int[] boundaries = new int[0];
            int[] words = new int[0];
            if (numCat > 0) {
                boundaries = ints(tree, "cat_boundaries", numCat + 1, where);
                for (int i = 0; i < numCat; i++) {
                    if (boundaries[0] != 0 || boundaries[i + 1] < boundaries[i]) {
                        throw fail(where + "cat_boundaries must start at 0 and not decrease");
                    }
                }
                words = unsignedInts(tree, "cat_threshold", boundaries[numCat], where);
            }
            checkIsOneTree(left, right, numLeaves, where);

            int[] kinds = new int[numNodes];
            int[][] bitsets = new int[numNodes][];
            for (int node = 0; node < numNodes; node++) {
                if (features[node] < 0 || features[node] >= numFeatures) {
                    throw fail(where + "split_feature " + features[node] + " is not a feature");
                }
                int decision = decisionTypes[node];
                if ((decision & CATEGORICAL_MASK) != 0) {
                    kinds[node] = CATEGORICAL;
                    int category = (int) thresholds[node];
                    if (category != thresholds[node] || category < 0 || category >= numCat) {
                        throw fail(where + "categorical split " + node + " names bitset " + thresholds[node]
                                + " of " + numCat);
                    }
                    bitsets[node] = Arrays.copyOfRange(words, boundaries[category], boundaries[category + 1]);
                } else {
                    // -0 and 0 compare alike, but the ranks' sign test would tell them apart.
                    thresholds[node] = thresholds[node] == 0 ? 0.0 : thresholds[node];
                    boolean defaultLeft = (decision & DEFAULT_LEFT_MASK) != 0;
                    kinds[node] = switch ((decision >> 2) & 3) {
                        case MISSING_NONE -> NUMERICAL;
                        case MISSING_ZERO -> defaultLeft ? ZERO_GOES_LEFT : ZERO_GOES_RIGHT;
                        case MISSING_NAN -> defaultLeft ? NAN_GOES_LEFT : NAN_GOES_RIGHT;
                        default -> throw fail(where + "decision_type " + decision + " has no missing type");
                    };
                }
            }
            for (int node = 0; node < numNodes; node++) {
                if (nodeCounts[node] <= 0) {
                    throw fail(where + "internal_count of node " + node + " must be positive, not " + nodeCounts[node]);
                }
            }
            for (int leaf = 0; leaf < numLeaves; leaf++) {
                if (leafCounts[leaf] < 0) {
                    throw fail(where + "leaf_count of leaf " + leaf + " must not be negative, not " + leafCounts[leaf]);
                }
            }
            return new Tree(features, thresholds, kinds, left, right, leaves, bitsets, nodeCounts, leafCounts);
        }

        /**
         * Each node and leaf reached exactly once from the root: otherwise a walk could loop forever
         * or a leaf could never be reached, and the file is not a tree LightGBM wrote.
         */
        private void checkIsOneTree(int[] left, int[] right, int numLeaves, String where) {
            boolean[] seenNode = new boolean[numLeaves - 1];
            boolean[] seenLeaf = new boolean[numLeaves];
            Deque<Integer> pending = new ArrayDeque<>(List.of(0));
            seenNode[0] = true;
            int reached = 1;
            while (!pending.isEmpty()) {
                int node = pending.pop();
                for (int child : new int[]{left[node], right[node]}) {
                    boolean fresh;
                    if (child >= 0) {
                        fresh = child < seenNode.length && !seenNode[child];
                        if (fresh) {
                            seenNode[child] = true;
                            pending.push(child);
                        }
                    } else {
                        fresh = ~child < seenLeaf.length && !seenLeaf[~child];
                        if (fresh) {
                            seenLeaf[~child] = true;
                        }
                    }
                    if (!fresh) {
                        throw fail(where + "child " + child + " of node " + node + " is out of range or reached twice");
                    }
                    reached++;
                }
            }
            if (reached != 2 * numLeaves - 1) {
                throw fail(where + "not every node and leaf is reachable from the root");
            }
        }

        private String next() throws IOException {
            lineNumber++;
            return lines.readLine();
        }

        private void putKeyValue(Map<String, String> into, String line) {
            if (line.isBlank()) {
                return;
            }
            int equals = line.indexOf('=');
            if (equals <= 0) {
                throw fail("expected key=value, found '" + line + "'");
            }
            into.put(line.substring(0, equals), line.substring(equals + 1).strip());
        }

        private String require(Map<String, String> values, String key) {
            return require(values, key, "");
        }

        private String require(Map<String, String> values, String key, String where) {
            String value = values.get(key);
            if (value == null) {
                throw fail(where + "missing " + key);
            }
            return value;
        }

        private String[] items(Map<String, String> tree, String key, int count, String where) {
            String value = require(tree, key, where);
            String[] items = value.isEmpty() ? new String[0] : value.split(" ");
            if (items.length != count) {
                throw fail(where + key + " has " + items.length + " values, expected " + count);
            }
            return items;
        }

        private int[] ints(Map<String, String> tree, String key, int count, String where) {
            String[] items = items(tree, key, count, where);
            int[] values = new int[count];
            for (int i = 0; i < count; i++) {
                values[i] = parseInt(items[i], where + key);
            }
            return values;
        }

        /** LightGBM's bitset words are unsigned 32-bit; kept here as their bits in an int. */
        private int[] unsignedInts(Map<String, String> tree, String key, int count, String where) {
            String[] items = items(tree, key, count, where);
            int[] values = new int[count];
            for (int i = 0; i < count; i++) {
                try {
                    values[i] = Integer.parseUnsignedInt(items[i]);
                } catch (NumberFormatException e) {
                    throw fail(where + key + ": '" + items[i] + "' is not an unsigned 32-bit integer");
                }
            }
            return values;
        }

        private double[] doubles(Map<String, String> tree, String key, int count, String where) {
            String[] items = items(tree, key, count, where);
            double[] values = new double[count];
            for (int i = 0; i < count; i++) {
                values[i] = parseDouble(items[i], where + key);
            }
            return values;
        }

        private int parseInt(String text, String what) {
            try {
                return Integer.parseInt(text.strip());
            } catch (NumberFormatException e) {
                throw fail(what + ": '" + text + "' is not an integer");
            }
        }

        /** Java's parser rounds correctly, as LightGBM's does, so each value is the double it wrote. */
        private double parseDouble(String text, String what) {
            try {
                double value = Double.parseDouble(text);
                if (!Double.isFinite(value)) {
                    throw fail(what + ": '" + text + "' is not finite");
                }
                return value;
            } catch (NumberFormatException e) {
                throw fail(what + ": '" + text + "' is not a number");
            }
        }

        private IllegalArgumentException fail(String problem) {
            return new IllegalArgumentException(source + " (line " + lineNumber + "): " + problem);
        }
    }

}
