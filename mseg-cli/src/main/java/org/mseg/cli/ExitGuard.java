package org.mseg.cli;

import java.io.PrintStream;
import java.lang.module.ResolvedModule;
import java.util.Map;
import java.util.Optional;
import org.mseg.api.plugin.PluginEnvironment;

/**
 * Keeps plugin code from ending the CLI with a success code. A plugin that calls {@code System.exit(0)} (in a
 * constructor, a static initialiser, or later) would otherwise end any command with exit code 0 and nothing done.
 *
 * <p>{@link Main} installs the guard before any plugin is loaded and marks it finished just before its own
 * {@code System.exit}. A shutdown hook that runs while the command is unfinished finds the thread that called
 * {@code System.exit}, prints which class (module, jar) called it and which provider discovery was loading at that
 * moment, and halts the JVM with {@link MsegCommand#FAILURE}; {@code Runtime.halt} is allowed inside a hook and
 * overrides the plugin's status. An exit by a signal (Ctrl-C: no thread is in {@code System.exit}) is left alone.
 *
 * <p>A shutdown hook rather than a {@code SecurityManager}: the security manager is deprecated for removal since
 * Java 17, needs {@code -Djava.security.manager=allow} and prints warnings on every run.
 */
final class ExitGuard {
    private static volatile PluginEnvironment watched;
    private static volatile boolean finished;

    private ExitGuard() {
    }

    /** Installs the shutdown hook; call once, before plugins are loaded. */
    static void install() {
        Runtime.getRuntime().addShutdownHook(new Thread(ExitGuard::onShutdown, "mseg-exit-guard"));
    }

    /** The CLI reached its normal end: the coming exit is its own. */
    static void finished() {
        finished = true;
    }

    /** The environment whose plugin code runs in this command, to name it if it ends the JVM. */
    static void watch(PluginEnvironment environment) {
        watched = environment;
    }

    private static void onShutdown() {
        if (finished) {
            return;
        }
        Optional<StackTraceElement> caller = exitCaller();
        if (caller.isEmpty()) {
            return; // a signal or the last thread ending, not code calling System.exit
        }
        report(System.err, caller.get(), watched);
        System.err.flush();
        Runtime.getRuntime().halt(MsegCommand.FAILURE);
    }

    /** The frame that called {@code System.exit} (or {@code Runtime.exit}) on some thread, if one did. */
    static Optional<StackTraceElement> exitCaller() {
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            StackTraceElement[] frames = e.getValue();
            for (int i = 0; i < frames.length; i++) {
                if (frames[i].getClassName().equals("java.lang.Runtime") && frames[i].getMethodName().equals("exit")) {
                    int c = i + 1;
                    if (c < frames.length && frames[c].getClassName().equals("java.lang.System")
                            && frames[c].getMethodName().equals("exit")) {
                        c++;
                    }
                    if (c < frames.length) {
                        return Optional.of(frames[c]);
                    }
                }
            }
        }
        return Optional.empty();
    }

    static void report(PrintStream err, StackTraceElement caller, PluginEnvironment env) {
        String module = caller.getModuleName();
        String where = caller.getClassName() + "." + caller.getMethodName()
                + (module == null ? " (class path)" : " (module " + module + locationOf(module, env) + ")");
        Optional<String> running = env == null ? Optional.empty() : env.runningPluginCode();
        err.println("error: " + where + " called System.exit before mseg-cli finished"
                + running.map(r -> ", while loading " + r).orElse("") + ". Plugins must not exit the JVM;"
                + " the command did not complete. Fix the plugin or remove its jar"
                + (env == null || env.pluginJars().isEmpty() ? "" : " (plugin jars: " + env.pluginJars() + ")")
                + ".");
    }

    private static String locationOf(String module, PluginEnvironment env) {
        ModuleLayer layer = env == null ? ModuleLayer.boot() : env.layer();
        return layer.configuration().findModule(module).map(ResolvedModule::reference)
                .flatMap(r -> r.location()).map(u -> ", " + (u.getScheme().equals("file")
                        ? java.nio.file.Path.of(u).toString() : u.toString())).orElse("");
    }
}
