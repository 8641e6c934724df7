package org.example.tools;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import org.example.definition.Names;

import java.nio.file.Path;
import java.util.Set;

/**
 * The maps themselves as the loader's target, for members without a reference database (the
 * demo): {@code putAll} in batches. Afterwards each map must hold exactly as many entries as
 * rows were written: more means entries of an earlier data set are still there (load with clear).
 */
final class MapTarget implements ReferenceDataLoader.Target {

    /** The attribute a predicate names to match a map entry's key. */
    static final String KEY = "__key";

    private final HazelcastInstance hz;
    private final boolean ownsClient;

    MapTarget(HazelcastInstance hz) {
        this(hz, false);
    }

    private MapTarget(HazelcastInstance hz, boolean ownsClient) {
        this.hz = hz;
        this.ownsClient = ownsClient;
    }

    /** The maps of {@code client}'s cluster; the client is shut down on close. */
    static MapTarget owning(HazelcastInstance client) {
        return new MapTarget(client, true);
    }

    @Override
    public <R, T> void clearAndWrite(ReferenceDataLoader.Kind<R, T> kind, boolean clearFirst,
                                     ReferenceDataLoader.RowBatches<T> rows) throws Exception {
        IMap<String, T> map = hz.getMap(kind.mapName());
        if (clearFirst) {
            map.clear();
        }
        rows.forEach(map::putAll);
    }

    @Override
    public <R, T> String check(ReferenceDataLoader.Kind<R, T> kind, Path file, long written, boolean cleared,
                               String keyPrefix) {
        IMap<String, Object> map = hz.getMap(kind.mapName());
        int size = keyPrefix == null ? map.size() : map.keySet(Predicates.like(KEY, keyPrefix + "%")).size();
        if (size != written) {
            throw new IllegalStateException("Map '" + kind.mapName() + "' holds " + size + " entries"
                    + (keyPrefix == null ? "" : " of key " + keyPrefix) + " after loading "
                    + written + " rows of " + file + (size > written
                    ? ": it kept entries of an earlier data set; load again with --clear"
                    : ": entries were lost while loading"));
        }
        return String.format("map '%s' holds %,d entries%s", kind.mapName(), size,
                keyPrefix == null ? "" : " of key " + keyPrefix);
    }

    @Override
    public long removeCustomersNotStartingWith(String keyPrefix) {
        IMap<String, Object> customers = hz.getMap(Names.CUSTOMERS_MAP);
        Set<String> stale = customers.keySet(Predicates.not(Predicates.like(KEY, keyPrefix + "%")));
        stale.forEach(customers::delete);
        return stale.size();
    }

    @Override
    public void close() {
        if (ownsClient) {
            hz.shutdown();
        }
    }
}
