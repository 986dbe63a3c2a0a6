package org.mseg.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.mseg.api.config.BundledConfigs;
import org.mseg.api.config.ConfigKey;
import org.mseg.api.config.ConfigSchema;
import org.mseg.api.config.MsegConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mseg-cli config print|validate|keys}: read, check and explain MSeg configuration files. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Print, validate and explain MSeg configuration files (training: DATA/TRAIN/Distributed;"
                + " evaluation: DATA/TRAIN/TEST).",
        subcommands = {ConfigCommand.Print.class, ConfigCommand.Validate.class, ConfigCommand.Keys.class})
final class ConfigCommand {

    /** Options shared by {@code print} and {@code validate}: the file and its overrides. */
    static class FileAndOverrides implements PluginOptions.ConfigSource {
        @Spec
        CommandSpec spec;

        @Mixin
        PluginOptions plugins;

        @Parameters(index = "0", paramLabel = "FILE",
                description = "Configuration YAML, or a bundled release config such as 1080_release/mseg-relabeled-3m"
                        + " or test/default_config_1080_ss.")
        String file;

        @Option(names = "--set", paramLabel = "KEY=VALUE",
                description = "Override a key (repeatable): base_lr=0.02, TRAIN.batch_size=14, dataset=cityscapes-19.")
        List<String> overrides = new ArrayList<>();

        @Override
        public Optional<String> configFile() {
            return Optional.ofNullable(file);
        }

        @Override
        public List<String> configOverrides() {
            return List.copyOf(overrides);
        }

        /** The validated configuration, checked against the schema its sections imply. */
        MsegConfig resolve() {
            return ConfigOptions.resolve(file, overrides, Optional.empty(), plugins.environment());
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }
    }

    @Command(name = "print", mixinStandardHelpOptions = true,
            description = "Print the resolved configuration (overrides applied, defaults filled in) as sectioned YAML.")
    static final class Print extends FileAndOverrides implements Callable<Integer> {
        @Option(names = "--raw", description = "Print the file with its overrides as read, without validating it.")
        boolean raw;

        @Override
        public Integer call() {
            MsegConfig c;
            if (raw) {
                MsegConfig loaded = BundledConfigs.fileOrBundled(file);
                c = loaded.withOverrides(overrides);
            } else {
                c = resolve();
            }
            PrintWriter out = out();
            out.println("# " + c.source() + (overrides.isEmpty() ? "" : " with --set " + String.join(" --set ",
                    overrides)));
            if (!raw && !c.unusedKeys().isEmpty()) {
                out.println("# unused here: " + String.join(", ", c.unusedKeys()));
            }
            for (String note : c.notes()) {
                out.println("# note: " + note);
            }
            out.print(c.toYaml());
            out.flush();
            return MsegCommand.OK;
        }
    }

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Check a configuration: keys, types, value ranges, dataset names, GPU mapping. Exit 0 if"
                    + " valid, 2 if not.")
    static final class Validate extends FileAndOverrides implements Callable<Integer> {
        @Override
        public Integer call() {
            MsegConfig c = resolve();
            PrintWriter out = out();
            out.println("OK: " + ConfigOptions.summary(c));
            for (String note : c.notes()) {
                out.println("note: " + note);
            }
            out.flush();
            return MsegCommand.OK;
        }
    }

    @Command(name = "keys", mixinStandardHelpOptions = true,
            description = "Every configuration key: section, type, default, whether this port reads it, and what it"
                    + " does.")
    static final class Keys implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        PluginOptions plugins;

        @Option(names = "--test", description = "The keys of evaluation configs instead of training configs.")
        boolean test;

        @Override
        public Integer call() {
            ConfigSchema schema = ConfigOptions.withStrategyKeys(test ? ConfigSchema.test() : ConfigSchema.training(),
                    plugins.environment());
            TextTable t = new TextTable("KEY", "TYPE", "DEFAULT", "USED", "DESCRIPTION");
            for (ConfigKey k : schema.keys()) {
                String def = k.required() ? "(required)" : k.defaultValue().map(String::valueOf).orElse("");
                String type = k.type().name().toLowerCase(Locale.ROOT)
                        + (k.allowedValues().isEmpty() ? "" : " " + String.join("|", k.allowedValues()));
                t.row(k.qualifiedName(), type, def, k.applies() ? "yes" : "no",
                        k.doc() + k.range().map(r -> " (allowed: " + r.description() + ")").orElse(""));
            }
            t.print(spec.commandLine().getOut());
            spec.commandLine().getOut().flush();
            return MsegCommand.OK;
        }
    }
}
