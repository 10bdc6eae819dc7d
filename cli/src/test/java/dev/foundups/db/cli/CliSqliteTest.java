package dev.foundups.db.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line where only SQLite has the behaviour: a database that is a file. */
class CliSqliteTest {

    @TempDir
    Path dir;

    @Test
    void statusOnAMissingSqliteFileCreatesNothing() throws Exception {
        Path missing = dir.resolve("nothing-here.db");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = FoundupsDbCli.execute(new PrintWriter(out), new PrintWriter(err), Map.of(),
                "--url", "jdbc:sqlite:" + missing, "status");
        CliTest.Run status = new CliTest.Run(code, out.toString(), err.toString());
        assertEquals(1, status.exitCode());
        assertEquals("foundups-db: there is no database at " + missing + ": run 'foundups-db init' to create it\n",
                status.err());
        assertFalse(Files.exists(missing));
    }

}
