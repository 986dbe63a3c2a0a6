package org.mseg.examples.fcn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
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
 * The plugin jar in a folder given with {@code --plugin-dir}, used through {@code mseg-cli} in fresh JVMs with no
 * change to the engine or the CLI: {@code plugins list} shows it with its key, {@code model summary --arch} describes
 * it, {@code train} runs 30 steps of the demo with {@code --set arch=example-fcn}, {@code --resume} continues to 40,
 * {@code --pretrained CHECKPOINT} starts another run from its weights, and
 * {@code evaluate --checkpoint RUN --dataset bdd-relabeled} scores the last checkpoint on the demo's synthetic data.
 */
class CommandLineTest {

    private static boolean runtime(String entry) {
        String name = Path.of(entry).getFileName().toString();
        return Files.exists(Path.of(entry)) && !name.equals("test-classes") && !name.contains("junit")
                && !name.contains("opentest4j") && !name.contains("apiguardian") && !name.contains("surefire");
    }

    /** Output and exit code of {@code mseg-cli ARGS} in a fresh JVM whose {@code mseg.home} is {@code home}. */
    private static Run cli(Path home, String... args) throws IOException, InterruptedException {
        String modulePath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(CommandLineTest::runtime).collect(Collectors.joining(File.pathSeparator));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "--module-path", modulePath, "--add-modules", "ALL-MODULE-PATH",
                "--add-opens", "tensorflow/org.tensorflow=org.mseg.engine", "-Dmseg.home=" + home));
        String cache = System.getProperty("org.bytedeco.javacpp.cachedir");
        if (cache != null) {
            command.add("-Dorg.bytedeco.javacpp.cachedir=" + cache);
        }
        command.addAll(List.of("--module", "org.mseg.cli/org.mseg.cli.Main"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true);
        builder.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(300, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("mseg-cli " + String.join(" ", args) + " did not finish in 300 s:\n" + output);
        }
        return new Run(process.exitValue(), output);
    }

    private record Run(int code, String output) {
    }

    @Test
    void aPluginFolderAddsTheModelToEveryCommand(@TempDir Path home) throws Exception {
        Path plugins = home.resolve("my-plugins");
        PluginJar.build(plugins, "mseg-example-model-plugin.jar");
        String dir = plugins.toString();

        Run list = cli(home, "plugins", "list", "--plugin-dir", dir);
        assertEquals(0, list.code(), list.output());
        assertTrue(list.output().lines().anyMatch(l -> l.startsWith("model") && l.contains("example-fcn")
                && l.contains("org.mseg.examples.fcn") && l.contains("TRAIN.fcn_width")), list.output());

        Run summary = cli(home, "model", "summary", "--plugin-dir", dir, "--arch", "example-fcn", "--num-classes",
                "5", "--input", "64x64");
        assertEquals(0, summary.code(), summary.output());
        assertTrue(summary.output().contains("example-fcn small, 5 classes"), summary.output());

        Path run = home.resolve("runs").resolve("fcn");
        Run train = cli(home, "train", "--plugin-dir", dir, "--set", "arch=example-fcn", "--set", "variant=small",
                "--max-iters", "30", "--out", run.toString(), "--no-validate");
        assertEquals(0, train.code(), train.output());
        assertTrue(train.output().contains("trained 30/30 steps"), train.output());

        // resumed on two virtual CPU devices: the plugin's model synchronizes its BN statistics over both
        Run resume = cli(home, "train", "--plugin-dir", dir, "--set", "arch=example-fcn", "--set", "variant=small",
                "--max-iters", "40", "--resume", run.toString(), "--no-validate", "--devices", "cpu:2");
        assertEquals(0, resume.code(), resume.output());
        assertTrue(resume.output().contains("steps 30..40") && resume.output().contains("trained 40/40 steps"),
                resume.output());
        String meta = Files.readString(run.resolve("checkpoints").resolve("iter_40").resolve("checkpoint.json"));
        assertTrue(meta.contains("\"arch\": \"example-fcn\"") && meta.contains("\"fcn_width\": 16"), meta);

        // weights only, from the checkpoint, through the model's state-dict rules (here GraphModel's defaults)
        Run pretrained = cli(home, "-v", "train", "--plugin-dir", dir, "--set", "arch=example-fcn", "--set",
                "variant=small", "--max-iters", "2", "--pretrained",
                run.resolve("checkpoints").resolve("iter_40").toString(), "--out",
                home.resolve("runs").resolve("fcn-pretrained").toString(), "--no-validate");
        assertEquals(0, pretrained.code(), pretrained.output());
        assertTrue(pretrained.output().contains("tensors loaded, 0 kept their initial values, 0 in the file unused"),
                pretrained.output());

        Path synthetic = home.resolve(".cache").resolve("synthetic");
        Run evaluate = cli(home, "evaluate", "--plugin-dir", dir, "--checkpoint", run.toString(), "--dataset",
                "bdd-relabeled", "--data-root", synthetic.toString(), "--lists",
                synthetic.resolve("dataset_lists").toString(), "--base-size", "native", "--crop", "65", "--json");
        assertEquals(0, evaluate.code(), evaluate.output());
        assertTrue(evaluate.output().contains("\"bdd-relabeled\"") && evaluate.output().contains("mIoU"),
                evaluate.output());

        Run without = cli(home, "evaluate", "--checkpoint", run.toString(), "--dataset", "bdd-relabeled",
                "--data-root", synthetic.toString(), "--base-size", "native", "--crop", "65");
        assertEquals(1, without.code(), without.output());
        assertTrue(without.output().contains("model.arch 'example-fcn' is not supported")
                && without.output().contains("--plugin-dir"), without.output());
    }
}
