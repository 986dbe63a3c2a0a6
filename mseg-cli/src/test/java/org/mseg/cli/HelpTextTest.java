package org.mseg.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/** Every command's help, checked as a whole, so that a new option or command cannot bring an old flaw back. */
class HelpTextTest {

    /** Leaf commands that resolve no dataset, taxonomy, model or strategy name, and so have no --plugin-dir. */
    // model logits, model bench and bench infer look up a model provider (a plugin's too) since models are providers
    // doctor looks at TensorFlow and the devices only
    private static final Set<String> WITHOUT_PLUGIN_DIR = Set.of("mseg-cli generate-completion", "mseg-cli help",
            "mseg-cli doctor");

    /** Picocli's default label {@code <fieldName>} after an option name ({@code --num-classes=<numClasses>}). */
    private static final Pattern FIELD_NAME_LABEL = Pattern.compile("--[\\w-]+=<[a-z][A-Za-z0-9]*>");

    /** An option list line: optional short name, then the long name. */
    private static final Pattern OPTION_LINE = Pattern.compile("^ {2}(?:-\\w, | {4})(--[\\w-]+)");

    static List<CommandLine> allCommands() {
        List<CommandLine> all = new ArrayList<>();
        collect(MsegCommand.commandLine(), all);
        return all;
    }

    private static void collect(CommandLine cl, List<CommandLine> all) {
        all.add(cl);
        cl.getSubcommands().values().forEach(sub -> collect(sub, all));
    }

    static String usage(CommandLine cl) {
        return cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    static String name(CommandLine cl) {
        return cl.getCommandSpec().qualifiedName();
    }

    @Test
    void everyCommandIsChecked() {
        Set<String> names = new TreeSet<>();
        allCommands().forEach(c -> names.add(name(c)));
        assertTrue(names.containsAll(List.of("mseg-cli train", "mseg-cli evaluate", "mseg-cli infer",
                "mseg-cli model summary", "mseg-cli bench infer", "mseg-cli taxonomy export",
                "mseg-cli generate-completion")), names.toString());
        assertTrue(names.size() >= 30, names.toString());
    }

    @Test
    void noOptionOrParameterShowsAFieldNameAsItsLabel() {
        List<String> bad = new ArrayList<>();
        for (CommandLine cl : allCommands()) {
            for (ArgSpec a : cl.getCommandSpec().args()) {
                boolean takesValue = a.arity().max() > 0;
                if (takesValue && a.paramLabel().matches("<.*>") && !a.hidden()) {
                    bad.add(name(cl) + " " + (a instanceof OptionSpec o ? o.longestName() : "positional")
                            + " " + a.paramLabel());
                }
            }
            Matcher m = FIELD_NAME_LABEL.matcher(usage(cl));
            while (m.find()) {
                bad.add(name(cl) + ": help text shows " + m.group());
            }
        }
        assertEquals(List.of(), bad, "give these a paramLabel such as NAME, N, DIR or the choices a|b");
    }

    @Test
    void theFixedLabelsReadAsIntended() {
        String summary = usage(MsegCommand.commandLine().getSubcommands().get("model").getSubcommands()
                .get("summary"));
        assertTrue(summary.contains("--arch=NAME") && summary.contains("--num-classes=N"), summary);
        String evaluate = usage(MsegCommand.commandLine().getSubcommands().get("evaluate"));
        assertTrue(evaluate.contains("--dataset=NAME[,NAME...]"), evaluate);
        String export = usage(MsegCommand.commandLine().getSubcommands().get("taxonomy").getSubcommands()
                .get("export"));
        assertTrue(export.contains("--format=json"), export);
    }

    @Test
    void listOptionsShowTheirSplitSyntaxOnce() {
        List<String> bad = new ArrayList<>();
        for (CommandLine cl : allCommands()) {
            String text = usage(cl);
            if (text.contains("...][")) {
                bad.add(name(cl) + ": " + text.lines().filter(l -> l.contains("...][")).findFirst().orElse(""));
            }
            for (OptionSpec o : cl.getCommandSpec().options()) {
                if (!o.splitRegex().isEmpty() && o.paramLabel().contains("[") && !o.hideParamSyntax()) {
                    bad.add(name(cl) + " " + o.longestName() + ": label " + o.paramLabel()
                            + " already shows the list syntax; add hideParamSyntax = true");
                }
            }
        }
        assertEquals(List.of(), bad);
    }

    @Test
    void everyCommandListsItsExitCodes() {
        for (CommandLine cl : allCommands()) {
            String text = usage(cl);
            assertTrue(text.contains("Exit codes:"), name(cl) + "\n" + text);
            String codes = text.substring(text.indexOf("Exit codes:"));
            for (int code : new int[] {MsegCommand.OK, MsegCommand.FAILURE, MsegCommand.USAGE}) {
                assertTrue(codes.lines().anyMatch(l -> l.matches("\\s+" + code + "\\s+\\S.*")),
                        name(cl) + " lacks exit code " + code + "\n" + codes);
            }
        }
    }

    @Test
    void commandsWithTheirOwnExitCodesKeepThem() {
        String evaluate = usage(MsegCommand.commandLine().getSubcommands().get("evaluate"));
        assertTrue(evaluate.lines().anyMatch(l -> l.matches("\\s+0\\s+evaluated")), evaluate);
        String train = usage(MsegCommand.commandLine().getSubcommands().get("train"));
        assertTrue(train.lines().anyMatch(l -> l.matches("\\s+2\\s+usage or configuration error.*")), train);
    }

    @Test
    void optionsComeInOneOrderEverywhere() {
        List<String> trailing = List.of("--plugin-dir", "--verbose", "--quiet", "--help", "--version");
        for (CommandLine cl : allCommands()) {
            List<String> listed = usage(cl).lines().map(OPTION_LINE::matcher).filter(Matcher::find)
                    .map(m -> m.group(1)).toList();
            assertTrue(listed.containsAll(List.of("--verbose", "--quiet", "--help")), name(cl) + ": " + listed);
            List<Integer> ranks = listed.stream().map(trailing::indexOf).toList();
            int last = -1;
            for (int i = 0; i < ranks.size(); i++) {
                int r = ranks.get(i);
                assertTrue(r == -1 ? last == -1 : r > last, name(cl) + ": the command's own options first, then "
                        + trailing + " in this order; got " + listed);
                last = Math.max(last, r);
            }
        }
    }

    @Test
    void everyCommandThatResolvesNamesTakesPluginDir() {
        Set<String> without = new TreeSet<>();
        for (CommandLine cl : allCommands()) {
            boolean leaf = cl.getSubcommands().isEmpty();
            if (leaf && cl.getCommandSpec().findOption("--plugin-dir") == null) {
                without.add(name(cl));
            }
        }
        assertEquals(new TreeSet<>(WITHOUT_PLUGIN_DIR), without,
                "a command that looks up datasets, taxonomies, models or strategies needs @Mixin PluginOptions");
    }

    @Test
    void onlyVersionAsksForTheVersionsWhichLoadsTensorFlow() {
        AtomicInteger calls = new AtomicInteger();
        CommandLine.IVersionProvider counting = () -> {
            calls.incrementAndGet();
            return new String[] {"mseg-cli test"};
        };
        CommandLine cl = new CommandLine(new MsegCommand());
        cl.getCommandSpec().versionProvider(counting);
        MsegCommand.configure(cl, counting);
        List<CommandLine> all = new ArrayList<>();
        collect(cl, all);
        all.forEach(HelpTextTest::usage);
        cl.setOut(new PrintWriter(new StringWriter()));
        cl.execute("model", "summary", "--help");
        assertEquals(0, calls.get(), "help or parsing must not load TensorFlow's native library");
        cl.execute("model", "summary", "--version");
        assertEquals(1, calls.get());
    }

    @Test
    void subcommandVersionShowsTheNativeLibraries() {
        CliTest.Run r = CliTest.run("model", "summary", "--version");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("mseg-cli "), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("TensorFlow \\d+\\.\\d+.*")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("OpenCV \\d+\\.\\d+\\.\\d+ \\(JavaCPP .*\\)")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("Java ")), r.out());
        assertFalse(r.out().contains("unavailable"), r.out());
    }
}
