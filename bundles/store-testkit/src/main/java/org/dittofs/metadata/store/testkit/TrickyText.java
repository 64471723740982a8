package org.dittofs.metadata.store.testkit;

import java.util.List;
import java.util.stream.Stream;

/**
 * Strings a store must keep and match exactly: SQL metacharacters and an injection attempt, LIKE
 * and glob wildcards, escapes, quotes, non-ASCII text, and families of strings that differ only in
 * what a careless store conflates (wildcards matched as patterns, case folded, trailing blanks
 * trimmed, Unicode normalised). No string holds U+0000, which PostgreSQL text cannot store.
 */
public final class TrickyText {
  private TrickyText() {}

  /** The SQL injection attempt of the issue. */
  public static final String INJECTION = "'; DROP TABLE locks; --";

  /** Non-ASCII text with a character outside the Basic Multilingual Plane. */
  public static final String NON_ASCII = "öwner-日本-🔒";

  /** Single characters and short strings that mean something to SQL, LIKE, globs or escapes. */
  public static final List<String> SPECIAL =
      List.of(
          ":",
          "a:b:c",
          "nlm:host:1234:oh",
          "%",
          "100%",
          "_",
          "'",
          "it's",
          "''",
          "\"quoted\"",
          "`tick`",
          "\\",
          "back\\slash",
          "\\%",
          "\\_",
          INJECTION,
          "\"; DELETE FROM locks; --",
          "*",
          "?",
          "[a-z]",
          ".*",
          "NULL",
          "tab\tnew\nline\r",
          NON_ASCII,
          "Ἀθῆναι",
          "مرحبا",
          "🔒🔑");

  /**
   * Families of distinct strings that a store conflating wildcards, case, blanks or Unicode
   * normalisation would match with each other. Within a family, every string must match only
   * itself.
   */
  public static final List<List<String>> LOOKALIKES =
      List.of(
          // LIKE patterns: "a_c" matches "abc", "a%c" matches all but the escaped one
          List.of("a_c", "abc", "a%c", "aXYc", "a\\_c", "a\\%c"),
          // case
          List.of("owner", "Owner", "OWNER"),
          // blanks: CHAR padding or trimming
          List.of("x", "x ", " x", "x  "),
          // Unicode: precomposed é, e + combining acute, and the capital
          List.of("\u00e9", "e\u0301", "\u00c9"),
          // ß and its case folding, dotless and dotted i
          List.of("straße", "strasse", "ı", "i", "İ"),
          // an emoji and its neighbours
          List.of("🔒", "🔓", "🔒 "));

  /** Every string of {@link #SPECIAL} and {@link #LOOKALIKES}, each once. */
  public static List<String> all() {
    return Stream.concat(SPECIAL.stream(), LOOKALIKES.stream().flatMap(List::stream))
        .distinct()
        .toList();
  }

  /** A string of exactly {@code bytes} UTF-8 bytes made of 4-, 3-, 2- and 1-byte characters. */
  public static String ofUtf8Bytes(int bytes) {
    StringBuilder b = new StringBuilder();
    int left = bytes;
    while (left >= 4) {
      b.append("🔒");
      left -= 4;
    }
    if (left == 3) {
      b.append('日');
    } else if (left == 2) {
      b.append('ö');
    } else if (left == 1) {
      b.append('x');
    }
    return b.toString();
  }

  /** A string of exactly {@code chars} characters, none of them ASCII ({@code String.length}). */
  public static String ofChars(int chars) {
    return "日".repeat(chars);
  }
}
