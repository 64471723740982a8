package org.dittofs.metadata.store.h2;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.dittofs.metadata.spi.MetadataStore;
import org.dittofs.metadata.store.jdbc.JdbcMetadataStore;
import org.dittofs.metadata.store.testkit.StoreFixture;

/**
 * The H2 store for the kit's suites: every {@link #create()} opens a store in a fresh temporary
 * directory; {@link #reopen()} opens the same directory again once the suite has closed the
 * previous store (H2 closes the database file with the store's last connection); {@link #dispose()}
 * closes what is open and deletes the directory.
 */
final class H2Fixture implements StoreFixture {
  private Path directory;
  private JdbcMetadataStore current;

  @Override
  public String name() {
    return "h2";
  }

  @Override
  public boolean isDurable() {
    return true;
  }

  @Override
  public MetadataStore create() {
    dispose();
    try {
      directory = Files.createTempDirectory("dittofs-h2-kit-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for the H2 store", e);
    }
    current = H2Stores.open(directory);
    return current;
  }

  @Override
  public MetadataStore reopen() {
    if (directory == null) {
      throw new IllegalStateException("reopen() before create()");
    }
    current = H2Stores.open(directory);
    return current;
  }

  /** The directory of the current store, or null before create() and after dispose(). */
  Path directory() {
    return directory;
  }

  @Override
  public void dispose() {
    try {
      if (current != null) {
        current.close(); // idempotent: the suite may have closed it already
      }
    } finally {
      current = null;
      if (directory != null) {
        deleteTree(directory);
        directory = null;
      }
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the H2 store directory " + root, e);
    }
  }
}
