package org.dittofs.metadata.reliability;

/**
 * The answer to one request, as the child journals it once the call returned: {@code OK} (granted
 * or done; an open carries its id), {@code DENIED} (a lock conflict) or {@code ERR} with the
 * error's code. A call that threw anything but a {@code StoreError} is {@code ERR CRASH:<class>}.
 *
 * @param status OK, DENIED or ERR
 * @param code the error code of ERR, else null
 * @param openId the id of a granted open, else null
 * @param millis how long the call took
 */
record Ack(String status, String code, String openId, long millis) {

  static Ack ok(String openId, long millis) {
    return new Ack("OK", null, openId, millis);
  }

  static Ack denied(long millis) {
    return new Ack("DENIED", null, null, millis);
  }

  static Ack error(String code, long millis) {
    return new Ack("ERR", code, null, millis);
  }

  boolean ok() {
    return status.equals("OK");
  }

  boolean failedWith(String c) {
    return status.equals("ERR") && code.equals(c);
  }

  /** {@code <millis> OK [id]}, {@code <millis> DENIED} or {@code <millis> ERR <code>}. */
  String encode() {
    return millis
        + " "
        + status
        + (code != null ? " " + code : "")
        + (openId != null ? " " + openId : "");
  }

  static Ack decode(String[] w, int from) {
    long ms = Long.parseLong(w[from]);
    String status = w[from + 1];
    return switch (status) {
      case "OK" -> ok(w.length > from + 2 ? w[from + 2] : null, ms);
      case "DENIED" -> denied(ms);
      default -> error(w[from + 2], ms);
    };
  }

  @Override
  public String toString() {
    return encode();
  }
}
