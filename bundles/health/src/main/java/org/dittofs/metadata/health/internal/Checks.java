package org.dittofs.metadata.health.internal;

/** What the checks share: their tag and their common messages. */
final class Checks {
  /** The tag of every check here; {@code /health} runs the checks with this tag. */
  static final String TAG = "dittofs";

  static final String NO_SERVICE =
      "no metadata service is registered (bundle org.dittofs.metadata not active, or its"
          + " component not satisfied)";

  private Checks() {}
}
