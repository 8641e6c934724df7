package org.example;

import org.example.definition.Names;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.config.JobConfig;
import com.hazelcast.jet.core.JobStatus;
import com.hazelcast.jet.pipeline.Pipeline;
import com.hazelcast.jet.pipeline.ServiceFactories;
import com.hazelcast.jet.pipeline.Sinks;
import com.hazelcast.jet.pipeline.test.TestSources;
import com.hazelcast.map.IMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The supervisor on a real member, watching jobs that fail on purpose: a fault that passes is
 * healed with nobody calling resume, a fault that keeps coming back is given up on and said so,
 * and a job a user suspended is left alone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobSupervisorTest {

    /** Fast, so that the test takes seconds: three attempts, 200 ms apart and doubling. */
    private static final JobSupervisor.Policy POLICY = new JobSupervisor.Policy(3, 200, 1_000, 3_000, 50);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private HazelcastInstance member;

    @BeforeAll
    void startMember() {
        Config config = new Config().setClusterName("supervisor-test-" + ProcessHandle.current().pid());
        config.getJetConfig().setEnabled(true);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.getNetworkConfig().setPort(5961).setPortAutoIncrement(true);
        config.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
        config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
        member = Hazelcast.newHazelcastInstance(config);
    }

    @AfterAll
    void stop() {
        member.shutdown();
    }

    @Test
    void shouldResumeAJobAFaultSuspendedOnceWithNobodyCallingResume() throws Exception {
        // Given: a job that fails once, then runs
        Job job = failingJob("fails-once", 1);

        // When: its supervisor watches it
        JobSupervisor.ensureRunning(member, "fails-once", POLICY);

        // Then
        await(() -> job.getStatus() == JobStatus.RUNNING && faultsLeft("fails-once") == 0, "resumed and running");
        await(() -> report("fails-once") != null && report("fails-once").state().equals(JobSupervisor.Report.WATCHING)
                && report("fails-once").failures() == 0, "the fault is behind it");
        assertThat(job.getStatus()).isEqualTo(JobStatus.RUNNING);
    }

    @Test
    void shouldGiveUpOnAFaultThatKeepsComingBackAndSaySo() throws Exception {
        Job job = failingJob("always-fails", 1_000);

        JobSupervisor.ensureRunning(member, "always-fails", POLICY);

        await(() -> report("always-fails") != null && report("always-fails").state().equals(JobSupervisor.Report.GAVE_UP),
                "given up");
        JobSupervisor.Report report = report("always-fails");
        assertThat(report.failures()).isEqualTo(4);
        assertThat(report.cause()).contains("injected fault");
        // The initial failure and three resumes: four executions, each failing once.
        assertThat(1_000 - faultsLeft("always-fails")).isEqualTo(4);
        Thread.sleep(2 * POLICY.maxBackoffMs());
        assertThat(job.getStatus()).isEqualTo(JobStatus.SUSPENDED);
        assertThat(1_000 - faultsLeft("always-fails")).isEqualTo(4);
    }

    @Test
    void shouldLeaveAJobSuspendedByAUserAlone() throws Exception {
        Job job = failingJob("suspended-by-user", 0);
        await(() -> job.getStatus() == JobStatus.RUNNING, "running");
        JobSupervisor.ensureRunning(member, "suspended-by-user", POLICY);

        job.suspend();

        await(() -> report("suspended-by-user") != null
                && report("suspended-by-user").state().equals(JobSupervisor.Report.LEFT_TO_USER), "left to the user");
        Thread.sleep(2 * POLICY.maxBackoffMs());
        assertThat(job.getStatus()).isEqualTo(JobStatus.SUSPENDED);
    }

    @Test
    void shouldTellTheSameFaultByItsTextWhateverItsNumbers() {
        assertThat(JobSupervisor.sameFault("Connection refused: /127.0.0.1:42713 (PREDICT#3)",
                "Connection refused: /127.0.0.1:39011 (PREDICT#1)")).isTrue();
        assertThat(JobSupervisor.sameFault("ModuleNotFoundError: No module named 'lightgbm'",
                "Connection refused: /127.0.0.1:39011")).isFalse();
        assertThat(JobSupervisor.sameFault("Exception in ProcessorTasklet{1060-85b3-89cd-0001/map#0}: boom",
                "Exception in ProcessorTasklet{1060-85b3-89ce-0001/map#1}: boom")).isTrue();
        assertThat(JobSupervisor.summary("Execution failure:\ncom.hazelcast.jet.JetException: wrapped\n\tat x.y(Z.java:1)"
                + "\nCaused by: java.lang.RuntimeException: boom\n\tat x.y(Z.java:2)\n\t... 3 more"))
                .isEqualTo("java.lang.RuntimeException: boom");
    }

    /**
     * A streaming job that fails while the map {@code faults} holds a positive count for it,
     * one failure per execution: each execution takes one and throws.
     */
    private Job failingJob(String name, int faults) {
        faultsMap().put(name, faults);
        Pipeline pipeline = Pipeline.create();
        pipeline.readFrom(TestSources.itemStream(20))
                .withoutTimestamps()
                .mapUsingService(ServiceFactories.sharedService(ctx -> ctx.hazelcastInstance().<String, Integer>getMap("faults")),
                        (map, item) -> {
                            Integer left = map.get(name);
                            if (left != null && left > 0 && map.replace(name, left, left - 1)) {
                                throw new IllegalStateException("injected fault " + (left - 1) + " left");
                            }
                            return item;
                        })
                .writeTo(Sinks.noop());
        return member.getJet().newJob(pipeline, new JobConfig().setName(name).setSuspendOnFailure(true));
    }

    private IMap<String, Integer> faultsMap() {
        return member.getMap("faults");
    }

    private int faultsLeft(String name) {
        return faultsMap().get(name);
    }

    private JobSupervisor.Report report(String name) {
        return member.<String, JobSupervisor.Report>getMap(Names.SUPERVISOR_MAP).get(name);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("%s within %s", what, TIMEOUT).isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
