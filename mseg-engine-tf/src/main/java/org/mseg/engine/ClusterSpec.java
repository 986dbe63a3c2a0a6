package org.mseg.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mseg.api.ConfigException;
import org.mseg.api.json.Json;

/**
 * One process's place in a TensorFlow gRPC cluster: the {@code host:port} address of every task, in task order, and
 * which of them this process is. Every task is a worker training a replica of the model; task 0 is the chief, the one
 * that writes checkpoints and validates after training.
 *
 * <p>A spec comes from one of three places, which {@link #detect} tries in this order:
 * <ol>
 * <li>the command line, {@code --cluster host:port,host:port --task-index i} ({@link #explicit});</li>
 * <li>the {@value #TF_CONFIG} environment variable that Kubernetes' TFJob operator, Vertex AI and SageMaker set
 * ({@link #fromTfConfig});</li>
 * <li>the variables Slurm's {@code srun} gives each task ({@link #fromSlurm}), with ports chosen by a fixed rule.</li>
 * </ol>
 *
 * @param workers   {@code host:port} of every task in task order; a host is a hostname (letters, digits, {@code -},
 *                  {@code .}, {@code _}), an IPv4 literal or a bracketed IPv6 literal such as {@code [::1]}, the port
 *                  1..65535, and no address appears twice
 * @param taskIndex this process's task, {@code 0 <= taskIndex < workers.size()}
 * @param source    where the spec came from, for messages: {@code TF_CONFIG}, {@code Slurm (SLURM_PROCID=1, ...)},
 *                  {@code --cluster/--task-index}
 */
public record ClusterSpec(List<String> workers, int taskIndex, String source) {

    /** The environment variable holding a TensorFlow cluster description in JSON. */
    public static final String TF_CONFIG = "TF_CONFIG";

    /**
     * The environment variable that sets the first port of a node's tasks under Slurm, overriding the port base
     * derived from {@code SLURM_JOB_ID} (see {@link #fromSlurm}).
     */
    public static final String PORT_VARIABLE = "MSEG_CLUSTER_PORT";

    /** Source name of a spec built from the command line. */
    static final String EXPLICIT_SOURCE = "--cluster/--task-index";

    /** Most hosts a Slurm host list, or tasks a tasks-per-node list, may expand to. */
    static final int MAX_HOSTS = 65536;

    /** Tasks per node that the Slurm port range derived from the job id leaves room for. */
    static final int PORTS_PER_JOB = 10;

    private static final int JOB_ID_SLOTS = 5000;
    private static final int DEFAULT_PORT_BASE = 10000;

    private static final Pattern ADDRESS = Pattern.compile("(\\[[^\\]]*\\]|[^:\\[\\]]*):([0-9]*)");
    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9_-]+(?:\\.[A-Za-z0-9_-]+)*");
    private static final Pattern NUMERIC_HOST = Pattern.compile("[0-9.]+");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6 = Pattern.compile("\\[([0-9A-Fa-f:.]+)\\]");
    private static final Pattern PORT = Pattern.compile("[1-9][0-9]{0,4}");
    private static final Pattern RANGE = Pattern.compile("([0-9]{1,18})(?:-([0-9]{1,18}))?");
    private static final Pattern TASKS_PER_NODE = Pattern.compile("([0-9]{1,9})(?:\\(x([0-9]{1,9})\\))?");
    private static final String ADDRESS_FORMS = "write each address as host:port with a port 1..65535, e.g."
            + " node1:23456, 10.0.0.1:23456 or [::1]:23456";

    /**
     * Checks every address, that none repeats and that {@code taskIndex} names one of them.
     *
     * @throws ConfigException naming the source, the offending value and the fix
     */
    public ClusterSpec {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(workers, "workers");
        if (workers.isEmpty()) {
            throw new ConfigException(source + ": the cluster has no tasks; list the host:port address of every"
                    + " task");
        }
        Map<String, String> seen = new HashMap<>();
        for (String address : workers) {
            Address a = parseAddress(address, source);
            String key = a.host().toLowerCase(Locale.ROOT) + ":" + a.port();
            String earlier = seen.putIfAbsent(key, address);
            if (earlier != null) {
                throw new ConfigException(source + ": address '" + address + "' appears twice in the cluster"
                        + (earlier.equals(address) ? "" : " (also as '" + earlier + "')")
                        + "; every task needs its own host:port");
            }
        }
        workers = List.copyOf(workers);
        if (taskIndex < 0 || taskIndex >= workers.size()) {
            throw new ConfigException(source + ": task index " + taskIndex + " is outside the cluster of "
                    + workers.size() + " task" + (workers.size() == 1 ? "" : "s") + "; give each process its own"
                    + " index in 0.." + (workers.size() - 1));
        }
    }

    /** Number of tasks in the cluster. */
    public int size() {
        return workers.size();
    }

    /** Whether this process is task 0, the chief that writes checkpoints. */
    public boolean chief() {
        return taskIndex == 0;
    }

    /** This process's own {@code host:port}. */
    public String address() {
        return workers.get(taskIndex);
    }

    /**
     * The {@code host:port} of a task, as given.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= task < size()}
     */
    public String address(int task) {
        return workers.get(task);
    }

    /**
     * The host of a task: a hostname, an IPv4 literal, or an IPv6 literal without its brackets ({@code ::1}).
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= task < size()}
     */
    public String host(int task) {
        String host = parseAddress(workers.get(task), source).host();
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }

    /**
     * The port of a task.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= task < size()}
     */
    public int port(int task) {
        return parseAddress(workers.get(task), source).port();
    }

    /**
     * One line for the log, e.g.
     * {@code task 1 of 2 (127.0.0.1:23457) from TF_CONFIG; workers 127.0.0.1:23456, 127.0.0.1:23457}.
     */
    public String describe() {
        return "task " + taskIndex + " of " + size() + " (" + address() + ") from " + source + "; workers "
                + String.join(", ", workers);
    }

    /**
     * The spec the command line gives: {@code --cluster host:port,host:port,... --task-index i}. Spaces around the
     * commas do not matter. The source reads {@code --cluster/--task-index}.
     *
     * @param cluster   every task's {@code host:port}, comma-separated, in task order
     * @param taskIndex this process's task
     * @throws ConfigException for an empty list or entry, a malformed or repeated address, an index out of range
     */
    public static ClusterSpec explicit(String cluster, int taskIndex) {
        Objects.requireNonNull(cluster, "cluster");
        if (cluster.isBlank()) {
            throw new ConfigException(EXPLICIT_SOURCE + ": --cluster is empty; give every task's host:port,"
                    + " comma-separated, e.g. --cluster node1:23456,node2:23456");
        }
        List<String> workers = new ArrayList<>();
        for (String part : cluster.split(",", -1)) {
            String address = part.strip();
            if (address.isEmpty()) {
                throw new ConfigException(EXPLICIT_SOURCE + ": --cluster '" + cluster + "' has an empty entry;"
                        + " separate the host:port addresses by single commas");
            }
            workers.add(address);
        }
        return new ClusterSpec(workers, taskIndex, EXPLICIT_SOURCE);
    }

    /**
     * The spec described by the JSON of the {@value #TF_CONFIG} environment variable, as Kubernetes' TFJob operator,
     * Vertex AI and SageMaker set it:
     * <pre>{"cluster": {"worker": ["host:port", ...]}, "task": {"type": "worker", "index": i}}</pre>
     * Worker {@code i} is task {@code i}. The MultiWorkerMirroredStrategy layout with a {@code "chief"} job of one
     * address is accepted too: the chief is then task 0 (task type {@code "chief"}, index 0) and worker {@code i} is
     * task {@code i + 1}.
     *
     * <p>{@code "environment"}, other top-level keys and other keys of {@code "task"} (such as Vertex AI's
     * {@code "job"} and {@code "trial"}) are ignored; {@code "rpc_layer"}, if present, must be {@code "grpc"}.
     *
     * @param json the variable's value
     * @throws ConfigException naming {@value #TF_CONFIG} and the key, for malformed JSON, a missing
     *                         {@code cluster} or {@code task}, a {@code ps} job (MSeg has no parameter servers), an
     *                         {@code evaluator} task (MSeg validates on task 0 after training), any other job name,
     *                         values of the wrong type, an index out of range, more than one chief, or another
     *                         {@code rpc_layer}
     */
    public static ClusterSpec fromTfConfig(String json) {
        Objects.requireNonNull(json, "json");
        if (json.isBlank()) {
            throw new ConfigException(TF_CONFIG + " is empty; unset it, or set it to"
                    + " {\"cluster\": {\"worker\": [\"host:port\", ...]}, \"task\": {\"type\": \"worker\", \"index\": i}}");
        }
        Object parsed;
        try {
            parsed = Json.parse(json, TF_CONFIG);
        } catch (ConfigException e) {
            throw new ConfigException(TF_CONFIG + " is not valid JSON: " + e.getMessage() + "; fix the variable or"
                    + " unset it", e);
        }
        Map<?, ?> config = object(parsed, TF_CONFIG);
        Object rpcLayer = config.get("rpc_layer");
        if (rpcLayer != null && !"grpc".equals(rpcLayer)) {
            throw new ConfigException(TF_CONFIG + ": rpc_layer " + quoted(rpcLayer) + " is not supported; MSeg's"
                    + " cluster servers speak plain gRPC, so set rpc_layer to \"grpc\" or leave it out");
        }
        if (!config.containsKey("cluster")) {
            throw new ConfigException(TF_CONFIG + " has no \"cluster\" key; add"
                    + " \"cluster\": {\"worker\": [\"host:port\", ...]}");
        }
        if (!config.containsKey("task")) {
            throw new ConfigException(TF_CONFIG + " has no \"task\" key; add"
                    + " \"task\": {\"type\": \"worker\", \"index\": i} naming this process");
        }
        Map<?, ?> cluster = object(config.get("cluster"), TF_CONFIG + " key cluster");
        List<String> chief = List.of();
        List<String> worker = List.of();
        for (Map.Entry<?, ?> job : cluster.entrySet()) {
            String name = (String) job.getKey();
            switch (name) {
                case "worker" -> worker = addresses(job.getValue(), "cluster.worker");
                case "chief" -> chief = addresses(job.getValue(), "cluster.chief");
                case "ps" -> throw new ConfigException(TF_CONFIG + ": cluster.ps lists parameter servers, which MSeg"
                        + " does not use: every task is a worker training a replica of the model; list all tasks"
                        + " under cluster.worker and remove cluster.ps");
                case "evaluator" -> throw new ConfigException(TF_CONFIG + ": cluster.evaluator is not supported: "
                        + EVALUATOR_FIX);
                default -> throw new ConfigException(TF_CONFIG + ": unknown job cluster." + name + "; the jobs MSeg"
                        + " knows are \"worker\" and, optionally, \"chief\" (one address)");
            }
        }
        if (chief.size() > 1) {
            throw new ConfigException(TF_CONFIG + ": cluster.chief lists " + chief.size() + " addresses " + chief
                    + "; there is at most one chief, so keep one and list the others under cluster.worker");
        }
        if (chief.isEmpty() && worker.isEmpty()) {
            throw new ConfigException(TF_CONFIG + ": cluster lists no tasks; add \"worker\": [\"host:port\", ...]");
        }
        Map<?, ?> task = object(config.get("task"), TF_CONFIG + " key task");
        if (!task.containsKey("type")) {
            throw new ConfigException(TF_CONFIG + ": task.type is missing; set it to \"worker\""
                    + (chief.isEmpty() ? "" : " or \"chief\""));
        }
        if (!(task.get("type") instanceof String type)) {
            throw new ConfigException(TF_CONFIG + ": task.type must be a string such as \"worker\", found "
                    + quoted(task.get("type")));
        }
        if (!task.containsKey("index")) {
            throw new ConfigException(TF_CONFIG + ": task.index is missing; set it to this process's index within"
                    + " its job");
        }
        if (!(task.get("index") instanceof Long index)) {
            throw new ConfigException(TF_CONFIG + ": task.index must be an integer, found "
                    + quoted(task.get("index")));
        }
        List<String> all = new ArrayList<>(chief);
        all.addAll(worker);
        return switch (type) {
            case "worker" -> {
                if (index < 0 || index >= worker.size()) {
                    throw new ConfigException(TF_CONFIG + ": task.index " + index + " is outside cluster.worker, which"
                            + " lists " + worker.size() + " address" + (worker.size() == 1 ? "" : "es")
                            + (worker.isEmpty() ? "" : "; use 0.." + (worker.size() - 1)));
                }
                yield new ClusterSpec(all, chief.size() + index.intValue(), TF_CONFIG);
            }
            case "chief" -> {
                if (chief.isEmpty()) {
                    throw new ConfigException(TF_CONFIG + ": task.type is \"chief\" but cluster has no chief job;"
                            + " add \"chief\": [\"host:port\"] or make this task a worker");
                }
                if (index != 0) {
                    throw new ConfigException(TF_CONFIG + ": task.index " + index + " of the chief must be 0; there"
                            + " is one chief");
                }
                yield new ClusterSpec(all, 0, TF_CONFIG);
            }
            case "evaluator" -> throw new ConfigException(TF_CONFIG + ": task.type \"evaluator\" is not supported: "
                    + EVALUATOR_FIX);
            case "ps" -> throw new ConfigException(TF_CONFIG + ": task.type \"ps\" asks for a parameter server, which"
                    + " MSeg does not use: every task is a worker training a replica; do not start ps tasks");
            default -> throw new ConfigException(TF_CONFIG + ": unknown task.type \"" + type + "\"; use \"worker\""
                    + " or \"chief\"");
        };
    }

    private static final String EVALUATOR_FIX = "MSeg validates on task 0 after training, so do not start an"
            + " evaluator task (remove it from the job, or run `mseg-cli evaluate` once training is done)";

    /**
     * The spec of one task of a Slurm job step started by {@code srun}, from the variables Slurm sets for it.
     *
     * <ul>
     * <li>{@code SLURM_PROCID}: this task's global rank, its task index;</li>
     * <li>{@code SLURM_NTASKS}: the number of tasks;</li>
     * <li>{@code SLURM_STEP_NODELIST}, else {@code SLURM_JOB_NODELIST}, else {@code SLURM_NODELIST}: the nodes, in
     * Slurm's compressed host list syntax ({@code node[01-04,07]});</li>
     * <li>{@code SLURM_STEP_TASKS_PER_NODE}, else {@code SLURM_TASKS_PER_NODE}: tasks on each node, in Slurm's
     * compressed form ({@code 2(x3),1} is 2, 2, 2, 1); if neither is set the tasks are assumed spread evenly,
     * {@code SLURM_NTASKS / nodes} per node, which must divide;</li>
     * <li>{@code SLURM_LOCALID}, if set: checked against this task's place on its node;</li>
     * <li>{@code SLURM_JOB_ID} and {@value #PORT_VARIABLE}: the ports, below.</li>
     * </ul>
     *
     * <p>Tasks are placed as Slurm's default block distribution places them: the first node holds ranks
     * {@code 0..c0-1}, the second the next {@code c1}, and so on. Each task listens on its node at
     * <b>{@code port = base + (the task's index among the tasks of its node)}</b>, where {@code base} is
     * {@code $MSEG_CLUSTER_PORT} if set, else {@code 10000 + 10 * (SLURM_JOB_ID mod 5000)}, so that jobs sharing a
     * node use different ranges of 10 ports; without {@code SLURM_JOB_ID} either, {@code base} is 10000. Without
     * {@value #PORT_VARIABLE}, more than 10 tasks on one node are refused, as their ports would run into the next
     * job's range.
     *
     * @param env the environment, e.g. {@link System#getenv()}
     * @throws ConfigException naming the variable, for a missing or non-numeric variable, a malformed list, tasks
     *                         per node that do not add up to {@code SLURM_NTASKS} or do not match the node count,
     *                         more than 10 tasks on a node without {@value #PORT_VARIABLE}, ports past 65535, or a
     *                         {@code SLURM_LOCALID} that shows the step does not use the block distribution
     */
    public static ClusterSpec fromSlurm(Map<String, String> env) {
        Objects.requireNonNull(env, "env");
        int tasks = (int) number(env, "SLURM_NTASKS", 1, MAX_HOSTS);
        int rank = (int) number(env, "SLURM_PROCID", 0, Integer.MAX_VALUE);
        String nodeVariable = firstSet(env, "SLURM_STEP_NODELIST", "SLURM_JOB_NODELIST", "SLURM_NODELIST")
                .orElseThrow(() -> new ConfigException("Slurm: none of SLURM_STEP_NODELIST, SLURM_JOB_NODELIST and"
                        + " SLURM_NODELIST is set; start the tasks with srun, or set TF_CONFIG or --cluster"));
        List<String> nodes = expandHostlist(env.get(nodeVariable).strip(), nodeVariable);
        if (rank >= tasks) {
            throw new ConfigException("Slurm: SLURM_PROCID " + rank + " is not below SLURM_NTASKS " + tasks
                    + "; the variables do not belong to one job step");
        }

        List<Integer> perNode;
        Optional<String> countVariable = firstSet(env, "SLURM_STEP_TASKS_PER_NODE", "SLURM_TASKS_PER_NODE");
        if (countVariable.isPresent()) {
            perNode = tasksPerNode(env.get(countVariable.get()).strip(), countVariable.get());
            if (perNode.size() != nodes.size()) {
                throw new ConfigException("Slurm: " + countVariable.get() + " '" + env.get(countVariable.get())
                        + "' gives task counts for " + perNode.size() + " node" + (perNode.size() == 1 ? "" : "s")
                        + " but " + nodeVariable + " '" + env.get(nodeVariable) + "' lists " + nodes.size()
                        + "; the variables do not belong to one job step (set TF_CONFIG or --cluster instead)");
            }
            long sum = perNode.stream().mapToLong(Integer::longValue).sum();
            if (sum != tasks) {
                throw new ConfigException("Slurm: " + countVariable.get() + " '" + env.get(countVariable.get())
                        + "' adds up to " + sum + " tasks but SLURM_NTASKS is " + tasks + "; the variables do not"
                        + " belong to one job step (set TF_CONFIG or --cluster instead)");
            }
        } else {
            if (tasks % nodes.size() != 0) {
                throw new ConfigException("Slurm: SLURM_STEP_TASKS_PER_NODE and SLURM_TASKS_PER_NODE are unset, and"
                        + " SLURM_NTASKS " + tasks + " does not divide evenly over the " + nodes.size() + " nodes of "
                        + nodeVariable + "; set SLURM_STEP_TASKS_PER_NODE (start the tasks with srun)");
            }
            perNode = new ArrayList<>();
            for (int i = 0; i < nodes.size(); i++) {
                perNode.add(tasks / nodes.size());
            }
        }

        String portVariable = env.get(PORT_VARIABLE);
        boolean portSet = portVariable != null && !portVariable.isBlank();
        int base;
        String baseOrigin;
        if (portSet) {
            base = (int) number(env, PORT_VARIABLE, 1, 65535);
            baseOrigin = PORT_VARIABLE;
        } else if (isSet(env, "SLURM_JOB_ID")) {
            long job = number(env, "SLURM_JOB_ID", 0, Long.MAX_VALUE);
            base = DEFAULT_PORT_BASE + PORTS_PER_JOB * (int) (job % JOB_ID_SLOTS);
            baseOrigin = "SLURM_JOB_ID=" + job;
        } else {
            base = DEFAULT_PORT_BASE;
            baseOrigin = "default";
        }
        int busiest = perNode.stream().mapToInt(Integer::intValue).max().orElseThrow();
        if (!portSet && busiest > PORTS_PER_JOB) {
            throw new ConfigException("Slurm: " + busiest + " tasks on one node need " + busiest + " ports, but the"
                    + " range derived from SLURM_JOB_ID holds " + PORTS_PER_JOB + "; set " + PORT_VARIABLE + " to the"
                    + " first of " + busiest + " free ports on every node (e.g. " + PORT_VARIABLE + "=20000)");
        }
        if ((long) base + busiest - 1 > 65535) {
            throw new ConfigException("Slurm: " + PORT_VARIABLE + "=" + base + " leaves no room for " + busiest
                    + " ports below 65536; set it to at most " + (65536 - busiest));
        }

        List<String> workers = new ArrayList<>(tasks);
        int localId = -1;
        for (int node = 0; node < nodes.size(); node++) {
            String host = nodes.get(node);
            for (int local = 0; local < perNode.get(node); local++) {
                if (workers.size() == rank) {
                    localId = local;
                }
                workers.add(host + ":" + (base + local));
            }
        }
        if (isSet(env, "SLURM_LOCALID")) {
            long slurmLocal = number(env, "SLURM_LOCALID", 0, Long.MAX_VALUE);
            if (slurmLocal != localId) {
                throw new ConfigException("Slurm: SLURM_LOCALID is " + slurmLocal + " but task " + rank + " would be"
                        + " task " + localId + " of its node under the block distribution; this step's distribution"
                        + " is not block, so start it with `srun --distribution=block`, or set TF_CONFIG yourself");
            }
        }
        String source = "Slurm (SLURM_PROCID=" + rank + ", SLURM_NTASKS=" + tasks + ", nodes from " + nodeVariable
                + ", ports from " + base + " (" + baseOrigin + "))";
        return new ClusterSpec(workers, rank, source);
    }

    /**
     * Expands Slurm's compressed host list syntax. Top-level commas separate entries (commas inside brackets do
     * not); {@code node[01-03,07]} is node01, node02, node03, node07, padded to the width of each range's start;
     * several bracket groups in one entry expand as a cartesian product ({@code r[1-2]n[1-2]} is r1n1, r1n2, r2n1,
     * r2n2); plain names pass through.
     *
     * @throws ConfigException naming the text, for unbalanced or nested brackets, empty entries, non-numeric or
     *                         descending ranges, or more than {@value #MAX_HOSTS} hosts
     */
    static List<String> expandHostlist(String list) {
        return expandHostlist(list, "host list");
    }

    private static List<String> expandHostlist(String list, String origin) {
        Objects.requireNonNull(list, "list");
        List<String> entries = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < list.length(); i++) {
            char c = list.charAt(i);
            if (c == '[') {
                if (++depth > 1) {
                    throw malformedHostlist(list, origin, "nested '[' at position " + i);
                }
            } else if (c == ']') {
                if (--depth < 0) {
                    throw malformedHostlist(list, origin, "']' without '[' at position " + i);
                }
            } else if (c == ',' && depth == 0) {
                entries.add(list.substring(start, i));
                start = i + 1;
            }
        }
        if (depth != 0) {
            throw malformedHostlist(list, origin, "'[' without ']'");
        }
        entries.add(list.substring(start));

        List<String> hosts = new ArrayList<>();
        for (String raw : entries) {
            String entry = raw.strip();
            if (entry.isEmpty()) {
                throw malformedHostlist(list, origin, "an empty entry");
            }
            List<List<String>> segments = new ArrayList<>();
            long combinations = 1;
            int pos = 0;
            while (pos < entry.length()) {
                int open = entry.indexOf('[', pos);
                if (open < 0) {
                    segments.add(List.of(entry.substring(pos)));
                    break;
                }
                if (open > pos) {
                    segments.add(List.of(entry.substring(pos, open)));
                }
                int close = entry.indexOf(']', open);
                List<String> group = rangeGroup(entry.substring(open + 1, close), list, origin,
                        MAX_HOSTS - hosts.size());
                combinations *= group.size();
                if (hosts.size() + combinations > MAX_HOSTS) {
                    throw tooManyHosts(list, origin);
                }
                segments.add(group);
                pos = close + 1;
            }
            int[] choice = new int[segments.size()];
            for (long n = 0; n < combinations; n++) {
                StringBuilder host = new StringBuilder();
                for (int s = 0; s < segments.size(); s++) {
                    host.append(segments.get(s).get(choice[s]));
                }
                hosts.add(host.toString());
                for (int s = segments.size() - 1; s >= 0; s--) {
                    if (++choice[s] < segments.get(s).size()) {
                        break;
                    }
                    choice[s] = 0;
                }
            }
        }
        return List.copyOf(hosts);
    }

    /** The names inside one pair of brackets, {@code 01-03,07}; at most {@code room} of them. */
    private static List<String> rangeGroup(String text, String list, String origin, int room) {
        List<String> names = new ArrayList<>();
        for (String item : text.split(",", -1)) {
            Matcher m = RANGE.matcher(item.strip());
            if (!m.matches()) {
                throw malformedHostlist(list, origin, "'[" + text + "]' holds '" + item + "', which is neither a"
                        + " number nor a range such as 01-03");
            }
            long low = Long.parseLong(m.group(1));
            long high = m.group(2) == null ? low : Long.parseLong(m.group(2));
            if (high < low) {
                throw malformedHostlist(list, origin, "range " + item.strip() + " descends");
            }
            if (high - low + 1 > room - names.size()) {
                throw tooManyHosts(list, origin);
            }
            int width = m.group(1).length();
            for (long n = low; n <= high; n++) {
                String digits = Long.toString(n);
                names.add("0".repeat(Math.max(0, width - digits.length())) + digits);
            }
        }
        return names;
    }

    private static ConfigException malformedHostlist(String list, String origin, String why) {
        return new ConfigException("Slurm " + origin + " '" + list + "' is malformed (" + why + "); expected"
                + " Slurm's compressed form, e.g. node[01-04,07],gpu1");
    }

    private static ConfigException tooManyHosts(String list, String origin) {
        return new ConfigException("Slurm " + origin + " '" + list + "' expands to more than " + MAX_HOSTS
                + " hosts; check the variable, or describe the cluster with TF_CONFIG or --cluster");
    }

    /** Slurm's compressed tasks-per-node list: {@code 2(x3),1} is 2, 2, 2, 1. */
    private static List<Integer> tasksPerNode(String text, String variable) {
        List<Integer> counts = new ArrayList<>();
        for (String item : text.split(",", -1)) {
            Matcher m = TASKS_PER_NODE.matcher(item.strip());
            if (!m.matches()) {
                throw new ConfigException("Slurm: " + variable + " '" + text + "' is malformed at '" + item
                        + "'; expected counts such as 2(x3),1");
            }
            int count = Integer.parseInt(m.group(1));
            int repeat = m.group(2) == null ? 1 : Integer.parseInt(m.group(2));
            if (count < 1 || repeat < 1) {
                throw new ConfigException("Slurm: " + variable + " '" + text + "' gives '" + item + "'; every node"
                        + " of the step runs at least one task");
            }
            if (repeat > MAX_HOSTS - counts.size()) {
                throw new ConfigException("Slurm: " + variable + " '" + text + "' describes more than " + MAX_HOSTS
                        + " nodes; check the variable");
            }
            for (int i = 0; i < repeat; i++) {
                counts.add(count);
            }
        }
        return counts;
    }

    /**
     * The cluster this process belongs to, if it belongs to one of more than one task. Tried in this order, the first
     * that applies wins (lower-precedence sources that are also present are not consulted):
     * <ol>
     * <li>{@code --cluster} with {@code --task-index} ({@link #explicit});</li>
     * <li>{@value #TF_CONFIG}, if set and not blank ({@link #fromTfConfig});</li>
     * <li>Slurm, if {@code SLURM_PROCID}, {@code SLURM_NTASKS} and one of {@code SLURM_STEP_NODELIST},
     * {@code SLURM_JOB_NODELIST}, {@code SLURM_NODELIST} are set ({@link #fromSlurm}).</li>
     * </ol>
     * A cluster of one task, from any source, gives {@link Optional#empty()}: a single process needs no server.
     *
     * @param cluster   the {@code --cluster} option
     * @param taskIndex the {@code --task-index} option
     * @param env       the environment, e.g. {@link System#getenv()}
     * @return the spec of a cluster of two or more tasks; empty for one task or when no source applies
     * @throws ConfigException when one option is given without the other, or the chosen source is invalid
     */
    public static Optional<ClusterSpec> detect(Optional<String> cluster, OptionalInt taskIndex,
            Map<String, String> env) {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(taskIndex, "taskIndex");
        Objects.requireNonNull(env, "env");
        ClusterSpec spec;
        if (cluster.isPresent()) {
            if (taskIndex.isEmpty()) {
                throw new ConfigException("--cluster needs --task-index: give this process's index in the"
                        + " --cluster list (0 for the first address, the chief)");
            }
            spec = explicit(cluster.get(), taskIndex.getAsInt());
        } else if (taskIndex.isPresent()) {
            throw new ConfigException("--task-index " + taskIndex.getAsInt() + " needs --cluster: list every task's"
                    + " host:port with --cluster host:port,host:port");
        } else if (isSet(env, TF_CONFIG)) {
            spec = fromTfConfig(env.get(TF_CONFIG));
        } else if (isSet(env, "SLURM_PROCID") && isSet(env, "SLURM_NTASKS")
                && firstSet(env, "SLURM_STEP_NODELIST", "SLURM_JOB_NODELIST", "SLURM_NODELIST").isPresent()) {
            spec = fromSlurm(env);
        } else {
            return Optional.empty();
        }
        return spec.size() > 1 ? Optional.of(spec) : Optional.empty();
    }

    /** A parsed {@code host:port}; an IPv6 host keeps its brackets. */
    private record Address(String host, int port) {
    }

    private static Address parseAddress(String address, String source) {
        if (address == null) {
            throw new ConfigException(source + ": the cluster lists a null address; " + ADDRESS_FORMS);
        }
        Matcher m = ADDRESS.matcher(address);
        if (!m.matches()) {
            throw new ConfigException(source + ": address '" + address + "' is not host:port; " + ADDRESS_FORMS);
        }
        String host = m.group(1);
        String port = m.group(2);
        if (!validHost(host)) {
            throw new ConfigException(source + ": address '" + address + "' has host '" + host + "', which is not a"
                    + " hostname (letters, digits, '-', '.', '_'), an IPv4 address or a bracketed IPv6 address; "
                    + ADDRESS_FORMS);
        }
        if (!PORT.matcher(port).matches() || Integer.parseInt(port) > 65535) {
            throw new ConfigException(source + ": address '" + address + "' has port '" + port + "', not a port"
                    + " 1..65535; " + ADDRESS_FORMS);
        }
        return new Address(host, Integer.parseInt(port));
    }

    private static boolean validHost(String host) {
        if (host.startsWith("[")) {
            Matcher m = IPV6.matcher(host);
            return m.matches() && m.group(1).chars().filter(c -> c == ':').count() >= 2;
        }
        if (NUMERIC_HOST.matcher(host).matches()) {
            Matcher m = IPV4.matcher(host);
            if (!m.matches()) {
                return false;
            }
            for (int i = 1; i <= 4; i++) {
                if (Integer.parseInt(m.group(i)) > 255) {
                    return false;
                }
            }
            return true;
        }
        return HOSTNAME.matcher(host).matches();
    }

    private static Map<?, ?> object(Object value, String what) {
        if (!(value instanceof Map<?, ?> map)) {
            throw new ConfigException(what + " must be a JSON object, found " + quoted(value));
        }
        return map;
    }

    private static List<String> addresses(Object value, String key) {
        if (!(value instanceof List<?> list)) {
            throw new ConfigException(TF_CONFIG + ": " + key + " must be a list of \"host:port\" strings, found "
                    + quoted(value));
        }
        List<String> out = new ArrayList<>();
        for (Object item : list) {
            if (!(item instanceof String s)) {
                throw new ConfigException(TF_CONFIG + ": " + key + " must be a list of \"host:port\" strings, but"
                        + " holds " + quoted(item));
            }
            out.add(s);
        }
        return out;
    }

    private static String quoted(Object value) {
        return value instanceof String s ? "\"" + s + "\"" : value == null ? "null"
                : value instanceof Map ? "an object" : value instanceof List ? "a list" : String.valueOf(value);
    }

    private static boolean isSet(Map<String, String> env, String name) {
        String value = env.get(name);
        return value != null && !value.isBlank();
    }

    private static Optional<String> firstSet(Map<String, String> env, String... names) {
        for (String name : names) {
            if (isSet(env, name)) {
                return Optional.of(name);
            }
        }
        return Optional.empty();
    }

    /** A whole-number variable in {@code min..max}. */
    private static long number(Map<String, String> env, String name, long min, long max) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new ConfigException("Slurm: " + name + " is not set; start the tasks with srun (it sets the"
                    + " SLURM_* variables of each task), or describe the cluster with TF_CONFIG or --cluster");
        }
        long n;
        try {
            n = Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new ConfigException("Slurm: " + name + " is '" + value + "', not a number; it should hold a"
                    + " whole number (unset it, or fix it)", e);
        }
        if (n < min || n > max) {
            throw new ConfigException("Slurm: " + name + " is " + n + ", outside " + min + ".." + max
                    + "; unset it, or fix it");
        }
        return n;
    }
}
