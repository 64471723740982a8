package org.dittofs.metadata.shell;

/**
 * The words of the operator commands: one usage line and one description per command and argument,
 * shared by the Gogo functions (printed on {@code --help}), the Karaf actions (their
 * {@code @Command}, {@code @Argument} and {@code @Option} annotations, which need constants) and
 * the overviews {@code lock:help} and {@code store:help}.
 */
public final class Usage {
  private Usage() {}

  public static final String LOCK_SCOPE = "lock";
  public static final String STORE_SCOPE = "store";
  public static final String CLUSTER_SCOPE = "cluster";

  // ---- cluster:*

  public static final String NODES = "cluster:nodes";
  public static final String NODES_TEXT =
      "List the nodes of the cluster this server belongs to (live or gone, since when, last"
          + " heartbeat, registered clients); this node is marked *.";

  // ---- lock:*

  public static final String LIST = "lock:list [file]";
  public static final String ACQUIRE =
      "lock:acquire <owner> <file> <offset> <length|eof> [shared|exclusive] [posix|windows]";
  public static final String RELEASE =
      "lock:release <owner> <file> <offset> <length|eof> [posix|windows]";
  public static final String TEST =
      "lock:test <owner> <file> <offset> <length|eof> [shared|exclusive] [posix|windows]";
  public static final String RECLAIM =
      "lock:reclaim <owner> <file> <offset> <length|eof> [shared|exclusive] [posix|windows]";
  public static final String COMPLETE = "lock:complete <owner>...";
  public static final String CLIENTS = "lock:clients";
  public static final String GRACE = "lock:grace";
  public static final String STATS = "lock:stats [-a|--all]";

  public static final String LIST_TEXT =
      "List the locks of one file, or of every file that has locks; restored locks are marked.";
  public static final String ACQUIRE_TEXT =
      "Take a lock without waiting (exclusive posix unless given): prints GRANTED, or REFUSED with"
          + " the conflicting lock.";
  public static final String RELEASE_TEXT =
      "Release bytes: posix releases any bytes (splitting locks), windows one lock of exactly that"
          + " range; the flavour defaults to that of the owner's locks on the file.";
  public static final String TEST_TEXT =
      "Would this lock be granted now? Changes nothing (F_GETLK, NLM_TEST, LOCKT).";
  public static final String RECLAIM_TEXT =
      "Take back a lock held before the restart, during the grace period.";
  public static final String COMPLETE_TEXT =
      "The owners' clients have reclaimed all they want (RECLAIM_COMPLETE); grace ends early once"
          + " every expected client is complete.";
  public static final String CLIENTS_TEXT = "List the clients the lock manager knows.";
  public static final String GRACE_TEXT =
      "Show the grace period after a restart: time left, restored and reclaimed records.";
  public static final String STATS_TEXT =
      "Show locks, clients and grace now, and the event counters and wait times since the shell"
          + " attached (--all: zero counters too).";
  public static final String LOCK_HELP_TEXT = "Show the lock commands and their arguments.";

  public static final String OWNER_TEXT = "lock owner id; it acts through the client shell:<owner>";
  public static final String FILE_TEXT =
      "file name in share '" + DemoShare.NAME + "' (handle = its UTF-8 bytes)";
  public static final String OFFSET_TEXT = "first byte: an unsigned 64-bit number";
  public static final String LENGTH_TEXT =
      "bytes: an unsigned 64-bit number, or eof (to the end of file); 0 is eof for posix and a"
          + " zero-length range for windows";
  public static final String MODIFIERS_TEXT =
      "shared or exclusive (default exclusive), posix or windows (default posix), in any order";
  public static final String FLAVOUR_TEXT =
      "posix or windows (default: the flavour of the owner's locks on the file)";
  public static final String ALL_TEXT = "show zero counters too";

  static final String LOCK_HELP =
      """
      %s
                              locks per file (all files with locks, or one file)
      %s
                              take a lock now (default exclusive posix); prints GRANTED or
                              REFUSED with the conflicting lock
      %s
                              release bytes (posix: any bytes, splitting; windows: one lock of
                              exactly that range); the flavour defaults to the owner's locks
      %s
                              would it be granted? changes nothing (F_GETLK, NLM_TEST, LOCKT)
      %s
                              take back a lock held before the restart, during the grace period
      %s
                              the owners' clients have reclaimed all they want (RECLAIM_COMPLETE);
                              grace ends early once every expected client is complete
      %-23s clients known to the lock manager
      %-23s the grace period after a restart: remaining time, restored records
      %-23s locks, clients and grace now; event counters and wait times since
                              the shell attached (--all: zero counters too)
      Offsets and lengths are unsigned 64-bit numbers; length 'eof' (or 0 for posix) locks to the
      end of file, length 0 for windows is a zero-length range. Files are in share '%s'; an owner
      acts through client 'shell:<owner>'. <command> --help shows one command.
      """
          .formatted(
              LIST,
              ACQUIRE,
              RELEASE,
              TEST,
              RECLAIM,
              COMPLETE,
              CLIENTS,
              GRACE,
              STATS,
              DemoShare.NAME);

  // ---- store:*

  /** The configuration PID of the metadata service, whose store.target selects the store. */
  public static final String SERVICE_PID = "org.dittofs.metadata.service";

  public static final String SHOW = "store:show";
  public static final String SWAP = "store:swap <type> [name]";
  public static final String SHOW_TEXT =
      "Show the store in use, the store.target in force (and the configured one when it was"
          + " refused), whether the service waits for a matching store, the stores available and"
          + " what the service holds.";
  public static final String SWAP_TEXT =
      "Hot-swap the metadata service to the store of this type (and name) by setting store.target"
          + " of "
          + SERVICE_PID
          + "; locks stay held, lock traffic waits during the copy.";
  public static final String STORE_HELP_TEXT = "Show the store commands.";
  public static final String TYPE_TEXT = "store.type of a registered store: memory, h2, postgres";
  public static final String NAME_TEXT = "store.name of a registered store of that type";

  static final String STORE_HELP =
      """
      %-23s the store in use, the store.target in force (and the configured one if
                              it was refused), the stores available and what the service holds
      %-23s hot-swap to the store with store.type=<type> (and store.name=<name>)
                              by setting store.target of configuration %s;
                              locks stay held, lock traffic waits during the copy
      <command> --help shows one command.
      """
          .formatted(SHOW, SWAP, SERVICE_PID);
}
