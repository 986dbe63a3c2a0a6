package org.mseg.examples.fcn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In a plugin folder, the jar is a module ({@code org.mseg.examples.fcn}) that a fresh JVM with only MSeg's engine
 * on its module path finds, as {@code mseg-cli --plugin-dir} does; it is registered in its module descriptor and in
 * {@code META-INF/services}, and meets both contracts there too.
 */
class PluginFolderTest {

    /** Test-only jars: the test framework and surefire's own, which the engine does not need. */
    private static boolean engineRuntime(String entry) {
        String name = Path.of(entry).getFileName().toString();
        return Files.exists(Path.of(entry)) && !name.equals("test-classes") && !name.contains("junit")
                && !name.contains("opentest4j") && !name.contains("apiguardian") && !name.contains("surefire");
    }

    private static String testClasses() throws URISyntaxException {
        return Path.of(ModulePathProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    @Test
    void inAPluginFolderAFreshJvmFindsTheModuleAndItMeetsBothContracts(@TempDir Path dir) throws Exception {
        Path plugins = dir.resolve("plugins");
        Path jar = PluginJar.build(plugins, "mseg-example-model-plugin.jar");
        String modulePath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(PluginFolderTest::engineRuntime).collect(Collectors.joining(File.pathSeparator));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "--module-path", modulePath, "--add-modules", "ALL-MODULE-PATH", "--add-opens",
                "tensorflow/org.tensorflow=org.mseg.engine",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
        String cache = System.getProperty("org.bytedeco.javacpp.cachedir");
        if (cache != null) {
            command.add("-Dorg.bytedeco.javacpp.cachedir=" + cache);
        }
        command.addAll(List.of("-cp", testClasses(), ModulePathProbe.class.getName(), plugins.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
        Process process = builder.start();
        String output = read(process);
        assertTrue(process.waitFor(300, TimeUnit.SECONDS), output);
        assertEquals(0, process.exitValue(), output);
        List<String> lines = output.lines().toList();
        assertTrue(lines.contains("provider|example-fcn|org.mseg.examples.fcn|" + jar), output);
        assertTrue(lines.contains("registration|ok"), output);
        assertTrue(lines.contains("model-contract|ok"), output);
        assertTrue(lines.contains("strategy-contract|ok"), output);
    }

    private static String read(Process process) throws IOException {
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
