package org.mseg.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.mseg.api.ConfigException;
import org.mseg.api.MsegException;
import org.mseg.api.json.Json;
import org.mseg.engine.ClusterSpec;
import org.mseg.engine.DeviceInventory;
import org.mseg.engine.DevicePlan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mseg-cli doctor}: what this installation trains on. The versions of MSeg, TensorFlow, TF Java, OpenCV and
 * Java, which TensorFlow natives are loaded (cpu or gpu), every device a TensorFlow session sees, and whether the
 * devices of {@code --devices SPEC} are usable; when they are not, the reason and the fix (for GPUs: the natives, the
 * driver's {@code libcuda.so.1}, the CUDA 12 / cuDNN 9 libraries on {@code LD_LIBRARY_PATH}).
 */
@Command(name = "doctor", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Check what this installation trains on: versions, TensorFlow's native variant (cpu or gpu),"
                + " every device TensorFlow sees, and whether --devices SPEC is usable (if not: why, and the fix)."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:the devices of --devices are usable", "1:they are not (the reason and the fix are printed)",
                "2:--devices is not a device spec"})
final class DoctorCommand implements Callable<Integer> {

    /** The libraries TensorFlow's GPU natives open at run time (tfjava-notes Q9), driver first. */
    static final List<String> GPU_LIBRARIES = List.of("libcuda.so.1", "libcudart.so.12", "libcublas.so.12",
            "libcublasLt.so.12", "libcufft.so.11", "libcusolver.so.11", "libcusparse.so.12", "libnvJitLink.so.12",
            "libcudnn.so.9");

    /** Folders the dynamic loader searches besides LD_LIBRARY_PATH, where drivers and CUDA usually install. */
    private static final List<String> SYSTEM_LIBRARY_FOLDERS = List.of("/usr/lib/x86_64-linux-gnu",
            "/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/usr/local/cuda/lib64", "/usr/lib/wsl/lib");

    @Spec
    CommandSpec spec;

    @Option(names = "--devices", paramLabel = "SPEC", defaultValue = "cpu",
            description = "The devices to check, as TRAIN.devices and train --devices write them: cpu, cpu:N (N"
                    + " virtual CPU devices), gpu (every visible GPU) or gpu:I,J,... (default: ${DEFAULT-VALUE},"
                    + " TRAIN.devices' default).")
    String devices;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    /** Whether the spec's devices are usable, and if not why and what to do. */
    private record Verdict(String spec, Optional<DevicePlan> plan, String reason, List<String> fixes) {
        boolean usable() {
            return plan.isPresent();
        }
    }

    @Override
    public Integer call() throws Exception {
        String canonical;
        try {
            canonical = DevicePlan.normalize(devices);
        } catch (ConfigException e) {
            throw new ConfigException("--devices: " + e.getMessage(), e);
        }
        Map<String, String> versions = versions();
        String variant = DeviceInventory.nativeVariant();
        int cpuDevices = canonical.startsWith("cpu:") ? Integer.parseInt(canonical.substring(4)) : 1;
        DeviceInventory inventory = null;
        String listingProblem = null;
        try {
            inventory = DeviceInventory.list(cpuDevices);
        } catch (MsegException e) {
            listingProblem = e.getMessage();
        }
        Map<String, Optional<Path>> gpuLibraries = new LinkedHashMap<>();
        boolean gpuTrouble = variant.equals(DeviceInventory.GPU_VARIANT) && inventory != null
                && inventory.gpuCount() == 0 || canonical.startsWith("gpu");
        if (gpuTrouble) {
            for (String lib : GPU_LIBRARIES) {
                gpuLibraries.put(lib, findLibrary(lib));
            }
        }
        Verdict verdict = verdict(canonical, variant, inventory, listingProblem, gpuLibraries);
        // the cluster train would join from this environment (TF_CONFIG, Slurm), or why it would refuse it
        String cluster;
        boolean clusterUsable = true;
        try {
            cluster = ClusterSpec.detect(Optional.empty(), java.util.OptionalInt.empty(), System.getenv())
                    .map(ClusterSpec::describe).orElse("none (one process; TF_CONFIG, Slurm's srun or train"
                            + " --cluster/--task-index make a task of a cluster)");
        } catch (ConfigException e) {
            cluster = "NOT usable: " + e.getMessage();
            clusterUsable = false;
        }
        if (json) {
            printJson(versions, variant, inventory, listingProblem, gpuLibraries, verdict, cluster);
        } else {
            printText(versions, variant, cpuDevices, inventory, listingProblem, gpuLibraries, verdict);
            spec.commandLine().getOut().println("cluster: " + cluster);
            spec.commandLine().getOut().flush();
        }
        return verdict.usable() && clusterUsable ? MsegCommand.OK : MsegCommand.FAILURE;
    }

    private static Map<String, String> versions() throws java.io.IOException {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("mseg-cli", MsegCommand.Version.cliVersion());
        v.put("TensorFlow", MsegCommand.Version.nativeVersion(org.tensorflow.TensorFlow::version));
        v.put("TensorFlow Java", MsegCommand.Version.moduleVersion(org.tensorflow.TensorFlow.class).orElse("unknown"));
        v.put("OpenCV", MsegCommand.Version.nativeVersion(() -> org.bytedeco.opencv.global.opencv_core
                .getVersionString().getString().trim()));
        v.put("JavaCPP", MsegCommand.Version.nativeVersion(org.bytedeco.javacpp.Loader::getVersion));
        v.put("Java", System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        return v;
    }

    private static Verdict verdict(String spec, String variant, DeviceInventory inventory, String listingProblem,
            Map<String, Optional<Path>> gpuLibraries) {
        if (inventory == null) {
            return new Verdict(spec, Optional.empty(), listingProblem, List.of());
        }
        DevicePlan plan;
        try {
            plan = DevicePlan.parse(spec, inventory.gpuCount());
        } catch (ConfigException e) {
            // the fixes below say in detail what the message's general fix says
            return new Verdict(spec, Optional.empty(), e.getMessage().replace(" " + DevicePlan.NO_GPU_FIX, ""),
                    gpuFixes(variant, gpuLibraries));
        }
        List<String> missing = plan.devices().stream().filter(d -> !inventory.planNames().contains(d)).toList();
        if (!missing.isEmpty()) {
            return new Verdict(spec, Optional.empty(), "TensorFlow did not create " + String.join(", ", missing)
                    + " (it created " + String.join(", ", inventory.planNames()) + ")", List.of());
        }
        return new Verdict(spec, Optional.of(plan), "", List.of());
    }

    /** What to do so that TensorFlow sees a GPU: the natives, the driver, the CUDA libraries, found or not. */
    static List<String> gpuFixes(String variant, Map<String, Optional<Path>> libraries) {
        List<String> fixes = new ArrayList<>();
        if (variant.equals(DeviceInventory.CPU_VARIANT)) {
            fixes.add("These are TensorFlow Java's CPU natives (tensorflow-core-native:1.1.0:linux-x86_64). Depend on"
                    + " the classifier linux-x86_64-gpu instead (one native classifier per platform) and rebuild.");
        }
        Optional<Path> driver = libraries.getOrDefault("libcuda.so.1", Optional.empty());
        fixes.add("Install an NVIDIA driver that provides libcuda.so.1 (CUDA 12 needs driver 525.60.13 or newer;"
                + " TF Java suggests nvidia-driver-550): " + driver.map(p -> "found at " + p)
                        .orElse("not found on LD_LIBRARY_PATH or in " + String.join(", ", SYSTEM_LIBRARY_FOLDERS))
                + ".");
        List<String> missing = libraries.entrySet().stream()
                .filter(e -> !e.getKey().equals("libcuda.so.1") && e.getValue().isEmpty()).map(Map.Entry::getKey)
                .toList();
        fixes.add("Put the CUDA 12 and cuDNN 9 libraries (TF Java 1.1.0 was built with CUDA 12.5 and cuDNN 9.3; e.g."
                + " extracted from org.bytedeco:cuda:12.6-9.5-1.5.11:linux-x86_64-redist) in a folder and export"
                + " LD_LIBRARY_PATH=<folder>:$LD_LIBRARY_PATH before the JVM starts (java.library.path does not"
                + " help): " + (libraries.isEmpty() ? "not checked"
                        : missing.isEmpty() ? "all found" : "missing " + String.join(", ", missing)) + ".");
        fixes.add("Then run `mseg-cli doctor --devices gpu` again; -v shows TensorFlow's own log of why it opened no"
                + " GPU. Or train on the CPU: --devices cpu, or cpu:N.");
        return fixes;
    }

    /** The first file named {@code name} in LD_LIBRARY_PATH's folders, then in the usual system folders. */
    static Optional<Path> findLibrary(String name) {
        Set<String> folders = new LinkedHashSet<>();
        String ld = System.getenv("LD_LIBRARY_PATH");
        if (ld != null) {
            for (String f : ld.split(":")) {
                if (!f.isBlank()) {
                    folders.add(f);
                }
            }
        }
        folders.addAll(SYSTEM_LIBRARY_FOLDERS);
        for (String f : folders) {
            Path p = Path.of(f, name);
            if (Files.exists(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private void printText(Map<String, String> versions, String variant, int cpuDevices, DeviceInventory inventory,
            String listingProblem, Map<String, Optional<Path>> gpuLibraries, Verdict verdict) {
        PrintWriter out = spec.commandLine().getOut();
        TextTable about = new TextTable("COMPONENT", "VERSION");
        versions.forEach(about::row);
        about.row("native variant", variant + " (tensorflow-core-native " + org.bytedeco.javacpp.Loader.getPlatform()
                + (variant.equals(DeviceInventory.GPU_VARIANT) ? "-gpu" : "") + ")");
        about.print(out);
        out.println();
        if (inventory == null) {
            out.println("devices: not listed: " + listingProblem);
        } else {
            out.printf(Locale.ROOT, "devices TensorFlow sees (a session with %d CPU device%s):%n", cpuDevices,
                    cpuDevices == 1 ? "" : "s");
            TextTable t = new TextTable("NAME", "TYPE", "MEMORY");
            for (DeviceInventory.Device d : inventory.devices()) {
                t.row(d.name(), d.type(), mebibytes(d.memoryBytes()));
            }
            t.print(out);
            if (inventory.gpuCount() > 0) {
                out.println("GPU compute capability, CUDA and cuDNN versions: " + DeviceInventory.NOT_REPORTED
                        + " (TensorFlow logs them when it opens a GPU; run with -v)");
            } else if (variant.equals(DeviceInventory.GPU_VARIANT)) {
                out.println("GPU natives are loaded, but TensorFlow sees no GPU:");
                gpuLibraries.forEach((lib, at) -> out.println("  " + lib + ": " + at.map(Path::toString)
                        .orElse("not found")));
            }
        }
        out.println();
        if (verdict.usable()) {
            DevicePlan plan = verdict.plan().orElseThrow();
            out.printf(Locale.ROOT, "--devices %s: usable, %d replica%s on %s%n", verdict.spec(), plan.replicas(),
                    plan.replicas() == 1 ? "" : "s", plan.devices().isEmpty() ? "TensorFlow's default placement"
                            : plan.toString());
        } else {
            out.println("--devices " + verdict.spec() + ": NOT usable: " + verdict.reason());
            for (String fix : verdict.fixes()) {
                out.println("  fix: " + fix);
            }
        }
        out.flush();
    }

    private void printJson(Map<String, String> versions, String variant, DeviceInventory inventory,
            String listingProblem, Map<String, Optional<Path>> gpuLibraries, Verdict verdict, String cluster) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mseg_cli", versions.get("mseg-cli"));
        m.put("tensorflow", versions.get("TensorFlow"));
        m.put("tensorflow_java", versions.get("TensorFlow Java"));
        m.put("opencv", versions.get("OpenCV"));
        m.put("javacpp", versions.get("JavaCPP"));
        m.put("java", versions.get("Java"));
        m.put("native_variant", variant);
        if (inventory != null) {
            List<Map<String, Object>> list = new ArrayList<>();
            for (DeviceInventory.Device d : inventory.devices()) {
                Map<String, Object> dm = new LinkedHashMap<>();
                dm.put("name", d.name());
                dm.put("type", d.type());
                dm.put("memory_bytes", d.memoryBytes());
                list.add(dm);
            }
            m.put("devices", list);
            if (inventory.gpuCount() > 0) {
                m.put("gpu_details", DeviceInventory.NOT_REPORTED);
            }
        } else {
            m.put("devices_error", listingProblem);
        }
        if (!gpuLibraries.isEmpty()) {
            Map<String, Object> libs = new LinkedHashMap<>();
            gpuLibraries.forEach((lib, at) -> libs.put(lib, at.map(Path::toString).orElse(null)));
            m.put("gpu_libraries", libs);
        }
        Map<String, Object> check = new LinkedHashMap<>();
        check.put("devices", verdict.spec());
        check.put("usable", verdict.usable());
        verdict.plan().ifPresent(p -> {
            check.put("plan", p.devices());
            check.put("replicas", p.replicas());
        });
        if (!verdict.usable()) {
            check.put("reason", verdict.reason());
            check.put("fixes", verdict.fixes());
        }
        m.put("check", check);
        m.put("cluster", cluster);
        PrintWriter out = spec.commandLine().getOut();
        out.println(Json.write(m, false));
        out.flush();
    }

    private static String mebibytes(long bytes) {
        return bytes >= 1L << 30 ? String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30))
                : String.format(Locale.ROOT, "%d MiB", bytes >> 20);
    }
}
