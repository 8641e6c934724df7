package org.example.tools;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import org.example.CommandLineFlags;

import java.nio.file.Path;

/**
 * The maps themselves as the loader's target, for members without a reference database (the
 * demo): {@code putAll} in batches. Afterwards each map must hold exactly as many entries as
 * rows were written: more means entries of an earlier data set are still there (load with clear).
 */
final class MapTarget implements ReferenceDataLoader.Target {

    private final HazelcastInstance hz;
    private final boolean ownsClient;

    MapTarget(HazelcastInstance hz) {
        this(hz, false);
    }

    private MapTarget(HazelcastInstance hz, boolean ownsClient) {
        this.hz = hz;
        this.ownsClient = ownsClient;
    }

    /** A client of the cluster the connection flags name, shut down on close. */
    static MapTarget client(CommandLineFlags flags) {
        return new MapTarget(ClusterClient.connect(flags), true);
    }

    @Override
    public <T> void clearAndWrite(ReferenceDataLoader.Kind<T> kind, boolean clearFirst,
                                  ReferenceDataLoader.RowBatches<T> rows) throws Exception {
        IMap<String, T> map = hz.getMap(kind.mapName());
        if (clearFirst) {
            map.clear();
        }
        rows.forEach(map::putAll);
    }

    @Override
    public <T> String check(ReferenceDataLoader.Kind<T> kind, Path file, long written, boolean cleared) {
        int size = hz.getMap(kind.mapName()).size();
        if (size != written) {
            throw new IllegalStateException("Map '" + kind.mapName() + "' holds " + size + " entries after loading "
                    + written + " rows of " + file + (size > written
                    ? ": it kept entries of an earlier data set; load again with --clear"
                    : ": entries were lost while loading"));
        }
        return String.format("map '%s' holds %,d entries", kind.mapName(), size);
    }

    @Override
    public void close() {
        if (ownsClient) {
            hz.shutdown();
        }
    }
}
