// Validates PDFs against PDF/UA-1 or PDF/UA-2 (the flavour argument: ua1, ua2) with the
// veraPDF greenfield engine, one JVM for many files.
// Reads one PDF path per line on standard input; writes for each file on standard output,
// every line prefixed "@@verapdf " so that anything else printed there can be told apart:
//   RESULT <compliant|failed|error> <path>
//   RULE <clause>-<test> <count> <description>   (one line per failed rule)
//   END
// Used by converter/check/verapdf.py, which keeps this process open for a whole session.

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.verapdf.gf.foundry.VeraGreenfieldFoundryProvider;
import org.verapdf.pdfa.Foundries;
import org.verapdf.pdfa.PDFAParser;
import org.verapdf.pdfa.PDFAValidator;
import org.verapdf.pdfa.flavours.PDFAFlavour;
import org.verapdf.pdfa.results.TestAssertion;
import org.verapdf.pdfa.results.ValidationResult;

public final class VeraPdfCheck {
    private static final String MARK = "@@verapdf ";
    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, "UTF-8");
        // veraPDF logs through java.util.logging; keep standard output for results only.
        System.setOut(new PrintStream(System.err, true, "UTF-8"));
        VeraGreenfieldFoundryProvider.initialise();
        PDFAFlavour flavour = PDFAFlavour.fromString(args.length > 0 ? args[0] : "ua1");
        out.println(MARK + "READY");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String path;
        while ((path = in.readLine()) != null) {
            if (path.isEmpty()) continue;
            validate(new File(path), flavour, out);
        }
    }

    private static void validate(File file, PDFAFlavour flavour, PrintStream out) {
        try (PDFAParser parser = Foundries.defaultInstance().createParser(file, flavour);
             PDFAValidator validator = Foundries.defaultInstance().createValidator(flavour, false)) {
            ValidationResult result = validator.validate(parser);
            Map<String, Integer> counts = new TreeMap<>();
            Map<String, String> descriptions = new TreeMap<>();
            for (TestAssertion assertion : result.getTestAssertions()) {
                if (assertion.getStatus() != TestAssertion.Status.FAILED) continue;
                String rule = assertion.getRuleId().getClause() + "-" + assertion.getRuleId().getTestNumber();
                counts.merge(rule, 1, Integer::sum);
                descriptions.putIfAbsent(rule, oneLine(assertion.getMessage()));
            }
            out.println(MARK + "RESULT " + (result.isCompliant() ? "compliant" : "failed") + " " + file);
            for (Map.Entry<String, Integer> entry : counts.entrySet()) {
                out.println(MARK + "RULE " + entry.getKey() + " " + entry.getValue() + " " + descriptions.get(entry.getKey()));
            }
        } catch (Throwable error) {
            out.println(MARK + "RESULT error " + file);
            out.println(MARK + "RULE error 1 " + oneLine(error.toString()));
        }
        out.println(MARK + "END");
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("\\s+", " ").trim();
    }
}
