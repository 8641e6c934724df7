import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.impl.JobRecord;
import com.hazelcast.jet.impl.JobRepository;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * What a job carries to the cluster, read back as any client of the cluster can read it: Jet keeps
 * each job's DAG, with the properties of its Kafka source, in the map {@code __jet.records}, and
 * the open-source edition lets every client read every map. For each job named, prints one line:
 * whether its DAG holds the password (the text of the file given, so that it never shows on a
 * command line or in the output) and whether it holds a config provider's reference
 * ({@code ${file:}}). The caller judges the lines (scripts/kafka-tls-test.sh).
 *
 * <p>{@code java -cp '.run/lib/hazelcast/*' JobRecordSecrets.java <cluster> <address> <password file>
 * <job name>...}. Exits 0 once every job was found and read, 2 otherwise.
 */
public class JobRecordSecrets {

    static final String REFERENCE = "${file:";

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: JobRecordSecrets <cluster> <address> <password file> <job name>...");
            System.exit(2);
        }
        byte[] password = Files.readString(Path.of(args[2])).strip().getBytes(StandardCharsets.UTF_8);
        if (password.length == 0) {
            System.err.println("The password file " + args[2] + " is empty");
            System.exit(2);
        }
        ClientConfig config = new ClientConfig();
        config.setClusterName(args[0]);
        config.getNetworkConfig().addAddress(args[1]);
        HazelcastInstance client = HazelcastClient.newHazelcastClient(config);
        boolean allFound = true;
        try {
            Collection<JobRecord> records = client.<Long, JobRecord>getMap(JobRepository.JOB_RECORDS_MAP_NAME).values();
            for (String jobName : Arrays.copyOfRange(args, 3, args.length)) {
                allFound &= report(records, jobName, password);
            }
        } finally {
            client.shutdown();
        }
        System.exit(allFound ? 0 : 2);
    }

    private static boolean report(Collection<JobRecord> records, String jobName, byte[] password) {
        List<JobRecord> named = records.stream().filter(r -> jobName.equals(r.getConfig().getName())).toList();
        if (named.isEmpty()) {
            System.err.println("No job record named '" + jobName + "' in " + JobRepository.JOB_RECORDS_MAP_NAME);
            return false;
        }
        for (JobRecord record : named) {
            byte[] dag = record.getDag().toByteArray();
            System.out.printf("job '%s' (%,d bytes of DAG in %s): the password %s; a %s...} reference %s%n",
                    jobName, dag.length, JobRepository.JOB_RECORDS_MAP_NAME,
                    indexOf(dag, password) >= 0 ? "IS THERE" : "is not there", REFERENCE,
                    indexOf(dag, REFERENCE.getBytes(StandardCharsets.UTF_8)) >= 0 ? "is there" : "is not there");
        }
        return true;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
