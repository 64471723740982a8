package org.dittofs.metadata.store.postgres.cluster;

import static org.dittofs.metadata.store.postgres.TextForms.modes;
import static org.dittofs.metadata.store.postgres.TextForms.range;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockId;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.lock.OpenRequest;
import org.dittofs.metadata.lock.PendingLock;
import org.dittofs.metadata.lock.ShareReservation;
import org.dittofs.metadata.lock.UnlockRequest;
import org.dittofs.metadata.lock.host.LockManager;

/**
 * The test's command language for one lock manager: one line in, one answer line out, with nothing
 * in the answer that differs between two correct managers (no ids, no times). A cluster node (a
 * child JVM, {@link NodeMain}) and the in-process single-node reference run the same lines through
 * this class, so their answers compare as strings.
 *
 * <pre>
 * lock O C F FLAVOUR TYPE RANGE            GRANTED lock | DENIED lock | ERROR CODE
 * lockall O C F FLAVOUR TYPE RANGE [TYPE RANGE]...   GRANTED lock,lock | DENIED lock | ERROR CODE
 * unlock O F FLAVOUR RANGE                 OK | ERROR CODE
 * unlockall O F FLAVOUR RANGE [RANGE]...   OK | ERROR CODE
 * test O C F FLAVOUR TYPE RANGE            FREE | CONFLICT lock | ERROR CODE
 * open O C F ACCESS DENY                   OPEN id | ERROR CODE
 * downgrade F ID ACCESS DENY               OK | ERROR CODE
 * close F ID                               OK | ERROR CODE
 * checkread|checkwrite O F RANGE MODE      OK | ERROR CODE
 * locks F                                  LOCKS lock lock ...
 * opens F                                  OPENS open open ...
 * register C TTL_SECONDS | unregister C    OK | ERROR CODE
 * block H O C F FLAVOUR TYPE RANGE TIMEOUT_MS   GRANTED lock | PENDING | ERROR CODE
 * await H MILLIS                           GRANTED lock | PENDING | ERROR CODE
 * cancel H                                 CANCELLED true|false
 * reclaim O C F FLAVOUR TYPE RANGE         GRANTED lock | DENIED lock | ERROR CODE
 * reclaimdone C                            OK
 * grace                                    GRACE on|off expected=N completed=N restored=N reclaimed=N
 * endgrace                                 OK
 * count                                    COUNT n (the lock records of the whole lock space)
 * </pre>
 *
 * RANGE is {@code first-last} (unsigned decimal, both inclusive) or {@code @offset} (zero-length);
 * ACCESS and DENY are letters of {@code RWD} or {@code -}; FLAVOUR {@code posix|windows}; TYPE
 * {@code shared|exclusive}; MODE {@code advisory|mandatory}. A lock is written {@code
 * owner@client:TYPE:FLAVOUR:RANGE}, an open {@code owner@client:ACCESS:DENY}. Owners, clients and
 * files are single words; the client's adapter is {@value #ADAPTER}, every lock's share {@value
 * #SHARE}. A blocking request is named by the test ({@code H}): its pending answer is kept in the
 * map given with the command. Stateless.
 */
public final class NodeCommands {
  static final String ADAPTER = "test";
  static final String SHARE = "s";

  private NodeCommands() {}

  /** Runs one command line on {@code m}; never throws for a refusal of the manager. */
  public static String run(LockManager m, String line) {
    return run(m, new java.util.HashMap<>(), line);
  }

  /**
   * Runs one command line on {@code m}, with the pending blocking requests of earlier commands in
   * {@code pending}; never throws for a refusal of the manager.
   */
  public static String run(LockManager m, java.util.Map<String, PendingLock> pending, String line) {
    String[] w = line.trim().split(" +");
    try {
      return switch (w[0]) {
        case "block" -> {
          PendingLock p =
              m.lockBlocking(request(w, 2, w[6], w[7]), Duration.ofMillis(Long.parseLong(w[8])));
          pending.put(w[1], p);
          yield answer(p, 0);
        }
        case "await" -> answer(pending.get(w[1]), Long.parseLong(w[2]));
        case "cancel" -> "CANCELLED " + pending.get(w[1]).cancel();
        case "lock" -> lock(m, w);
        case "lockall" -> lockAll(m, w);
        case "unlock" -> {
          m.unlock(new UnlockRequest(file(w[2]), owner(w[1]), flavour(w[3]), range(w[4])));
          yield "OK";
        }
        case "unlockall" -> {
          List<UnlockRequest> all = new ArrayList<>();
          for (int i = 4; i < w.length; i++) {
            all.add(new UnlockRequest(file(w[2]), owner(w[1]), flavour(w[3]), range(w[i])));
          }
          m.unlockAll(all);
          yield "OK";
        }
        case "test" -> {
          Optional<Lock> c = m.test(request(w, 1, w[5], w[6]));
          yield c.map(l -> "CONFLICT " + lock(l)).orElse("FREE");
        }
        case "open" -> {
          ShareReservation r =
              m.open(
                  new OpenRequest(
                      file(w[3]), SHARE, owner(w[1]), client(w[2]), modes(w[4]), modes(w[5])));
          yield "OPEN " + r.id();
        }
        case "downgrade" -> {
          m.downgrade(file(w[1]), LockId.parse(w[2]), modes(w[3]), modes(w[4]));
          yield "OK";
        }
        case "close" -> {
          m.close(file(w[1]), LockId.parse(w[2]));
          yield "OK";
        }
        case "checkread", "checkwrite" -> {
          LockingMode mode = LockingMode.valueOf(w[4].toUpperCase());
          if (w[0].equals("checkread")) {
            m.checkRead(file(w[2]), owner(w[1]), range(w[3]), mode);
          } else {
            m.checkWrite(file(w[2]), owner(w[1]), range(w[3]), mode);
          }
          yield "OK";
        }
        case "locks" ->
            "LOCKS"
                + m.locks(file(w[1])).stream()
                    .map(l -> " " + lock(l))
                    .collect(Collectors.joining());
        case "opens" ->
            "OPENS"
                + m.opens(file(w[1])).stream()
                    .map(o -> " " + open(o))
                    .collect(Collectors.joining());
        case "register" -> {
          m.registerClient(client(w[1]), "test", Duration.ofSeconds(Long.parseLong(w[2])));
          yield "OK";
        }
        case "unregister" -> {
          m.unregisterClient(client(w[1]));
          yield "OK";
        }
        case "reclaim" -> {
          LockResult r = m.reclaim(request(w, 1, w[5], w[6]));
          yield r instanceof LockResult.Denied d
              ? "DENIED " + lock(d.conflict())
              : "GRANTED " + lock(((LockResult.Granted) r).lock());
        }
        case "reclaimdone" -> {
          m.reclaimComplete(client(w[1]));
          yield "OK";
        }
        case "grace" -> {
          org.dittofs.metadata.lock.GraceStatus g = m.graceStatus();
          yield "GRACE "
              + (g.active() ? "on" : "off")
              + " expected="
              + g.expectedClients().size()
              + " completed="
              + g.completedClients().size()
              + " restored="
              + g.restoredRecords()
              + " reclaimed="
              + g.reclaimedRecords();
        }
        case "endgrace" -> {
          m.endGrace();
          yield "OK";
        }
        case "count" -> "COUNT " + m.lockCount();
        default -> throw new IllegalArgumentException("unknown command: " + line);
      };
    } catch (StoreError e) {
      if (e.code() == org.dittofs.metadata.errors.ErrorCode.STORE_UNAVAILABLE) {
        e.printStackTrace(); // to the node's log: a database problem, not an answer of the contract
      }
      return "ERROR " + e.code();
    }
  }

  /** A pending request's answer once done, or PENDING if it is not within {@code millis}. */
  private static String answer(PendingLock p, long millis) {
    try {
      Optional<Lock> l = millis == 0 ? p.poll() : p.await(Duration.ofMillis(millis));
      return l.map(x -> "GRANTED " + lock(x)).orElse("PENDING");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String lock(LockManager m, String[] w) {
    LockResult r = m.lock(request(w, 1, w[5], w[6]));
    return r instanceof LockResult.Denied d
        ? "DENIED " + lock(d.conflict())
        : "GRANTED " + lock(((LockResult.Granted) r).lock());
  }

  private static String lockAll(LockManager m, String[] w) {
    List<LockRequest> all = new ArrayList<>();
    for (int i = 5; i + 1 < w.length; i += 2) {
      all.add(request(w, 1, w[i], w[i + 1]));
    }
    LockResult r = m.lockAll(all);
    if (r instanceof LockResult.Denied d) {
      return "DENIED " + lock(d.conflict());
    }
    return "GRANTED "
        + ((LockResult.Granted) r)
            .locks().stream().map(NodeCommands::lock).collect(Collectors.joining(","));
  }

  /** The request of words {@code O C F FLAVOUR} from {@code at}, with a type and range. */
  private static LockRequest request(String[] w, int at, String type, String range) {
    return LockRequest.builder(file(w[at + 2]), owner(w[at]))
        .share(SHARE)
        .client(client(w[at + 1]))
        .flavour(flavour(w[at + 3]))
        .type(LockType.valueOf(type.toUpperCase()))
        .range(range(range))
        .build();
  }

  static FileHandle file(String name) {
    return FileHandle.of(name);
  }

  static LockOwner owner(String name) {
    return LockOwner.of(name);
  }

  static LockClient client(String name) {
    return new LockClient(name, ADAPTER);
  }

  static LockFlavour flavour(String word) {
    return LockFlavour.valueOf(word.toUpperCase());
  }

  static String lock(Lock l) {
    return l.owner().id()
        + "@"
        + l.client().id()
        + ":"
        + l.type()
        + ":"
        + l.flavour()
        + ":"
        + range(l.range());
  }

  static String open(ShareReservation o) {
    return o.owner().id() + "@" + o.client().id() + ":" + modes(o.access()) + ":" + modes(o.deny());
  }
}
