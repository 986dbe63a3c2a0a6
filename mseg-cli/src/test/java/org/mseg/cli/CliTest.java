package org.mseg.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CliTest {

    /** Output, error output and exit code of one CLI invocation. */
    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        CommandLine cl = MsegCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void versionAndHelpExitZero() {
        Run v = run("--version");
        assertEquals(0, v.code());
        assertTrue(v.out().startsWith("mseg-cli "), v.out());
        Run h = run("--help");
        assertEquals(0, h.code());
        assertTrue(h.out().contains("taxonomy") && h.out().contains("plugins"), h.out());
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(2, run("--no-such-option").code());
        assertEquals(2, run("taxonomy", "bogus").code());
        assertEquals(2, run("taxonomy", "map", "cityscapes-19").code(), "missing TO");
    }

    @Test
    void unknownTaxonomyExitsTwoAndListsTheAvailableOnes() {
        Run r = run("taxonomy", "show", "cityscape-19");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("Unknown taxonomy 'cityscape-19'"), r.err());
        assertTrue(r.err().contains("Did you mean 'cityscapes-19'?"), r.err());
    }

    @Test
    void taxonomyListShowsKindAndClassCount() {
        Run r = run("taxonomy", "list");
        assertEquals(0, r.code());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("universal\\s+universal\\s+194\\s+.*")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("naive\\s+naive\\s+315\\s+.*")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("camvid-11\\s+test\\s+11\\s+.*")), r.out());
    }

    @Test
    void taxonomyMapIsReadable() {
        Run r = run("taxonomy", "map", "cityscapes-19", "universal");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("12\\s+rider\\s+->\\s+127 bicyclist")), r.out());
        Run p = run("taxonomy", "map", "universal", "camvid-11");
        assertTrue(p.out().lines().anyMatch(l -> l.matches("10\\s+Bicyclist\\s+<-\\s+127 bicyclist, 175 bicycle")),
                p.out());
    }

    @Test
    void exportWritesTheDocumentAtomically(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sub/taxonomy.json");
        Run r = run("taxonomy", "export", "--format", "json", "--out", file.toString());
        assertEquals(0, r.code(), r.err());
        String json = Files.readString(file);
        assertTrue(json.startsWith("{\n  \"universal\": [\"backpack\", "), json.substring(0, 80));
        assertTrue(json.contains("\"cityscapes-19\": {\n      \"classes\": [\"road\""), "dataset entry");
        assertTrue(json.contains("\"tests\": {"));
        try (var files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList(), "no temporary file left behind");
        }
        assertEquals(2, run("taxonomy", "export", "--format", "xml").code());
        // the mode a plain write gets under this process's umask (rw-r--r-- under 022), not createTempFile's rw-------
        Path plain = Files.writeString(dir.resolve("plain.txt"), "x");
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(file));
    }

    @Test
    void exportDocumentHasTheAgreedShape() {
        var doc = TaxonomyCommand.document(org.mseg.taxonomy.TaxonomyConverter.of(
                org.mseg.api.plugin.PluginEnvironment.boot()));
        assertEquals(List.of("universal", "naive", "datasets", "tests"), List.copyOf(doc.keySet()));
        @SuppressWarnings("unchecked")
        var datasets = (java.util.Map<String, java.util.Map<String, Object>>) doc.get("datasets");
        assertEquals(21, datasets.size(), "7 training + 8 relabeled + 6 test taxonomies");
        @SuppressWarnings("unchecked")
        List<Integer> city = (List<Integer>) datasets.get("cityscapes-19").get("toUniversal");
        assertEquals(127, city.get(12));
        @SuppressWarnings("unchecked")
        List<Integer> naive = (List<Integer>) datasets.get("cityscapes-19-relabeled").get("toNaive");
        assertEquals("sidewalk_pavement", ((List<?>) datasets.get("cityscapes-19-relabeled").get("classes")).get(12));
        assertEquals(null, naive.get(12), "a universal-only name has no naive class: null, not 255");
    }

    @Test
    void pluginsListShowsModuleAndLocation() {
        Run r = run("plugins", "list", "--plugin-dir", "/nonexistent");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("taxonomy\\s+universal\\s+org\\.mseg\\.taxonomy\\s+.*")),
                r.out());
    }

    @Test
    void modelSummaryPrintsTheW48ParameterCount() {
        Run r = run("model", "summary", "--arch", "hrnet", "--width", "48", "--num-classes", "194");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Trainable parameters: 65,985,554"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("upsample") && l.contains("713x713x194")), r.out());
        assertEquals(2, run("model", "summary", "--arch", "hrnett").code());
        assertEquals(2, run("model", "summary", "--width", "64").code());
        assertEquals(2, run("model", "summary", "--variant", "tiny", "--input", "32x33").code());
    }

    @Test
    void datasetsListShowsEveryBuiltInDatasetAndWhetherItIsFound(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("Cityscapes"));
        Run r = run("datasets", "list", "--data-root", root.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("cityscapes-19\\s+cityscapes-19\\s+19\\s+\\S*val\\S*\\s+Cityscapes\\s+yes")),
                r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("bdd\\s+bdd\\s+19\\s+\\S+\\s+BDD/bdd100k\\s+no")), r.out());
        assertEquals(22, r.out().lines().count(), "header and 21 datasets");
    }

    /** A test body that may throw. */
    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    /**
     * Runs {@code body} with the system property {@code mseg.home} (where the demo caches its synthetic data and the
     * default plugin folder lies) set to {@code home}, and restores the previous value afterwards.
     */
    static void withHome(Path home, Body body) throws Exception {
        String before = System.getProperty("mseg.home");
        System.setProperty("mseg.home", home.toString());
        try {
            body.run();
        } finally {
            if (before == null) {
                System.clearProperty("mseg.home");
            } else {
                System.setProperty("mseg.home", before);
            }
        }
    }
}
