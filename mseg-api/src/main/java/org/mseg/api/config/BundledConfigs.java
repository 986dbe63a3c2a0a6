package org.mseg.api.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.mseg.api.ConfigException;
import org.mseg.api.plugin.Names;

/**
 * The configuration files of the MSeg release, shipped in this module: the training configs of
 * {@code data/config/train} (named {@code train/1080_release/mseg-relabeled-3m}, or without the {@code train/}
 * prefix, {@code 1080_release/mseg-relabeled-3m}) and the test configs of {@code data/config/test} (named
 * {@code test/default_config_1080_ss}, {@code test/720/default_config_batched_ss}). A {@code .yaml} suffix is
 * optional. {@code demo} is this port's own: the configuration {@code mseg-cli train} runs without {@code --config}
 * (a tiny HRNet on the synthetic datasets), and a starting point for a configuration of one's own.
 */
public final class BundledConfigs {
    private static final String ROOT = "data-config/";
    private static final List<String> NAMES = List.of(
            "demo",
            "train/1080_release/mseg-mgda",
            "train/1080_release/mseg-naive-baseline",
            "train/1080_release/mseg-relabeled-1m",
            "train/1080_release/mseg-relabeled-3m",
            "train/1080_release/mseg-unrelabeled",
            "train/1080_release/single_oracle",
            "train/1080_release/single_universal",
            "train/480_release/mseg-3m",
            "train/720_release/mseg-3m",
            "train/test",
            "test/default_config_360_ss",
            "test/default_config_360_ms",
            "test/default_config_720_ss",
            "test/default_config_720_ms",
            "test/default_config_1080_ss",
            "test/default_config_1080_ms",
            "test/480/default_config_batched_ss",
            "test/720/default_config_batched_ss",
            "test/1080/default_config_batched_ss");

    private BundledConfigs() {
    }

    /** Canonical names of every shipped configuration, training configs first. */
    public static List<String> names() {
        return NAMES;
    }

    /** The nine release training configs ({@code train/*_release/*}). */
    public static List<String> releaseTrainingConfigs() {
        return NAMES.stream().filter(n -> n.matches("train/\\d+_release/.*")).toList();
    }

    /** The test configs ({@code test/...}). */
    public static List<String> testConfigs() {
        return NAMES.stream().filter(n -> n.startsWith("test/")).toList();
    }

    /** The canonical name a user's name stands for, if it names a shipped configuration. */
    public static Optional<String> canonical(String name) {
        String n = name.endsWith(".yaml") ? name.substring(0, name.length() - ".yaml".length()) : name;
        if (NAMES.contains(n)) {
            return Optional.of(n);
        }
        if (n.matches("\\d+_release/.*") && NAMES.contains("train/" + n)) {
            return Optional.of("train/" + n);
        }
        return Optional.empty();
    }

    /**
     * Loads a shipped configuration; its source reads {@code bundled:train/1080_release/mseg-mgda.yaml}.
     *
     * @throws ConfigException if no shipped configuration has that name; names the nearest
     */
    public static MsegConfig load(String name) {
        String n = canonical(name).orElseThrow(() -> new ConfigException("no bundled configuration '" + name + "'"
                + Names.closest(name, aliases()).map(x -> " — did you mean " + x + "?").orElse("")
                + " (bundled: " + String.join(", ", NAMES) + ")"));
        String resource = ROOT + n + ".yaml";
        try (InputStream in = BundledConfigs.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new ConfigException("bundled configuration " + n + " is missing from the mseg-api jar");
            }
            return MsegConfig.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "bundled:" + n + ".yaml");
        } catch (IOException e) {
            throw new ConfigException("cannot read bundled configuration " + n + ": " + e.getMessage(), e);
        }
    }

    /**
     * Loads a file if it exists, else the shipped configuration of that name.
     *
     * @throws ConfigException if it is neither; names the nearest shipped configuration
     */
    public static MsegConfig fileOrBundled(String fileOrName) {
        Path p = Path.of(fileOrName);
        if (Files.exists(p)) {
            return MsegConfig.load(p);
        }
        if (canonical(fileOrName).isPresent()) {
            return load(fileOrName);
        }
        throw new ConfigException("configuration file " + fileOrName + " does not exist and is not a bundled"
                + " configuration" + Names.closest(fileOrName, aliases()).map(x -> " — did you mean " + x + "?")
                        .orElse("") + " (bundled: " + String.join(", ", NAMES) + ")");
    }

    private static List<String> aliases() {
        List<String> out = new ArrayList<>(NAMES);
        NAMES.stream().filter(n -> n.matches("train/\\d+_release/.*")).forEach(n -> out.add(n.substring(6)));
        return out;
    }
}
