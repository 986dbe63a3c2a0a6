package org.mseg.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mseg.api.ConfigException;

/** Where a process sits in a TensorFlow gRPC cluster: the command line, TF_CONFIG and Slurm. */
class ClusterSpecTest {

    private static final String TWO_WORKERS = "{\"cluster\": {\"worker\": [\"127.0.0.1:23456\", \"127.0.0.1:23457\"]},"
            + " \"task\": {\"type\": \"worker\", \"index\": 1}}";

    /** The exception {@code body} throws, after checking that its message contains every fragment. */
    private static ConfigException refused(Executable body, String... fragments) {
        ConfigException e = assertThrows(ConfigException.class, body);
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), () -> "message lacks '" + fragment + "': " + e.getMessage());
        }
        return e;
    }

    private static String tfConfig(String cluster, String type, Object index) {
        return "{\"cluster\": " + cluster + ", \"task\": {\"type\": \"" + type + "\", \"index\": " + index + "}}";
    }

    /** A two-node, four-task srun step of job 1234, seen from rank {@code rank}. */
    private static Map<String, String> slurm(int rank) {
        Map<String, String> env = new HashMap<>();
        env.put("SLURM_PROCID", String.valueOf(rank));
        env.put("SLURM_NTASKS", "4");
        env.put("SLURM_STEP_NODELIST", "gpu[07-08]");
        env.put("SLURM_STEP_TASKS_PER_NODE", "2(x2)");
        env.put("SLURM_JOB_ID", "1234");
        return env;
    }

    // --- the record ---

    @Test
    void accessorsDescribeTheOwnTaskAndEveryOther() {
        ClusterSpec spec = new ClusterSpec(List.of("node1:2222", "10.0.0.2:2223", "[::1]:2224"), 2, "test");
        assertEquals(3, spec.size());
        assertFalse(spec.chief());
        assertEquals("[::1]:2224", spec.address());
        assertEquals("10.0.0.2:2223", spec.address(1));
        assertEquals("node1", spec.host(0));
        assertEquals("10.0.0.2", spec.host(1));
        assertEquals("::1", spec.host(2));
        assertEquals(2222, spec.port(0));
        assertEquals(2224, spec.port(2));
        assertTrue(new ClusterSpec(List.of("a:1", "b:1"), 0, "test").chief());
    }

    @Test
    void describeNamesTaskSourceAndWorkers() {
        assertEquals("task 1 of 2 (127.0.0.1:23457) from TF_CONFIG; workers 127.0.0.1:23456, 127.0.0.1:23457",
                ClusterSpec.fromTfConfig(TWO_WORKERS).describe());
    }

    @Test
    void workersAreCopiedAndImmutable() {
        List<String> workers = new java.util.ArrayList<>(List.of("a:1", "b:2"));
        ClusterSpec spec = new ClusterSpec(workers, 0, "test");
        workers.set(0, "c:3");
        assertEquals(List.of("a:1", "b:2"), spec.workers());
        assertThrows(UnsupportedOperationException.class, () -> spec.workers().add("d:4"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"node1", "node1:", ":2222", "node1:0", "node1:65536", "node1:-1", "node1:22x",
            "node 1:2222", "no/de:2222", "999.0.0.1:2222", "10.0.0:2222", "[::1:2222", "[1]:2222", "::1:2222",
            "[fe80::zz]:2222", "node1:2222:3", "node1:02222"})
    void malformedAddressesAreRefusedNamingSourceAndAddress(String address) {
        refused(() -> new ClusterSpec(List.of("ok:1", address), 0, "--cluster/--task-index"),
                "--cluster/--task-index", "'" + address + "'", "host:port");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a:1", "my-host.example.org:65535", "under_score:80", "192.168.0.1:1",
            "[fe80::1]:443", "[::ffff:10.0.0.1]:8080"})
    void wellFormedAddressesAreAccepted(String address) {
        assertEquals(address, new ClusterSpec(List.of(address), 0, "test").address());
    }

    @Test
    void emptyClusterRepeatedAddressesAndBadIndexAreRefused() {
        refused(() -> new ClusterSpec(List.of(), 0, "src"), "src", "no tasks");
        refused(() -> new ClusterSpec(List.of("a:1", "b:1", "a:1"), 0, "src"), "src", "'a:1'", "twice");
        refused(() -> new ClusterSpec(List.of("Node:1", "node:1"), 0, "src"), "'node:1'", "'Node:1'", "twice");
        refused(() -> new ClusterSpec(List.of("a:1", "b:1"), 2, "src"), "src", "task index 2", "0..1");
        refused(() -> new ClusterSpec(List.of("a:1", "b:1"), -1, "src"), "task index -1");
    }

    // --- --cluster ---

    @Test
    void explicitListAllowsSpacesAroundCommas() {
        ClusterSpec spec = ClusterSpec.explicit("a:1 , b:2,c:3 ", 2);
        assertEquals(List.of("a:1", "b:2", "c:3"), spec.workers());
        assertEquals(2, spec.taskIndex());
        assertEquals("--cluster/--task-index", spec.source());
    }

    @Test
    void explicitRefusesEmptyEntriesAndIndexOutOfRange() {
        refused(() -> ClusterSpec.explicit(" ", 0), "--cluster", "empty");
        refused(() -> ClusterSpec.explicit("a:1,,b:2", 0), "--cluster", "'a:1,,b:2'", "empty entry");
        refused(() -> ClusterSpec.explicit("a:1,b:2,", 0), "empty entry");
        refused(() -> ClusterSpec.explicit("a:1,b:2", 2), "--cluster/--task-index", "task index 2");
    }

    // --- TF_CONFIG ---

    @Test
    void tfConfigWorkersAreTasksInOrder() {
        ClusterSpec spec = ClusterSpec.fromTfConfig(TWO_WORKERS);
        assertEquals(List.of("127.0.0.1:23456", "127.0.0.1:23457"), spec.workers());
        assertEquals(1, spec.taskIndex());
        assertEquals("TF_CONFIG", spec.source());
    }

    @Test
    void tfConfigChiefIsTaskZeroAndWorkersFollow() {
        String cluster = "{\"chief\": [\"c:1\"], \"worker\": [\"w0:1\", \"w1:1\"]}";
        ClusterSpec chief = ClusterSpec.fromTfConfig(tfConfig(cluster, "chief", 0));
        assertEquals(List.of("c:1", "w0:1", "w1:1"), chief.workers());
        assertEquals(0, chief.taskIndex());
        assertTrue(chief.chief());
        ClusterSpec worker1 = ClusterSpec.fromTfConfig(tfConfig(cluster, "worker", 1));
        assertEquals(2, worker1.taskIndex());
        assertEquals("w1:1", worker1.address());
        // the key order of the document does not change the task order
        String reversed = "{\"worker\": [\"w0:1\", \"w1:1\"], \"chief\": [\"c:1\"]}";
        assertEquals(List.of("c:1", "w0:1", "w1:1"), ClusterSpec.fromTfConfig(tfConfig(reversed, "worker", 0))
                .workers());
    }

    @Test
    void tfConfigIgnoresEnvironmentAndOtherTaskKeysAndAcceptsGrpc() {
        String json = "{\"cluster\": {\"worker\": [\"a:1\", \"b:1\"]}, \"task\": {\"type\": \"worker\","
                + " \"index\": 0, \"trial\": \"3\"}, \"environment\": \"cloud\", \"rpc_layer\": \"grpc\","
                + " \"job\": {\"worker_pool_specs\": []}}";
        assertEquals(0, ClusterSpec.fromTfConfig(json).taskIndex());
    }

    @Test
    void tfConfigRefusesOtherRpcLayers() {
        String json = "{\"cluster\": {\"worker\": [\"a:1\"]}, \"task\": {\"type\": \"worker\", \"index\": 0},"
                + " \"rpc_layer\": \"grpc+verbs\"}";
        refused(() -> ClusterSpec.fromTfConfig(json), "TF_CONFIG", "rpc_layer", "grpc+verbs");
    }

    @Test
    void tfConfigMalformedJsonIsWrapped() {
        ConfigException e = refused(() -> ClusterSpec.fromTfConfig("{\"cluster\": "), "TF_CONFIG", "not valid JSON");
        assertInstanceOf(ConfigException.class, e.getCause());
        refused(() -> ClusterSpec.fromTfConfig("[1, 2]"), "TF_CONFIG", "JSON object");
        refused(() -> ClusterSpec.fromTfConfig("  "), "TF_CONFIG", "empty");
    }

    @Test
    void tfConfigRefusesMissingClusterOrTask() {
        refused(() -> ClusterSpec.fromTfConfig("{\"task\": {\"type\": \"worker\", \"index\": 0}}"),
                "TF_CONFIG", "\"cluster\"");
        refused(() -> ClusterSpec.fromTfConfig("{\"cluster\": {\"worker\": [\"a:1\"]}}"), "TF_CONFIG", "\"task\"");
        refused(() -> ClusterSpec.fromTfConfig("{\"cluster\": {\"worker\": [\"a:1\"]}, \"task\": {\"index\": 0}}"),
                "TF_CONFIG", "task.type");
        refused(() -> ClusterSpec.fromTfConfig(
                "{\"cluster\": {\"worker\": [\"a:1\"]}, \"task\": {\"type\": \"worker\"}}"), "TF_CONFIG", "task.index");
        refused(() -> ClusterSpec.fromTfConfig(tfConfig("{}", "worker", 0)), "TF_CONFIG", "no tasks");
    }

    @Test
    void tfConfigRefusesParameterServers() {
        refused(() -> ClusterSpec.fromTfConfig(tfConfig("{\"worker\": [\"a:1\"], \"ps\": [\"p:1\"]}", "worker", 0)),
                "TF_CONFIG", "cluster.ps", "parameter servers");
        refused(() -> ClusterSpec.fromTfConfig(tfConfig("{\"worker\": [\"a:1\"]}", "ps", 0)),
                "TF_CONFIG", "task.type \"ps\"");
    }

    @Test
    void tfConfigRefusesAnEvaluatorSayingTaskZeroValidates() {
        refused(() -> ClusterSpec.fromTfConfig(tfConfig("{\"worker\": [\"a:1\"]}", "evaluator", 0)),
                "TF_CONFIG", "evaluator", "validates on task 0", "do not start an evaluator");
        refused(() -> ClusterSpec.fromTfConfig(tfConfig("{\"worker\": [\"a:1\"], \"evaluator\": [\"e:1\"]}",
                "worker", 0)), "TF_CONFIG", "cluster.evaluator", "validates on task 0");
    }

    @Test
    void tfConfigRefusesUnknownJobsAndTaskTypes() {
        refused(() -> ClusterSpec.fromTfConfig(tfConfig("{\"worker\": [\"a:1\"], \"master\": [\"m:1\"]}",
                "worker", 0)), "TF_CONFIG", "cluster.master", "\"worker\"", "\"chief\"");
        refused(() -> ClusterSpec.fromTfConfig(tfConfig("{\"worker\": [\"a:1\"]}", "trainer", 0)),
                "TF_CONFIG", "task.type", "\"trainer\"");
    }

    @Test
    void tfConfigRefusesWrongTypes() {
        refused(() -> ClusterSpec.fromTfConfig(tfConfig("{\"worker\": [\"a:1\", \"b:1\"]}", "worker", "1.0")),
                "TF_CONFIG", "task.index", "integer", "1.0");
        refused(() -> ClusterSpec.fromTfConfig(tfConfig("{\"worker\": [\"a:1\", \"b:1\"]}", "worker", "\"1\"")),
                "TF_CONFIG", "task.index", "integer");
        refused(() -> ClusterSpec.fromTfConfig(tfConfig("{\"worker\": \"a:1,b:1\"}", "worker", 0)),
                "TF_CONFIG", "cluster.worker", "list");
        refused(() -> ClusterSpec.fromTfConfig(tfConfig("{\"worker\": [\"a:1\", 2]}", "worker", 0)),
                "TF_CONFIG", "cluster.worker", "strings");
        refused(() -> ClusterSpec.fromTfConfig(tfConfig("[\"a:1\"]", "worker", 0)), "TF_CONFIG", "cluster",
                "object");
        refused(() -> ClusterSpec.fromTfConfig("{\"cluster\": {\"worker\": [\"a:1\"]}, \"task\": \"worker\"}"),
                "TF_CONFIG", "task", "object");
        refused(() -> ClusterSpec.fromTfConfig(tfConfig("{\"worker\": [\"a:1\"]}", "worker", 0)
                .replace("\"type\": \"worker\"", "\"type\": 1")), "TF_CONFIG", "task.type", "string");
    }

    @Test
    void tfConfigRefusesIndexOutOfRange() {
        refused(() -> ClusterSpec.fromTfConfig(tfConfig("{\"worker\": [\"a:1\", \"b:1\"]}", "worker", 2)),
                "TF_CONFIG", "task.index 2", "cluster.worker", "0..1");
        refused(() -> ClusterSpec.fromTfConfig(tfConfig("{\"worker\": [\"a:1\", \"b:1\"]}", "worker", -1)),
                "TF_CONFIG", "task.index -1");
        refused(() -> ClusterSpec.fromTfConfig(tfConfig("{\"chief\": [\"c:1\"], \"worker\": [\"a:1\"]}",
                "chief", 1)), "TF_CONFIG", "task.index 1", "chief");
        refused(() -> ClusterSpec.fromTfConfig(tfConfig("{\"worker\": [\"a:1\"]}", "chief", 0)),
                "TF_CONFIG", "no chief job");
    }

    @Test
    void tfConfigRefusesTwoChiefs() {
        refused(() -> ClusterSpec.fromTfConfig(tfConfig("{\"chief\": [\"c:1\", \"d:1\"], \"worker\": [\"a:1\"]}",
                "chief", 0)), "TF_CONFIG", "cluster.chief", "2 addresses", "at most one chief");
    }

    @Test
    void tfConfigBadAddressNamesTfConfig() {
        refused(() -> ClusterSpec.fromTfConfig(tfConfig("{\"worker\": [\"a:1\", \"b\"]}", "worker", 0)),
                "TF_CONFIG", "'b'", "host:port");
    }

    // --- Slurm host lists ---

    @Test
    void hostlistKeepsZeroPaddingOfTheRangeStart() {
        assertEquals(List.of("n08", "n09", "n10", "n11"), ClusterSpec.expandHostlist("n[08-11]"));
        assertEquals(List.of("n8", "n9", "n10", "n11"), ClusterSpec.expandHostlist("n[8-11]"));
        assertEquals(List.of("node01", "node02", "node03", "node07"), ClusterSpec.expandHostlist("node[01-03,07]"));
        assertEquals(List.of("n0098", "n0099", "n0100"), ClusterSpec.expandHostlist("n[0098-0100]"));
    }

    @Test
    void hostlistSplitsOnTopLevelCommasOnly() {
        assertEquals(List.of("a", "b1", "b2", "c"), ClusterSpec.expandHostlist("a,b[1-2],c"));
        assertEquals(List.of("login"), ClusterSpec.expandHostlist("login"));
        assertEquals(List.of("x1-ib", "x3-ib"), ClusterSpec.expandHostlist("x[1,3]-ib"));
    }

    @Test
    void hostlistExpandsSeveralGroupsAsACartesianProduct() {
        assertEquals(List.of("r1n1", "r1n2", "r2n1", "r2n2"), ClusterSpec.expandHostlist("r[1-2]n[1-2]"));
        assertEquals(List.of("r1n5", "r2n5", "z"), ClusterSpec.expandHostlist("r[1-2]n[5],z"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"node[1-3", "node1-3]", "node[[1-2]]", "node[3-1]", "node[a-c]", "node[]", "node[1-]",
            "a,,b", "a,", ""})
    void malformedHostlistsAreRefusedNamingTheText(String list) {
        refused(() -> ClusterSpec.expandHostlist(list), "'" + list + "'", "malformed");
    }

    @Test
    void hostlistExpansionIsCapped() {
        assertEquals(65536, ClusterSpec.expandHostlist("n[00000-65535]").size());
        refused(() -> ClusterSpec.expandHostlist("n[0-65536]"), "n[0-65536]", "65536");
        refused(() -> ClusterSpec.expandHostlist("n[0-999999999999999999]"), "65536");
        refused(() -> ClusterSpec.expandHostlist("a[0-999]b[0-999]"), "a[0-999]b[0-999]", "65536");
        refused(() -> ClusterSpec.expandHostlist("a[0-40000],b[0-40000]"), "65536");
    }

    // --- Slurm ---

    @Test
    void slurmPlacesTasksInBlocksWithPortsFromTheJobId() {
        ClusterSpec spec = ClusterSpec.fromSlurm(slurm(2));
        // base = 10000 + 10 * (1234 mod 5000) = 22340; the port adds the task's index on its node
        assertEquals(List.of("gpu07:22340", "gpu07:22341", "gpu08:22340", "gpu08:22341"), spec.workers());
        assertEquals(2, spec.taskIndex());
        assertEquals("gpu08:22340", spec.address());
        assertTrue(spec.source().startsWith("Slurm (SLURM_PROCID=2"), spec.source());
    }

    @Test
    void slurmJobIdWrapsModulo5000() {
        Map<String, String> env = slurm(0);
        env.put("SLURM_JOB_ID", "4294967295");
        assertEquals(10000 + 10 * (int) (4294967295L % 5000), ClusterSpec.fromSlurm(env).port(0));
    }

    @Test
    void slurmPortVariableOverridesTheJobIdRule() {
        Map<String, String> env = slurm(1);
        env.put("MSEG_CLUSTER_PORT", "30000");
        assertEquals(List.of("gpu07:30000", "gpu07:30001", "gpu08:30000", "gpu08:30001"),
                ClusterSpec.fromSlurm(env).workers());
    }

    @Test
    void slurmWithoutJobIdStartsAt10000() {
        Map<String, String> env = slurm(1);
        env.remove("SLURM_JOB_ID");
        assertEquals(List.of("gpu07:10000", "gpu07:10001", "gpu08:10000", "gpu08:10001"),
                ClusterSpec.fromSlurm(env).workers());
    }

    @Test
    void slurmUnevenTasksPerNodeFollowTheCompressedCounts() {
        Map<String, String> env = slurm(6);
        env.put("SLURM_NTASKS", "7");
        env.put("SLURM_STEP_NODELIST", "a,b[1-3]");
        env.put("SLURM_STEP_TASKS_PER_NODE", "2(x3),1");
        ClusterSpec spec = ClusterSpec.fromSlurm(env);
        assertEquals(List.of("a:22340", "a:22341", "b1:22340", "b1:22341", "b2:22340", "b2:22341", "b3:22340"),
                spec.workers());
        assertEquals("b3:22340", spec.address());
    }

    @Test
    void slurmFallsBackToJobVariablesAndEvenSpread() {
        Map<String, String> env = slurm(3);
        env.remove("SLURM_STEP_NODELIST");
        env.remove("SLURM_STEP_TASKS_PER_NODE");
        env.put("SLURM_JOB_NODELIST", "h[1-2]");
        env.put("SLURM_NODELIST", "ignored[1-9]");
        env.put("SLURM_TASKS_PER_NODE", "3,1");
        assertEquals(List.of("h1:22340", "h1:22341", "h1:22342", "h2:22340"), ClusterSpec.fromSlurm(env).workers());

        env.remove("SLURM_JOB_NODELIST");
        env.remove("SLURM_TASKS_PER_NODE");
        env.put("SLURM_NODELIST", "k[1-2]");
        assertEquals(List.of("k1:22340", "k1:22341", "k2:22340", "k2:22341"), ClusterSpec.fromSlurm(env).workers());

        env.put("SLURM_NODELIST", "k[1-3]");
        refused(() -> ClusterSpec.fromSlurm(env), "SLURM_NTASKS 4", "3 nodes", "SLURM_STEP_TASKS_PER_NODE");
    }

    @Test
    void slurmRefusesMoreThanTenTasksPerNodeWithoutPortVariable() {
        Map<String, String> env = slurm(0);
        env.put("SLURM_NTASKS", "12");
        env.put("SLURM_STEP_NODELIST", "big");
        env.put("SLURM_STEP_TASKS_PER_NODE", "12");
        refused(() -> ClusterSpec.fromSlurm(env), "12 tasks", "MSEG_CLUSTER_PORT");
        env.put("MSEG_CLUSTER_PORT", "40000");
        ClusterSpec spec = ClusterSpec.fromSlurm(env);
        assertEquals("big:40011", spec.address(11));
        env.put("MSEG_CLUSTER_PORT", "65530");
        refused(() -> ClusterSpec.fromSlurm(env), "MSEG_CLUSTER_PORT", "65524");
    }

    @Test
    void slurmLocalIdThatContradictsBlockDistributionIsRefused() {
        Map<String, String> env = slurm(1);
        env.put("SLURM_LOCALID", "1");
        assertEquals(1, ClusterSpec.fromSlurm(env).taskIndex());
        // cyclic distribution: rank 1 is the first task of the second node
        env.put("SLURM_LOCALID", "0");
        refused(() -> ClusterSpec.fromSlurm(env), "SLURM_LOCALID", "not block", "--distribution=block", "TF_CONFIG");
    }

    @Test
    void slurmRefusesMissingOrNonNumericVariablesNamingThem() {
        Map<String, String> noRank = slurm(0);
        noRank.remove("SLURM_PROCID");
        refused(() -> ClusterSpec.fromSlurm(noRank), "SLURM_PROCID", "not set");
        Map<String, String> noCount = slurm(0);
        noCount.remove("SLURM_NTASKS");
        refused(() -> ClusterSpec.fromSlurm(noCount), "SLURM_NTASKS", "not set");
        Map<String, String> noNodes = slurm(0);
        noNodes.remove("SLURM_STEP_NODELIST");
        refused(() -> ClusterSpec.fromSlurm(noNodes), "SLURM_STEP_NODELIST", "SLURM_JOB_NODELIST", "SLURM_NODELIST");
        for (String variable : List.of("SLURM_PROCID", "SLURM_NTASKS", "SLURM_JOB_ID", "SLURM_LOCALID",
                "MSEG_CLUSTER_PORT")) {
            Map<String, String> env = slurm(0);
            env.put(variable, "two");
            refused(() -> ClusterSpec.fromSlurm(env), variable, "'two'", "not a number");
        }
        Map<String, String> badPort = slurm(0);
        badPort.put("MSEG_CLUSTER_PORT", "0");
        refused(() -> ClusterSpec.fromSlurm(badPort), "MSEG_CLUSTER_PORT", "1..65535");
    }

    @Test
    void slurmRefusesInconsistentCounts() {
        Map<String, String> sum = slurm(0);
        sum.put("SLURM_STEP_TASKS_PER_NODE", "2,1");
        refused(() -> ClusterSpec.fromSlurm(sum), "SLURM_STEP_TASKS_PER_NODE", "'2,1'", "3 tasks", "SLURM_NTASKS is 4");
        Map<String, String> nodes = slurm(0);
        nodes.put("SLURM_STEP_TASKS_PER_NODE", "1(x4)");
        refused(() -> ClusterSpec.fromSlurm(nodes), "SLURM_STEP_TASKS_PER_NODE", "4 nodes", "SLURM_STEP_NODELIST",
                "lists 2");
        Map<String, String> malformed = slurm(0);
        malformed.put("SLURM_STEP_TASKS_PER_NODE", "2(3)");
        refused(() -> ClusterSpec.fromSlurm(malformed), "SLURM_STEP_TASKS_PER_NODE", "malformed");
        Map<String, String> rank = slurm(4);
        refused(() -> ClusterSpec.fromSlurm(rank), "SLURM_PROCID 4", "SLURM_NTASKS 4");
        Map<String, String> list = slurm(0);
        list.put("SLURM_STEP_NODELIST", "gpu[07-08");
        refused(() -> ClusterSpec.fromSlurm(list), "SLURM_STEP_NODELIST", "'gpu[07-08'", "malformed");
        Map<String, String> twice = slurm(0);
        twice.put("SLURM_STEP_NODELIST", "gpu07,gpu07");
        refused(() -> ClusterSpec.fromSlurm(twice), "Slurm", "'gpu07:22340'", "twice");
    }

    // --- detect ---

    private static final Optional<String> NO_CLUSTER = Optional.empty();
    private static final OptionalInt NO_INDEX = OptionalInt.empty();

    @Test
    void detectFindsNothingWithoutASource() {
        assertEquals(Optional.empty(), ClusterSpec.detect(NO_CLUSTER, NO_INDEX, Map.of()));
        assertEquals(Optional.empty(), ClusterSpec.detect(NO_CLUSTER, NO_INDEX, Map.of("TF_CONFIG", "  ")));
        // Slurm without a node list is not a cluster source
        assertEquals(Optional.empty(), ClusterSpec.detect(NO_CLUSTER, NO_INDEX,
                Map.of("SLURM_PROCID", "0", "SLURM_NTASKS", "2")));
    }

    @Test
    void detectPrefersTheCommandLineThenTfConfigThenSlurm() {
        Map<String, String> env = slurm(3);
        env.put("TF_CONFIG", TWO_WORKERS);
        ClusterSpec explicit = ClusterSpec.detect(Optional.of("x:1,y:1"), OptionalInt.of(0), env).orElseThrow();
        assertEquals("--cluster/--task-index", explicit.source());
        assertEquals(List.of("x:1", "y:1"), explicit.workers());

        ClusterSpec tf = ClusterSpec.detect(NO_CLUSTER, NO_INDEX, env).orElseThrow();
        assertEquals("TF_CONFIG", tf.source());
        assertEquals(1, tf.taskIndex());

        env.remove("TF_CONFIG");
        ClusterSpec slurm = ClusterSpec.detect(NO_CLUSTER, NO_INDEX, env).orElseThrow();
        assertTrue(slurm.source().startsWith("Slurm"), slurm.source());
        assertEquals(3, slurm.taskIndex());
    }

    @Test
    void detectNeedsBothCommandLineOptions() {
        refused(() -> ClusterSpec.detect(Optional.of("a:1,b:1"), NO_INDEX, Map.of()), "--cluster", "--task-index");
        refused(() -> ClusterSpec.detect(NO_CLUSTER, OptionalInt.of(1), Map.of("TF_CONFIG", TWO_WORKERS)),
                "--task-index 1", "needs --cluster");
    }

    @Test
    void detectTreatsAOneTaskClusterAsNoCluster() {
        assertEquals(Optional.empty(), ClusterSpec.detect(Optional.of("a:1"), OptionalInt.of(0), Map.of()));
        assertEquals(Optional.empty(), ClusterSpec.detect(NO_CLUSTER, NO_INDEX,
                Map.of("TF_CONFIG", tfConfig("{\"worker\": [\"a:1\"]}", "worker", 0))));
        assertEquals(Optional.empty(), ClusterSpec.detect(NO_CLUSTER, NO_INDEX, Map.of("SLURM_PROCID", "0",
                "SLURM_NTASKS", "1", "SLURM_STEP_NODELIST", "n1", "SLURM_STEP_TASKS_PER_NODE", "1")));
        // a one-task cluster is still checked
        refused(() -> ClusterSpec.detect(Optional.of("a:1"), OptionalInt.of(1), Map.of()), "task index 1");
    }

    @Test
    void detectReportsAnInvalidChosenSource() {
        refused(() -> ClusterSpec.detect(NO_CLUSTER, NO_INDEX, Map.of("TF_CONFIG", "{")), "TF_CONFIG");
        Map<String, String> env = slurm(0);
        env.put("SLURM_LOCALID", "1");
        refused(() -> ClusterSpec.detect(NO_CLUSTER, NO_INDEX, env), "SLURM_LOCALID");
    }
}
