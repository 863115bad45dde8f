// Runs EPUBCheck on many EPUB files in one JVM: each check is exactly the command line's
// (`java -jar epubcheck.jar BOOK --json REPORT`, through EpubChecker.run), without starting
// and warming up a JVM for every book.
// Reads one request per line on standard input: BOOK<TAB>REPORT (paths). For each, writes
// on standard output "@@epubcheck DONE <exit code>"; anything EPUBCheck prints goes to
// standard error, so that standard output carries only these lines.
// Used by converter/check/epubcheck.py, which keeps this process open for a whole session.

import com.adobe.epubcheck.tool.EpubChecker;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

public final class EpubCheckServer {
    private static final String MARK = "@@epubcheck ";

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8");
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true, "UTF-8"));
        out.println(MARK + "READY");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] request = line.split("\t");
            if (request.length != 2) {
                out.println(MARK + "DONE -1");
                continue;
            }
            int code;
            try {
                code = new EpubChecker().run(new String[] {request[0], "--json", request[1]});
            } catch (Throwable error) {
                System.err.println(error);
                code = -2;
            }
            out.println(MARK + "DONE " + code);
        }
    }
}
