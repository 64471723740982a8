package org.dittofs.metadata.lock.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.lock.internal.ModelHarness.Chooser;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.Held;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.OpenRec;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.Span;
import org.dittofs.metadata.lock.testing.WaitForEdges;

/**
 * The reference model of the lock manager's life: {@link ReferenceLockModel} (the granted locks and
 * the opens, SPEC 1-4, 6, 7) extended with waiting (SPEC 5), clients (9), restarts (10) and grace
 * (11). Written from docs/lock-semantics.md, sharing no code with the implementation.
 *
 * <ul>
 *   <li><b>Waiting.</b> Per file a FIFO of blocking requests. A request meets a conflict if a lock
 *       conflicts with its range or, for POSIX, with the record it would coalesce into; otherwise,
 *       under FIFO fairness, if a conflicting request is queued ahead of it (all queued requests
 *       for a newcomer). A POSIX request that only keeps or weakens bytes its owner holds (a
 *       downgrade) never waits behind waiters. A request that must wait waits on the owners of the
 *       conflicting locks (on the coalesced range) and, unless it is a downgrade, of the
 *       conflicting requests ahead of it; its own owner is ignored. If those edges close a cycle of
 *       the wait-for graph over owners, it fails with DEADLOCK. After every change of a file's
 *       locks or queue (a grant of any kind, a release, a cancel, a timeout, a client's departure)
 *       the file's queue is re-checked in FIFO order: each request is granted if nothing conflicts,
 *       else its edges are recomputed (DEADLOCK if they close a cycle); a pass that granted or
 *       removed a request is repeated. A request whose owner holds locks of the other flavour when
 *       it could be granted fails with INVALID_ARGUMENT.
 *   <li><b>Time.</b> Virtual nanoseconds since the current manager started. Timers (the grace
 *       period, each queued request's deadline, each ttl release, each lease running out) fire in
 *       due order, ties in the order they were set. A lease runs out 1 ns after a whole second, the
 *       other timers fall on whole seconds: they never tie with it.
 *   <li><b>Clients.</b> Owner {@code o} comes through client {@code o % 4}. Unregistering a
 *       registered client (ttl 0) and a reboot release everything of its owners now: their queued
 *       requests fail with CANCELLED, their locks and opens go, and the queues are re-checked. A
 *       client that unregisters with a ttl keeps everything until the ttl runs out, unless it
 *       registers again first. A request refreshes its client once it is well-formed (its flavour
 *       matches its owner's); a registered client silent for longer than the lease is a courtesy
 *       client: a conflicting request of another client revokes its conflicting locks, in the order
 *       the conflict is reported (lowest first byte, then oldest), until it meets a lock of a
 *       client that is not a courtesy one; a test ignores them; a clashing open closes its clashing
 *       opens. At the moment a client becomes a courtesy client (its last request plus the lease
 *       plus 1 ns), the queue of every file where it holds a lock that conflicts with the record a
 *       queued request of another client would leave is re-checked, as after a change of the file:
 *       that request then revokes as a new one would. Files due at one moment are re-checked in an
 *       order the {@link Chooser} picks (the manager keeps one timer per file).
 *   <li><b>Fairness and limits</b> ({@link LifecyclePolicy}). Under BARGING queued requests block
 *       nobody and nobody waits on them. A grant that adds records (not a downgrade, not a reclaim)
 *       is refused with LOCK_LIMIT_EXCEEDED if the file's, the client's or the total record count
 *       would pass its maximum, checked in that order and reported with the count before the
 *       request; a blocking request that must wait is refused if the file's queue is full.
 *   <li><b>Store.</b> Grants, upgrades, opens and reclaims are written before they are
 *       acknowledged: while the store is down they fail with STORE_UNAVAILABLE and change nothing
 *       (a waiter whose grant fails fails with that error). A one-shot fault may hit any one write
 *       while it is armed: the model lets {@link Chooser} decide which synchronous write it hits,
 *       if any (the harness tries the choices against the manager). Releases never fail.
 *   <li><b>Restart.</b> The store is brought up and its faults cleared first. A clean close cancels
 *       the queued requests; a crash abandons them. Either way the new manager restores every lock
 *       and open as a <i>restored</i> record (kept apart from live state: a restored POSIX record
 *       is never coalesced with a live one it touches) and enters grace if it restored anything or
 *       the stop was a crash; with nothing restored, grace ends as it is entered (every restored
 *       record is reclaimed).
 *   <li><b>Grace.</b> New locks and opens fail with GRACE_PERIOD; reclaims of a restored record of
 *       the same owner and client with the same range and the same or a weaker type (opens: subset
 *       modes) replace it by a live one (coalesced with the owner's live locks, and denied if that
 *       record would conflict, as every grant). Grace ends when its timer fires, every expected
 *       client declared reclaim-complete, or no restored record is left; restored records left then
 *       are released.
 * </ul>
 */
final class LifecycleModel {
  static final int CLIENTS = 4;
  static final long SECOND = 1_000_000_000L;
  static final int GRACE_SECONDS = 45;
  static final int DEFAULT_TIMEOUT_SECONDS = 30;

  static int clientOf(int owner) {
    return owner % CLIENTS;
  }

  enum Status {
    PENDING,
    GRANTED,
    FAILED,
    /** Queued when its manager crashed: nobody will ever complete it. */
    ORPHANED
  }

  /** A blocking request: queued, granted or failed. */
  static final class Req {
    final int number;
    final int owner;
    final int file;
    final LockFlavour flavour;
    final LockType type;
    final Span span;
    long due;
    long seq;
    Set<Integer> blockers = Set.of();
    Status status = Status.PENDING;
    ErrorCode code;
    Limit limit;

    Req(int number, int owner, int file, LockFlavour flavour, LockType type, Span span) {
      this.number = number;
      this.owner = owner;
      this.file = file;
      this.flavour = flavour;
      this.type = type;
      this.span = span;
    }

    Held asHeld() {
      return new Held(owner, flavour, span, type);
    }

    Req copy() {
      Req r = new Req(number, owner, file, flavour, type, span);
      r.due = due;
      r.seq = seq;
      r.blockers = blockers;
      r.status = status;
      r.code = code;
      r.limit = limit;
      return r;
    }

    @Override
    public String toString() {
      return "?" + number + " " + ModelOp.ownerName(owner) + " " + type + " " + span + " " + status;
    }
  }

  enum Kind {
    INVALID,
    GRACE,
    DENIED_BY_LOCK,
    DENIED_BY_WAITER,
    GRANTED
  }

  /**
   * A decision: for DENIED_BY_LOCK the range the conflict was found on (the request's, or the
   * coalesced record's), for DENIED_BY_WAITER the reported queued request.
   */
  record Verdict(Kind kind, Span checked, Req waiter) {}

  /** What a lockBlocking() call does. */
  enum BlockingOutcome {
    INVALID,
    GRACE,
    GRANTED,
    QUEUED,
    DEADLOCK,
    /** LOCK_LIMIT_EXCEEDED: see {@link #lastLimit()}. */
    LIMIT,
    STORE_UNAVAILABLE
  }

  /**
   * The age rank of a record among the file's records with the same first byte (lower: older), for
   * the order in which courtesy locks are revoked; the model keeps no ages of its own.
   */
  interface Ages {
    int rank(int file, Held h);
  }

  /** A refusal for a limit: which, the count before the request, the maximum. */
  record Limit(String name, long current, long max) {}

  final ReferenceLockModel live = new ReferenceLockModel();
  final LifecyclePolicy policy;
  private Chooser chooser = n -> 0;
  private Ages ages = (f, h) -> Integer.MAX_VALUE;
  private Limit lastLimit;
  private int revocations;
  private final long[] ttlSeconds = new long[CLIENTS];
  private final long[] ttlDue = new long[CLIENTS];
  private final long[] ttlSeq = new long[CLIENTS];
  private final boolean[] ttlArmed = new boolean[CLIENTS];
  private final long[] lastSeen = new long[CLIENTS];
  private boolean storeDown;
  private boolean faultArmed;
  private long healthySince = -LifecyclePolicy.RETRY_SECONDS * SECOND;
  private final List<List<Held>> restored = new ArrayList<>(); // per file, oldest first
  private final List<Set<Integer>> restoredOpens = new ArrayList<>(); // per file, handles
  private final List<List<Req>> queues = new ArrayList<>();
  private final Map<Integer, Req> requests = new HashMap<>(); // not settled, or not verified yet
  private final java.util.BitSet forgottenDone = new java.util.BitSet(); // verified completions
  private final java.util.BitSet forgottenOrphans = new java.util.BitSet(); // verified orphans
  private final boolean[] registered = new boolean[CLIENTS];
  private boolean graceActive;
  private long graceDeadline;
  private int graceRestored;
  private int graceReclaimed;
  private Set<Integer> expected = Set.of();
  private final Set<Integer> completed = new TreeSet<>();
  private Set<Integer> graceFiles = Set.of();
  private long now;
  private long seq;
  private long epoch = 1;
  private final List<String> notes = new ArrayList<>();

  LifecycleModel(LifecyclePolicy policy) {
    this.policy = policy;
    for (int f = 0; f < ReferenceLockModel.FILES; f++) {
      restored.add(new ArrayList<>());
      restoredOpens.add(new HashSet<>());
      queues.add(new ArrayList<>());
    }
  }

  /** An independent copy (to try the orders a client's files may be released in). */
  LifecycleModel copy() {
    LifecycleModel m = new LifecycleModel(policy);
    m.copyFrom(this);
    return m;
  }

  /** Makes this model an independent copy of {@code o}. */
  void copyFrom(LifecycleModel o) {
    live.copyFrom(o.live);
    requests.clear();
    for (Req r : o.requests.values()) {
      requests.put(
          r.number, r.status == Status.PENDING ? r.copy() : r); // settled ones never change
    }
    forgottenDone.clear();
    forgottenDone.or(o.forgottenDone);
    forgottenOrphans.clear();
    forgottenOrphans.or(o.forgottenOrphans);
    for (int f = 0; f < ReferenceLockModel.FILES; f++) {
      ReferenceLockModel.replaceAll(restored.get(f), o.restored.get(f));
      ReferenceLockModel.replaceAll(restoredOpens.get(f), o.restoredOpens.get(f));
      queues.get(f).clear();
      for (Req r : o.queues.get(f)) {
        queues.get(f).add(requests.get(r.number));
      }
    }
    System.arraycopy(o.registered, 0, registered, 0, CLIENTS);
    System.arraycopy(o.ttlSeconds, 0, ttlSeconds, 0, CLIENTS);
    System.arraycopy(o.ttlDue, 0, ttlDue, 0, CLIENTS);
    System.arraycopy(o.ttlSeq, 0, ttlSeq, 0, CLIENTS);
    System.arraycopy(o.ttlArmed, 0, ttlArmed, 0, CLIENTS);
    System.arraycopy(o.lastSeen, 0, lastSeen, 0, CLIENTS);
    storeDown = o.storeDown;
    faultArmed = o.faultArmed;
    healthySince = o.healthySince;
    lastLimit = o.lastLimit;
    revocations = o.revocations;
    graceActive = o.graceActive;
    graceDeadline = o.graceDeadline;
    graceRestored = o.graceRestored;
    graceReclaimed = o.graceReclaimed;
    expected = o.expected;
    ReferenceLockModel.replaceAll(completed, o.completed);
    graceFiles = o.graceFiles;
    now = o.now;
    seq = o.seq;
    epoch = o.epoch;
    ReferenceLockModel.replaceAll(notes, o.notes);
  }

  // ---------------------------------------------------------------- choices, store, leases

  void chooser(Chooser c) {
    chooser = c;
  }

  void ages(Ages a) {
    ages = a;
  }

  /** The limit of the last LOCK_LIMIT_EXCEEDED decided. */
  Limit lastLimit() {
    return lastLimit;
  }

  void storeDown() {
    storeDown = true;
  }

  void storeUp() {
    if (storeDown) {
      storeDown = false;
      healthySince = now;
    }
  }

  void armFault() {
    faultArmed = true;
  }

  boolean storeIsDown() {
    return storeDown;
  }

  boolean faultArmed() {
    return faultArmed;
  }

  /**
   * The one-shot fault hit a write the model does not decide on (a release, a retry, or a grant
   * batched with earlier writes that landed on their own retry): it is spent.
   */
  void faultSpent() {
    if (faultArmed) {
      faultArmed = false;
      healthySince = now;
    }
  }

  /**
   * Whether every write must have landed by now: the store is up with no fault armed, and a retry
   * interval has passed since it became so (a failed release is retried at that interval).
   */
  boolean storeSettled() {
    return !storeDown
        && !faultArmed
        && now - healthySince >= LifecyclePolicy.RETRY_SECONDS * SECOND;
  }

  /** A synchronous write: whether it lands. */
  private boolean storeWrite() {
    if (storeDown) {
      return false;
    }
    if (faultArmed && chooser.choose(2) == 1) {
      faultArmed = false;
      healthySince = now;
      return false;
    }
    return true;
  }

  /** A request of the client: its lease is refreshed. */
  void touch(int client) {
    lastSeen[client] = now;
  }

  /** SPEC 9: registered and silent for longer than the lease. */
  boolean courtesy(int client) {
    return registered[client]
        && policy.leaseSeconds() > 0
        && now - lastSeen[client] > policy.leaseSeconds() * SECOND;
  }

  /** Whether {@code h} is a courtesy client's lock that a request of {@code client} revokes. */
  boolean revocable(Held h, int client) {
    int c = clientOf(h.owner());
    return c != client && courtesy(c);
  }

  // ---------------------------------------------------------------- views

  /** Things that happened inside the model since the last call (for statistics). */
  List<String> drainNotes() {
    List<String> out = List.copyOf(notes);
    notes.clear();
    return out;
  }

  List<Req> queue(int file) {
    return queues.get(file);
  }

  Req request(int number) {
    return requests.get(number);
  }

  /**
   * Drops a settled request whose completion the harness verified (so that copies stay small); a
   * later cancel of it is answered from {@link #forgotten}.
   */
  void forget(int number) {
    Req r = requests.remove(number);
    if (r != null) {
      (r.status == Status.ORPHANED ? forgottenOrphans : forgottenDone).set(number);
    }
  }

  /** For a forgotten request: ORPHANED or GRANTED/FAILED (as FAILED); null if not forgotten. */
  Status forgotten(int number) {
    return forgottenOrphans.get(number)
        ? Status.ORPHANED
        : forgottenDone.get(number) ? Status.FAILED : null;
  }

  int queued() {
    int n = 0;
    for (List<Req> q : queues) {
      n += q.size();
    }
    return n;
  }

  List<Held> restored(int file) {
    return restored.get(file);
  }

  boolean isRestoredOpen(int file, int handle) {
    return restoredOpens.get(file).contains(handle);
  }

  int restoredCount() {
    int n = 0;
    for (int f = 0; f < ReferenceLockModel.FILES; f++) {
      n += restored.get(f).size() + restoredOpens.get(f).size();
    }
    return n;
  }

  boolean registered(int client) {
    return registered[client];
  }

  boolean graceActive() {
    return graceActive;
  }

  long graceRemainingNanos() {
    return graceActive ? Math.max(0, graceDeadline - now) : 0;
  }

  int graceRestored() {
    return graceRestored;
  }

  int graceReclaimed() {
    return graceReclaimed;
  }

  Set<Integer> expectedClients() {
    return expected;
  }

  Set<Integer> completedClients() {
    return completed;
  }

  long epoch() {
    return epoch;
  }

  /** Virtual nanoseconds since the current manager started. */
  long now() {
    return now;
  }

  /** Every lock of the file: live ones, then restored ones. */
  List<Held> records(int file) {
    List<Held> all = live.records(file);
    all.addAll(restored.get(file));
    return all;
  }

  /** The flavour of the locks (live or restored) the owner holds, or null. */
  LockFlavour flavourOf(int owner) {
    LockFlavour f = live.flavourOf(owner);
    if (f != null) {
      return f;
    }
    for (List<Held> list : restored) {
      for (Held h : list) {
        if (h.owner() == owner) {
          return h.flavour();
        }
      }
    }
    return null;
  }

  private boolean flavourMismatch(int owner, LockFlavour flavour) {
    LockFlavour held = flavourOf(owner);
    return held != null && held != flavour;
  }

  /** Lock records (live and restored) held by the owners of each client. */
  long[] recordsPerClient() {
    long[] n = new long[CLIENTS];
    for (int f = 0; f < ReferenceLockModel.FILES; f++) {
      for (Held h : records(f)) {
        n[clientOf(h.owner())]++;
      }
    }
    return n;
  }

  // ---------------------------------------------------------------- decisions

  /** The POSIX type the owner holds on a cell, live or restored, or null. */
  private LockType posixHeld(int file, int owner, int cell) {
    LockType t = live.posixType(file, owner, cell);
    if (t != null) {
      return t;
    }
    for (Held h : restored.get(file)) {
      if (h.owner() == owner && h.flavour() == LockFlavour.POSIX && h.span().holds(cell)) {
        return h.type();
      }
    }
    return null;
  }

  /**
   * Whether a grant changes nothing: a POSIX request for bytes its owner holds with exactly that
   * type. Such a grant is no change of the table, so the queue is not re-checked after it.
   */
  boolean noChange(int file, int owner, LockFlavour flavour, LockType type, Span span) {
    if (flavour != LockFlavour.POSIX || span.zero()) {
      return false;
    }
    for (int c = span.lo(); c <= span.hi(); c++) {
      if (live.posixType(file, owner, c) != type) {
        return false;
      }
    }
    return true;
  }

  /** Whether a POSIX request only keeps or weakens bytes its owner holds (SPEC 4: a downgrade). */
  boolean weakens(int file, int owner, LockFlavour flavour, LockType type, Span span) {
    if (flavour != LockFlavour.POSIX || span.zero()) {
      return false;
    }
    for (int c = span.lo(); c <= span.hi(); c++) {
      LockType held = posixHeld(file, owner, c);
      if (held == null || (type == LockType.EXCLUSIVE && held != LockType.EXCLUSIVE)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The range of the record a POSIX grant would leave: the request widened by the owner's live
   * same-type locks that overlap or touch it and by its restored same-type locks that overlap it (a
   * restored lock that only touches stays apart).
   */
  Span coalesced(int file, int owner, LockFlavour flavour, LockType type, Span span) {
    if (flavour != LockFlavour.POSIX || span.zero()) {
      return span;
    }
    int lo = span.lo();
    int hi = span.hi();
    while (lo > 0 && live.posixType(file, owner, lo - 1) == type) {
      lo--;
    }
    while (hi < ReferenceLockModel.LAST && live.posixType(file, owner, hi + 1) == type) {
      hi++;
    }
    for (Held h : restored.get(file)) {
      if (h.owner() == owner
          && h.flavour() == LockFlavour.POSIX
          && h.type() == type
          && h.span().overlaps(span)) {
        lo = Math.min(lo, h.span().lo());
        hi = Math.max(hi, h.span().hi());
      }
    }
    return Span.cells(lo, hi);
  }

  private boolean anyConflict(int file, int owner, LockType type, Span span) {
    return anyConflict(file, owner, type, span, -1);
  }

  /**
   * A conflict; with {@code ignoreCourtesyFor} >= 0, courtesy locks of other clients do not count.
   */
  private boolean anyConflict(
      int file, int owner, LockType type, Span span, int ignoreCourtesyFor) {
    for (Held h : records(file)) {
      if (ReferenceLockModel.conflicts(h, owner, type, span, false)
          && (ignoreCourtesyFor < 0 || !revocable(h, ignoreCourtesyFor))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Revokes courtesy locks conflicting with the request over {@code span}, in report order, until a
   * conflicting lock of a client that is not a courtesy one comes first (SPEC 9).
   */
  void revokeCourtesy(int file, int owner, LockType type, Span span) {
    revokeCourtesy(file, owner, type, span, List.of());
  }

  /**
   * As above, for an element of a multi-range request: the request's earlier elements ({@code
   * tentative}, the newest records) conflict like locks and are never revoked.
   */
  void revokeCourtesy(int file, int owner, LockType type, Span span, List<Held> tentative) {
    int client = clientOf(owner);
    List<Held> candidates = records(file);
    candidates.addAll(tentative);
    List<Held> conflicting = new ArrayList<>();
    for (Held h : candidates) {
      if (ReferenceLockModel.conflicts(h, owner, type, span, false)) {
        conflicting.add(h);
      }
    }
    if (conflicting.stream().noneMatch(h -> revocable(h, client))) {
      return;
    }
    conflicting.sort(
        (a, b) -> {
          int c = Long.compareUnsigned(a.span().firstByte(), b.span().firstByte());
          return c != 0 ? c : Integer.compare(ages.rank(file, a), ages.rank(file, b));
        });
    Set<Integer> revoked = new HashSet<>();
    for (Held h : conflicting) {
      int c = clientOf(h.owner());
      if (revoked.contains(c)) {
        continue;
      }
      if (tentative.contains(h) || !revocable(h, client)) {
        break;
      }
      revoked.add(c);
      for (Held x : conflicting) {
        if (clientOf(x.owner()) == c && !tentative.contains(x)) {
          live.release(file, x.owner(), x.flavour(), x.span());
        }
      }
      revocations++;
      notes.add("courtesy locks revoked");
    }
  }

  /**
   * Decides a request of {@code owner}: a new one ({@code self} null: every queued request is ahead
   * of it) or the queued {@code self}. New requests are checked for flavour first and, with {@code
   * refuseInGrace}, for grace. Every request, a downgrade included, is checked on its range and on
   * the record it would coalesce into (SPEC 3: a zero-length lock conflicts with a range holding
   * the bytes on both of its sides, which a downgrade joining two records can do). {@code revoke}
   * false (a test) leaves courtesy locks in place and ignores them, true revokes them first.
   */
  Verdict decide(
      int file,
      int owner,
      LockFlavour flavour,
      LockType type,
      Span span,
      Req self,
      boolean refuseInGrace,
      boolean revoke) {
    if (self == null && flavourMismatch(owner, flavour)) {
      return new Verdict(Kind.INVALID, null, null);
    }
    if (refuseInGrace && graceActive) {
      return new Verdict(Kind.GRACE, null, null);
    }
    int ignore = revoke ? -1 : clientOf(owner);
    if (revoke) {
      revokeCourtesy(file, owner, type, span);
    }
    if (anyConflict(file, owner, type, span, ignore)) {
      return new Verdict(Kind.DENIED_BY_LOCK, span, null);
    }
    Span merged = coalesced(file, owner, flavour, type, span);
    if (!merged.equals(span) && revoke) {
      revokeCourtesy(file, owner, type, merged);
    }
    if (!merged.equals(span) && anyConflict(file, owner, type, merged, ignore)) {
      return new Verdict(Kind.DENIED_BY_LOCK, merged, null);
    }
    if (weakens(file, owner, flavour, type, span)) {
      return new Verdict(Kind.GRANTED, null, null); // a downgrade never waits behind waiters
    }
    Req w = policy.barging() ? null : firstConflictingWaiter(file, owner, type, span, self);
    return w != null
        ? new Verdict(Kind.DENIED_BY_WAITER, null, w)
        : new Verdict(Kind.GRANTED, null, null);
  }

  /**
   * The conflicting request queued ahead of {@code self} with the lowest first byte, then oldest.
   */
  Req firstConflictingWaiter(int file, int owner, LockType type, Span span, Req self) {
    Req best = null;
    for (Req w : queues.get(file)) {
      if (w == self) {
        break;
      }
      if (ReferenceLockModel.conflicts(w.asHeld(), owner, type, span, false)
          && (best == null
              || Long.compareUnsigned(w.span.firstByte(), best.span.firstByte()) < 0)) {
        best = w;
      }
    }
    return best;
  }

  /** The owners a request waits on (SPEC 5), its own owner left out. */
  Set<Integer> blockers(
      int file, int owner, LockFlavour flavour, LockType type, Span span, Req self) {
    Set<Integer> out = new TreeSet<>();
    Span merged = coalesced(file, owner, flavour, type, span);
    for (Held h : records(file)) {
      if (ReferenceLockModel.conflicts(h, owner, type, merged, false)) {
        out.add(h.owner());
      }
    }
    if (!policy.barging() && !weakens(file, owner, flavour, type, span)) {
      for (Req w : queues.get(file)) {
        if (w == self) {
          break;
        }
        if (ReferenceLockModel.conflicts(w.asHeld(), owner, type, span, false)) {
          out.add(w.owner);
        }
      }
    }
    out.remove(owner);
    return out;
  }

  /** Whether waiting on {@code blockers} closes a cycle through {@code owner}'s other requests. */
  private boolean closesCycle(int owner, Set<Integer> blockers, Req except) {
    List<Req> waiters = new ArrayList<>();
    queues.forEach(waiters::addAll);
    return WaitForEdges.closesCycle(
        owner, blockers, waiters, except, r -> r.owner, r -> r.blockers);
  }

  // ---------------------------------------------------------------- changes

  /**
   * Grants a decided request into the live state; the caller re-checks the queue ({@link #wake}).
   */
  void grant(int file, int owner, LockFlavour flavour, LockType type, Span span) {
    live.grant(file, owner, flavour, type, span);
  }

  /**
   * Grants a decided request unless a limit or the store refuses it: returns null, or
   * LOCK_LIMIT_EXCEEDED ({@link #lastLimit()} says which) or STORE_UNAVAILABLE, nothing changed. A
   * downgrade takes nothing: it is neither limited nor written before it is acknowledged.
   */
  ErrorCode tryGrant(int file, int owner, LockFlavour flavour, LockType type, Span span) {
    if (!weakens(file, owner, flavour, type, span)) {
      int delta =
          flavour == LockFlavour.POSIX
              ? live.posixRunsAfter(file, owner, type, span) - live.posixRuns(file, owner).size()
              : 1;
      ErrorCode e = checkLimits(file, owner, delta);
      if (e != null) {
        return e;
      }
      if (!storeWrite()) {
        return ErrorCode.STORE_UNAVAILABLE;
      }
    }
    grant(file, owner, flavour, type, span);
    return null;
  }

  /**
   * SPEC 8 for a grant that adds {@code delta} records: null, or LOCK_LIMIT_EXCEEDED with {@link
   * #lastLimit()} set (per file, then per client, then total).
   */
  ErrorCode checkLimits(int file, int owner, int delta) {
    if (delta <= 0) {
      return null;
    }
    long perFile = records(file).size();
    long perClient = recordsPerClient()[clientOf(owner)];
    long total = 0;
    for (int f = 0; f < ReferenceLockModel.FILES; f++) {
      total += records(f).size();
    }
    if (policy.perFile() > 0 && perFile + delta > policy.perFile()) {
      lastLimit = new Limit("per-file", perFile, policy.perFile());
    } else if (policy.perClient() > 0 && perClient + delta > policy.perClient()) {
      lastLimit = new Limit("per-client", perClient, policy.perClient());
    } else if (policy.total() > 0 && total + delta > policy.total()) {
      lastLimit = new Limit("total", total, policy.total());
    } else {
      return null;
    }
    notes.add("limit " + lastLimit.name() + " hit");
    return ErrorCode.LOCK_LIMIT_EXCEEDED;
  }

  /** A synchronous write of something other than a lock grant (an open, a reclaim). */
  boolean write() {
    return storeWrite();
  }

  /** Re-checks the file's queue in FIFO order (SPEC 5). Returns whether it granted any request. */
  boolean wake(int file) {
    boolean any = false;
    boolean again;
    do {
      again = false;
      int revoked = revocations;
      for (Req w : new ArrayList<>(queues.get(file))) {
        Verdict v = decide(file, w.owner, w.flavour, w.type, w.span, w, false, true);
        ErrorCode refused = null;
        if (v.kind() == Kind.GRANTED && flavourMismatch(w.owner, w.flavour)) {
          finish(w, ErrorCode.INVALID_ARGUMENT, "waiter INVALID_ARGUMENT: owner changed flavour");
          again = true;
        } else if (v.kind() == Kind.GRANTED
            && (refused = tryGrant(file, w.owner, w.flavour, w.type, w.span)) != null) {
          if (refused == ErrorCode.LOCK_LIMIT_EXCEEDED) {
            w.limit = lastLimit;
          }
          finish(w, refused, "waiter " + refused + " on wake-up");
          again = true;
        } else if (v.kind() == Kind.GRANTED) {
          again = true;
          any = true;
          queues.get(file).remove(w);
          w.status = Status.GRANTED;
          notes.add("waiter GRANTED on wake-up");
        } else {
          Set<Integer> b = blockers(file, w.owner, w.flavour, w.type, w.span, w);
          if (closesCycle(w.owner, b, w)) {
            finish(w, ErrorCode.DEADLOCK, "waiter DEADLOCK on re-check");
            again = true;
          } else {
            w.blockers = b;
          }
        }
      }
      again |= revocations != revoked;
    } while (again);
    return any;
  }

  /** Re-checks the file's queue if courtesy locks were revoked since {@code mark}. */
  boolean wakeIfRevoked(int file, int mark) {
    return revocations != mark && wake(file);
  }

  /** A mark for {@link #wakeIfRevoked}. */
  int revocationMark() {
    return revocations;
  }

  private void finish(Req w, ErrorCode code, String note) {
    queues.get(w.file).remove(w);
    w.status = Status.FAILED;
    w.code = code;
    notes.add(note);
  }

  /** lockBlocking() with a timeout of {@code timeoutNanos}. */
  BlockingOutcome blocking(
      int number,
      int file,
      int owner,
      LockFlavour flavour,
      LockType type,
      Span span,
      long timeoutNanos) {
    int mark = revocations;
    Req r = new Req(number, owner, file, flavour, type, span);
    BlockingOutcome o = blocking(r, timeoutNanos, mark);
    if (o != BlockingOutcome.GRANTED) { // a grant woke the queue itself
      Limit refusal = lastLimit; // a waiter refused in the re-check must not replace it
      wakeIfRevoked(file, mark); // the table changed if courtesy locks were revoked on the way
      lastLimit = refusal;
    }
    return o;
  }

  /** Grants, queues or refuses {@code r}; {@code mark}: the revocations before it. */
  private BlockingOutcome blocking(Req r, long timeoutNanos, int mark) {
    Verdict v = decide(r.file, r.owner, r.flavour, r.type, r.span, null, true, true);
    if (v.kind() == Kind.INVALID) {
      return BlockingOutcome.INVALID;
    }
    if (v.kind() == Kind.GRACE) {
      return BlockingOutcome.GRACE;
    }
    if (v.kind() == Kind.GRANTED) {
      boolean unchanged = noChange(r.file, r.owner, r.flavour, r.type, r.span);
      ErrorCode refused = tryGrant(r.file, r.owner, r.flavour, r.type, r.span);
      if (refused != null) {
        return refused == ErrorCode.LOCK_LIMIT_EXCEEDED
            ? BlockingOutcome.LIMIT
            : BlockingOutcome.STORE_UNAVAILABLE;
      }
      r.status = Status.GRANTED;
      requests.put(r.number, r);
      if (!unchanged || revocations != mark) {
        wake(r.file);
      }
      return BlockingOutcome.GRANTED;
    }
    List<Req> queue = queues.get(r.file);
    if (policy.waitersPerFile() > 0 && queue.size() >= policy.waitersPerFile()) {
      lastLimit = new Limit("waiters-per-file", queue.size(), policy.waitersPerFile());
      notes.add("limit waiters-per-file hit");
      return BlockingOutcome.LIMIT;
    }
    Set<Integer> b = blockers(r.file, r.owner, r.flavour, r.type, r.span, null);
    if (closesCycle(r.owner, b, null)) {
      return BlockingOutcome.DEADLOCK;
    }
    r.blockers = b;
    r.due = now + timeoutNanos;
    r.seq = seq++;
    queue.add(r);
    requests.put(r.number, r);
    return BlockingOutcome.QUEUED;
  }

  /** PendingLock.cancel(): true if it was queued and is now cancelled. */
  boolean cancel(Req r) {
    if (r.status != Status.PENDING) {
      return false;
    }
    finish(r, ErrorCode.CANCELLED, "waiter CANCELLED by cancel()");
    wake(r.file);
    return true;
  }

  /**
   * A release (SPEC 4) of live and restored locks. Returns null or the error of a refused release.
   */
  ErrorCode release(int file, int owner, LockFlavour flavour, Span span) {
    if (flavourMismatch(owner, flavour)) {
      return ErrorCode.INVALID_ARGUMENT;
    }
    boolean changed;
    if (flavour == LockFlavour.POSIX) {
      if (span.zero()) {
        return null;
      }
      changed = false;
      for (int c = span.lo(); c <= span.hi() && !changed; c++) {
        changed = live.posixType(file, owner, c) != null;
      }
      live.release(file, owner, flavour, span);
      List<Held> pieces = new ArrayList<>();
      for (var it = restored.get(file).iterator(); it.hasNext(); ) {
        Held h = it.next();
        if (h.owner() == owner && h.flavour() == LockFlavour.POSIX && h.span().overlaps(span)) {
          it.remove();
          changed = true;
          if (h.span().lo() < span.lo()) {
            pieces.add(
                new Held(owner, h.flavour(), Span.cells(h.span().lo(), span.lo() - 1), h.type()));
          }
          if (h.span().hi() > span.hi()) {
            pieces.add(
                new Held(owner, h.flavour(), Span.cells(span.hi() + 1, h.span().hi()), h.type()));
          }
        }
      }
      restored.get(file).addAll(pieces);
    } else {
      changed = releaseWindows(file, owner, span);
      if (!changed) {
        return ErrorCode.LOCK_NOT_FOUND;
      }
    }
    if (changed) {
      wake(file);
      endGraceIfNothingLeft();
    }
    return null;
  }

  /** Removes the oldest EXCLUSIVE, else the oldest, WINDOWS lock of the owner with this range. */
  private boolean releaseWindows(int file, int owner, Span span) {
    List<Held> old = restored.get(file);
    for (int i = 0; i < old.size(); i++) {
      Held h = old.get(i);
      if (h.owner() == owner && h.span().equals(span) && h.exclusive()) {
        old.remove(i);
        return true;
      }
    }
    boolean liveExclusive =
        live.windowsRecords(file, owner).stream()
            .anyMatch(h -> h.span().equals(span) && h.exclusive());
    if (!liveExclusive) {
      for (int i = 0; i < old.size(); i++) {
        Held h = old.get(i);
        if (h.owner() == owner && h.span().equals(span)) {
          old.remove(i);
          return true;
        }
      }
    }
    return live.release(file, owner, LockFlavour.WINDOWS, span) == null;
  }

  /** SPEC 7 over live and restored locks. */
  boolean ioBlocked(int file, int owner, boolean write, LockingMode mode, Span span) {
    LockType as = write ? LockType.EXCLUSIVE : LockType.SHARED;
    for (Held h : records(file)) {
      if (ReferenceLockModel.restrictsIo(h, mode)
          && ReferenceLockModel.conflicts(h, owner, as, span, true)) {
        return true;
      }
    }
    return false;
  }

  /**
   * open(): whether it is refused with SHARE_DENIED, after a clash has closed the clashing opens of
   * courtesy clients other than the opener's (SPEC 9).
   */
  boolean openDenied(int file, int owner, int access, int deny) {
    if (!live.openConflicts(file, access, deny)) {
      return false;
    }
    int client = clientOf(owner);
    for (OpenRec o : List.copyOf(live.opens(file))) {
      boolean clash = (access & o.deny()) != 0 || (deny & o.access()) != 0;
      int c = clientOf(o.owner());
      if (clash && c != client && courtesy(c)) {
        live.close(file, o.handle());
        restoredOpens.get(file).remove(o.handle());
        notes.add("courtesy open revoked");
      }
    }
    return live.openConflicts(file, access, deny);
  }

  /** close() of a live open; a restored one counts as gone for grace. */
  void close(int file, int handle) {
    live.close(file, handle);
    if (restoredOpens.get(file).remove(handle)) {
      endGraceIfNothingLeft();
    }
  }

  // ---------------------------------------------------------------- time

  /** Moves the clock forward, firing the timers that fall due in order. */
  void advance(long nanos) {
    long target = now + nanos;
    while (true) {
      Req next = null;
      for (List<Req> q : queues) {
        for (Req r : q) {
          if (r.due <= target
              && (next == null || r.due < next.due || (r.due == next.due && r.seq < next.seq))) {
            next = r;
          }
        }
      }
      int ttl = -1;
      for (int c = 0; c < CLIENTS; c++) {
        if (ttlArmed[c]
            && ttlDue[c] <= target
            && (ttl < 0
                || ttlDue[c] < ttlDue[ttl]
                || (ttlDue[c] == ttlDue[ttl] && ttlSeq[c] < ttlSeq[ttl]))) {
          ttl = c;
        }
      }
      if (ttl >= 0
          && (next == null
              || ttlDue[ttl] < next.due
              || (ttlDue[ttl] == next.due && ttlSeq[ttl] < next.seq))) {
        next = null; // the ttl release comes first
      } else {
        ttl = -1;
      }
      long firstDue = ttl >= 0 ? ttlDue[ttl] : next != null ? next.due : Long.MAX_VALUE;
      boolean graceDue = graceActive && graceDeadline <= target;
      long lease = nextCourtesy(target);
      if (lease >= 0 && lease < firstDue && (!graceDue || lease < graceDeadline)) {
        leaseRunsOut(lease);
      } else if (graceDue && graceDeadline <= firstDue) {
        now = graceDeadline;
        notes.add(
            "grace ended by its timer with "
                + (restoredCount() > 0 ? "some" : "no")
                + " record left");
        endGrace();
      } else if (ttl >= 0) {
        now = ttlDue[ttl];
        ttlArmed[ttl] = false;
        notes.add("ttl release");
        releaseClient(ttl);
      } else if (next != null) {
        now = next.due;
        finish(next, ErrorCode.TIMED_OUT, "waiter TIMED_OUT");
        wake(next.file);
      } else {
        break;
      }
    }
    now = target;
  }

  /** The moment client {@code c} becomes a courtesy client if it stays silent: after now, or -1. */
  private long courtesyAt(int c) {
    if (!registered[c] || policy.leaseSeconds() == 0) {
      return -1;
    }
    long at = lastSeen[c] + policy.leaseSeconds() * SECOND + 1;
    return at > now ? at : -1;
  }

  /** The first moment by {@code target} at which a client becomes a courtesy client, or -1. */
  private long nextCourtesy(long target) {
    long first = -1;
    for (int c = 0; c < CLIENTS; c++) {
      long at = courtesyAt(c);
      if (at >= 0 && at <= target && (first < 0 || at < first)) {
        first = at;
      }
    }
    return first;
  }

  /**
   * SPEC 9 at the moment the clients silent since {@code at} minus the lease become courtesy
   * clients: the queues they block are re-checked (see the class comment).
   */
  private void leaseRunsOut(long at) {
    Set<Integer> silent = new HashSet<>();
    for (int c = 0; c < CLIENTS; c++) {
      if (courtesyAt(c) == at) {
        silent.add(c);
      }
    }
    now = at;
    List<Integer> files = new ArrayList<>();
    for (int f = 0; f < ReferenceLockModel.FILES; f++) {
      if (blockedBy(f, silent)) {
        files.add(f);
      }
    }
    int[] order = {0, 1, 2};
    if (files.size() > 1) {
      notes.add("lease ran out: several queues re-checked at one moment");
      int[][] orders = files.size() == 2 ? new int[][] {{0, 1}, {1, 0}} : FILE_ORDERS;
      order = orders[chooser.choose(orders.length)];
    }
    for (int i = 0; i < files.size(); i++) {
      notes.add("lease ran out: queue re-checked");
      if (wake(files.get(order[i]))) {
        notes.add("waiter GRANTED when a blocker's lease ran out");
      }
    }
  }

  /**
   * Whether a client of {@code silent} holds a lock on the file that conflicts with the record a
   * queued request of another client would leave.
   */
  private boolean blockedBy(int file, Set<Integer> silent) {
    for (Req r : queues.get(file)) {
      Span merged = coalesced(file, r.owner, r.flavour, r.type, r.span);
      for (Held h : records(file)) {
        int c = clientOf(h.owner());
        if (c != clientOf(r.owner)
            && silent.contains(c)
            && ReferenceLockModel.conflicts(h, r.owner, r.type, merged, false)) {
          return true;
        }
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- clients

  /** registerClient(): cancels a pending ttl release. */
  void register(int client, int ttl) {
    registered[client] = true;
    ttlSeconds[client] = ttl;
    ttlArmed[client] = false;
    touch(client);
  }

  /**
   * Returns whether the client was registered: with ttl 0 it is released now, else its release is
   * due when the ttl runs out.
   */
  boolean unregister(int client) {
    if (!registered[client]) {
      return false;
    }
    registered[client] = false;
    if (ttlSeconds[client] == 0) {
      releaseClient(client);
    } else {
      ttlArmed[client] = true;
      ttlDue[client] = now + ttlSeconds[client] * SECOND;
      ttlSeq[client] = seq++;
    }
    return true;
  }

  boolean ttlPending(int client) {
    return ttlArmed[client];
  }

  private static final int[][] FILE_ORDERS = {
    {0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}
  };

  /**
   * Releases every waiter, lock and open of the client's owners, file by file. The manager's order
   * of files is unspecified and observable (a re-check on one file may see, in the global wait-for
   * graph, requests on a file not released yet): the {@link Chooser} picks it among the files the
   * client has something on.
   */
  void releaseClient(int client) {
    int involved = 0;
    for (int f = 0; f < ReferenceLockModel.FILES; f++) {
      if (holdsSomething(client, f)) {
        involved++;
      }
    }
    int[] order = involved < 2 ? FILE_ORDERS[0] : FILE_ORDERS[chooser.choose(FILE_ORDERS.length)];
    releaseClient(client, order);
  }

  private boolean holdsSomething(int client, int f) {
    for (Req w : queues.get(f)) {
      if (clientOf(w.owner) == client) {
        return true;
      }
    }
    for (Held h : records(f)) {
      if (clientOf(h.owner()) == client) {
        return true;
      }
    }
    for (OpenRec o : live.opens(f)) {
      if (clientOf(o.owner()) == client) {
        return true;
      }
    }
    return false;
  }

  private void releaseClient(int client, int[] fileOrder) {
    for (int f : fileOrder) {
      boolean any = false;
      for (Req w : new ArrayList<>(queues.get(f))) {
        if (clientOf(w.owner) == client) {
          finish(w, ErrorCode.CANCELLED, "waiter CANCELLED: its client went away");
          any = true;
        }
      }
      for (int o = 0; o < ReferenceLockModel.OWNERS; o++) {
        if (clientOf(o) != client) {
          continue;
        }
        for (Held h : live.records(f, o)) {
          live.release(f, o, h.flavour(), h.span());
          any = true;
        }
        int before = restored.get(f).size();
        final int owner = o;
        restored.get(f).removeIf(h -> h.owner() == owner);
        any |= restored.get(f).size() != before;
      }
      boolean closed = false;
      for (OpenRec open : List.copyOf(live.opens(f))) {
        if (clientOf(open.owner()) == client) {
          live.close(f, open.handle());
          restoredOpens.get(f).remove(open.handle());
          closed = true;
        }
      }
      if (any) {
        wake(f); // opens never block a lock request: closing them alone re-checks nothing
      }
      if (any || closed) {
        endGraceIfNothingLeft();
      }
    }
  }

  // ---------------------------------------------------------------- restart and grace

  /** Stops the manager (clean or crash) and starts a new one on the durable state. */
  void restart(boolean clean) {
    for (Req r : requests.values()) {
      if (r.status == Status.PENDING) {
        if (clean) {
          r.status = Status.FAILED;
          r.code = ErrorCode.CANCELLED;
        } else {
          r.status = Status.ORPHANED;
        }
      }
    }
    Set<Integer> clients = new TreeSet<>();
    Set<Integer> files = new TreeSet<>();
    int records = 0;
    for (int f = 0; f < ReferenceLockModel.FILES; f++) {
      queues.get(f).clear();
      for (int o = 0; o < ReferenceLockModel.OWNERS; o++) {
        restored.get(f).addAll(live.records(f, o));
      }
      for (OpenRec open : live.opens(f)) {
        restoredOpens.get(f).add(open.handle());
        clients.add(clientOf(open.owner()));
      }
      for (Held h : restored.get(f)) {
        clients.add(clientOf(h.owner()));
      }
      int n = restored.get(f).size() + restoredOpens.get(f).size();
      if (n > 0) {
        files.add(f);
      }
      records += n;
    }
    live.clearLocks();
    java.util.Arrays.fill(registered, false);
    java.util.Arrays.fill(ttlArmed, false);
    java.util.Arrays.fill(lastSeen, 0);
    storeDown = false;
    faultArmed = false;
    healthySince = -LifecyclePolicy.RETRY_SECONDS * SECOND;
    now = 0;
    seq = 0;
    epoch++;
    completed.clear();
    graceReclaimed = 0;
    graceActive = records > 0; // a crash that left nothing: grace is entered and ended at once
    if (graceActive) {
      graceDeadline = GRACE_SECONDS * SECOND;
      graceRestored = records;
      // sorted: an immutable Set.copyOf iterates in an order that differs from JVM to JVM, and the
      // generator picks among these, so a seed would not replay the same run
      expected = Collections.unmodifiableSet(new TreeSet<>(clients));
      graceFiles = Collections.unmodifiableSet(new TreeSet<>(files));
    } else {
      graceRestored = 0;
      expected = Set.of();
      graceFiles = Set.of();
    }
  }

  /**
   * What reclaim() does: refused with {@code error}, denied because the record it would coalesce
   * into conflicts ({@code deniedOn}: that record's range), or else granted with the record's range
   * {@code granted}.
   */
  record ReclaimResult(ErrorCode error, Span deniedOn, Span granted) {}

  /**
   * reclaim(): a restored lock of the owner (and its client) with this range and the same type
   * (else a stronger one) is replaced by a live one, coalesced with the owner's live same-type
   * locks; if the coalesced record conflicts with another owner's lock (SPEC 3, as for every
   * grant), it is denied and nothing changes.
   */
  ReclaimResult reclaim(
      int file, int owner, LockFlavour flavour, LockType type, Span span, boolean otherClient) {
    if (flavourMismatch(owner, flavour)) {
      return new ReclaimResult(ErrorCode.INVALID_ARGUMENT, null, null);
    }
    if (!graceActive) {
      return new ReclaimResult(ErrorCode.NOT_IN_GRACE, null, null);
    }
    List<Held> old = restored.get(file);
    int pick = -1; // best fit: the same type before a stronger one
    for (int i = 0; i < old.size() && !otherClient; i++) {
      Held h = old.get(i);
      if (h.owner() == owner
          && h.span().equals(span)
          && (h.exclusive() || type == LockType.SHARED)
          && (pick < 0 || (h.type() == type && old.get(pick).type() != type))) {
        pick = i;
      }
    }
    if (pick < 0) {
      return new ReclaimResult(ErrorCode.LOCK_NOT_FOUND, null, null);
    }
    Span merged = coalesced(file, owner, flavour, type, span);
    if (!merged.equals(span) && anyConflict(file, owner, type, merged)) {
      return new ReclaimResult(null, merged, null);
    }
    if (!storeWrite()) {
      return new ReclaimResult(ErrorCode.STORE_UNAVAILABLE, null, null);
    }
    old.remove(pick);
    live.grant(file, owner, flavour, type, span);
    graceReclaimed++;
    wake(file);
    endGraceIfNothingLeft();
    return new ReclaimResult(null, null, merged);
  }

  /** reclaimOpen(): null if granted (the new open gets {@code handle}), else the error. */
  ErrorCode reclaimOpen(int handle, int file, int owner, int access, int deny) {
    if (!graceActive) {
      return ErrorCode.NOT_IN_GRACE;
    }
    OpenRec best = null; // best fit: the fewest modes beyond the request's, the oldest first
    for (OpenRec o : live.opens(file)) {
      if (restoredOpens.get(file).contains(o.handle())
          && o.owner() == owner
          && (o.access() & access) == access
          && (o.deny() & deny) == deny
          && (best == null
              || Integer.bitCount(o.access()) + Integer.bitCount(o.deny())
                  < Integer.bitCount(best.access()) + Integer.bitCount(best.deny()))) {
        best = o;
      }
    }
    if (best == null) {
      return ErrorCode.LOCK_NOT_FOUND;
    }
    if (!storeWrite()) {
      return ErrorCode.STORE_UNAVAILABLE;
    }
    live.close(file, best.handle());
    restoredOpens.get(file).remove(best.handle());
    live.open(file, new OpenRec(handle, owner, access, deny));
    graceReclaimed++;
    endGraceIfNothingLeft();
    return null;
  }

  void reclaimComplete(int client) {
    if (!graceActive) {
      return;
    }
    completed.add(client);
    if (!expected.isEmpty() && completed.containsAll(expected)) {
      notes.add("grace ended early: every expected client completed");
      endGrace();
    }
  }

  private void endGraceIfNothingLeft() {
    if (graceActive && graceRestored > 0 && restoredCount() == 0) {
      notes.add("grace ended early: no restored record left");
      endGrace();
    }
  }

  /** Ends grace: restored records nobody reclaimed are released. */
  private void endGrace() {
    graceActive = false;
    for (int f : graceFiles) {
      boolean locks = !restored.get(f).isEmpty();
      restored.get(f).clear();
      for (int h : new LinkedHashSet<>(restoredOpens.get(f))) {
        live.close(f, h);
      }
      restoredOpens.get(f).clear();
      if (locks) {
        wake(f);
      }
    }
  }
}
