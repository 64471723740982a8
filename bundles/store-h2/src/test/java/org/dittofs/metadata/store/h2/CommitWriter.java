package org.dittofs.metadata.store.h2;

import java.nio.file.Path;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.store.jdbc.JdbcMetadataStore;
import org.dittofs.metadata.store.jdbc.Records;

/**
 * The child process of {@link H2CrashTest}: commits lock records one transaction at a time into the
 * store in {@code args[0]} and prints {@code committed <n>} after each commit returns, until it is
 * killed.
 */
public final class CommitWriter {
  private CommitWriter() {}

  public static void main(String[] args) {
    JdbcMetadataStore store = H2Stores.open(Path.of(args[0]));
    for (int i = 0; ; i++) {
      String id = "1." + i;
      store.inTransaction(
          tx -> {
            tx.locks().putLock(Records.lock(id, "writer", ByteRange.span(0, 1)));
            return null;
          });
      System.out.println("committed " + i);
      System.out.flush();
    }
  }
}
