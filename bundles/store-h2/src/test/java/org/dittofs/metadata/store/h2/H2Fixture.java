package org.dittofs.metadata.store.h2;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.dittofs.metadata.spi.MetadataStore;
import org.dittofs.metadata.store.testkit.LocatedStoreFixture;

/**
 * The H2 store for the kit's suites: every {@link #create()} opens a store in a fresh temporary
 * directory; {@link #reopen()} opens the same directory again once the suite has closed the
 * previous store (H2 closes the database file with the store's last connection); {@link #dispose()}
 * closes what is open and deletes the directory.
 */
final class H2Fixture extends LocatedStoreFixture<Path> {
  @Override
  public String name() {
    return "h2";
  }

  @Override
  protected Path newLocation() {
    try {
      return Files.createTempDirectory("dittofs-h2-kit-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for the H2 store", e);
    }
  }

  @Override
  protected MetadataStore open(Path directory) {
    return H2Stores.open(directory);
  }

  @Override
  public boolean exists(Path directory) {
    return Files.exists(directory);
  }

  @Override
  protected void delete(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the H2 store directory " + root, e);
    }
  }
}
