package org.dittofs.example.nlm;

/** The NLM4 status codes this example answers with (RFC 1813 appendix, nlm4_stats). */
public enum NlmStatus {
  GRANTED,
  DENIED,
  DENIED_NOLOCKS,
  BLOCKED,
  DENIED_GRACE_PERIOD,
  DEADLCK,
  FAILED;
}
