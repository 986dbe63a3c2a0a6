package org.mseg.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/mseg-cli} silences TensorFlow's native log lines unless asked: it is the only place that can, because
 * TensorFlow reads {@code TF_CPP_MIN_LOG_LEVEL} from the process environment. The launcher runs here against a fake
 * {@code java} that prints the environment it was given.
 */
class LauncherTest {
    private static final Path LAUNCHER = Path.of("").toAbsolutePath().getParent().resolve("bin/mseg-cli");

    @TempDir
    Path home;

    private Path javaHome;

    @BeforeEach
    void fakeInstallation() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "needs bash");
        assertTrue(Files.isRegularFile(LAUNCHER), LAUNCHER.toString());
        Files.createDirectories(home.resolve("bin"));
        Files.copy(LAUNCHER, home.resolve("bin/mseg-cli"));
        Files.createDirectories(home.resolve("mseg-cli/target/lib"));
        javaHome = home.resolve("jdk");
        Path java = Files.createDirectories(javaHome.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/bash\necho \"TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL-unset}\"\n"
                + "echo \"OPENCV_LOG_LEVEL=${OPENCV_LOG_LEVEL-unset}\" >&2\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void nativeLogLinesAreSilencedByDefault() throws Exception {
        assertEquals("TF_CPP_MIN_LOG_LEVEL=2", launch(Map.of(), "model", "summary"));
        assertEquals("TF_CPP_MIN_LOG_LEVEL=2", launch(Map.of(), "-q", "model", "summary"));
        assertEquals("OPENCV_LOG_LEVEL=ERROR", launchErr(Map.of(), "infer", "video.avi"));
        assertEquals("OPENCV_LOG_LEVEL=unset", launchErr(Map.of(), "infer", "-v", "video.avi"));
        assertEquals("OPENCV_LOG_LEVEL=INFO", launchErr(Map.of("OPENCV_LOG_LEVEL", "INFO"), "infer", "video.avi"));
    }

    @Test
    void verboseLetsThemThrough() throws Exception {
        assertEquals("TF_CPP_MIN_LOG_LEVEL=0", launch(Map.of(), "model", "summary", "--verbose"));
        assertEquals("TF_CPP_MIN_LOG_LEVEL=0", launch(Map.of(), "-v", "model", "summary"));
        assertEquals("TF_CPP_MIN_LOG_LEVEL=0", launch(Map.of("TF_CPP_MIN_LOG_LEVEL", "3"), "train", "-hv"));
    }

    @Test
    void aLevelTheUserSetIsKeptAndArgumentsAfterTheEndOfOptionsDoNotCount() throws Exception {
        assertEquals("TF_CPP_MIN_LOG_LEVEL=1", launch(Map.of("TF_CPP_MIN_LOG_LEVEL", "1"), "model", "summary"));
        assertEquals("TF_CPP_MIN_LOG_LEVEL=2", launch(Map.of(), "infer", "--", "-v"));
        assertEquals("TF_CPP_MIN_LOG_LEVEL=2", launch(Map.of(), "infer", "--variant", "tiny"));
    }

    /** What the fake java printed on standard output. */
    private String launch(Map<String, String> env, String... args) throws Exception {
        return run(env, false, args);
    }

    /** What the fake java printed on standard error. */
    private String launchErr(Map<String, String> env, String... args) throws Exception {
        return run(env, true, args);
    }

    private String run(Map<String, String> env, boolean stderr, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("/bin/bash", home.resolve("bin/mseg-cli").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("TF_CPP_MIN_LOG_LEVEL");
        pb.environment().remove("OPENCV_LOG_LEVEL");
        pb.environment().put("MSEG_NO_BUILD", "1");
        pb.environment().put("JAVA_HOME", javaHome.toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "launcher did not finish");
        String out = new String(p.getInputStream().readAllBytes()).strip();
        String err = new String(p.getErrorStream().readAllBytes()).strip();
        assertEquals(0, p.exitValue(), out + err);
        return stderr ? err : out;
    }
}
