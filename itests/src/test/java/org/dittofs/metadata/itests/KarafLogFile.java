package org.dittofs.metadata.itests;

import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.ops4j.pax.exam.Option;

/**
 * Karaf's own log file ({@code karaf.log}, what {@code log:display} shows) moved to a file under
 * the run's data directory, so that it outlives the container: a test in the next container reads
 * what the previous one logged while it stopped. Lines are Karaf's pattern: {@code time | LEVEL |
 * thread | logger | bundle id - bundle name - version | message}.
 */
final class KarafLogFile {
  private KarafLogFile() {}

  static Path path(String name) {
    return Path.of(System.getProperty("dittofs.itest.data"), name).toAbsolutePath();
  }

  /** The option that makes the container append to {@code name} (runner JVM). */
  static Option option(String name) {
    return editConfigurationFilePut(
        ItestSupport.PAX_LOGGING, "log4j2.appender.rolling.fileName", path(name).toString());
  }

  /** The lines of the file, or none if it does not exist yet. */
  static List<String> lines(String name) {
    Path p = path(name);
    try {
      return Files.exists(p) ? Files.readAllLines(p) : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Warnings and errors of the project's bundles or loggers: a line {@code time | LEVEL | thread |
   * logger | id - bundle - version | message} whose logger or bundle is the project's. Another
   * bundle's warning that only names one of ours in its message (Aries JMX dropping the bundle
   * events of a framework that is stopping) is not the project's.
   */
  static List<String> problems(List<String> lines) {
    return lines.stream()
        .filter(l -> l.contains("| WARN ") || l.contains("| ERROR "))
        .filter(KarafLogFile::ours)
        .toList();
  }

  private static boolean ours(String line) {
    String[] f = line.split(" \\| ", 6);
    return f.length < 6 ? line.contains("dittofs") : (f[3] + f[4]).contains("dittofs");
  }
}
