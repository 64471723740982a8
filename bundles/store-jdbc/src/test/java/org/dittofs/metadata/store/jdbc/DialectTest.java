package org.dittofs.metadata.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.junit.jupiter.api.Test;

class DialectTest {

  @Test
  void upsertsBindEveryColumnOnce() {
    List<String> cols = List.of("id", "a", "b");
    assertThat(Dialect.H2.upsert("t", "id", cols))
        .isEqualTo("MERGE INTO t (id, a, b) KEY (id) VALUES (?, ?, ?)");
    assertThat(Dialect.POSTGRESQL.upsert("t", "id", cols))
        .isEqualTo(
            "INSERT INTO t (id, a, b) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                + " a = EXCLUDED.a, b = EXCLUDED.b");
  }

  @Test
  void retryableStatesAreFoundThroughCausesAndChains() {
    SQLException serialization = new SQLException("could not serialize", "40001");
    SQLException deadlock = new SQLException("deadlock detected", "40P01");
    SQLException chained = new SQLException("batch failed", "XX000");
    chained.setNextException(deadlock);
    StoreError wrapped = Dialect.POSTGRESQL.failure("commit", serialization);

    assertThat(Dialect.POSTGRESQL.isRetryable(wrapped)).isTrue();
    assertThat(Dialect.POSTGRESQL.isRetryable(chained)).isTrue();
    assertThat(Dialect.H2.isRetryable(new SQLException("lock timeout", "HYT00"))).isTrue();
    assertThat(Dialect.H2.isRetryable(deadlock)).isFalse();
    assertThat(Dialect.POSTGRESQL.isRetryable(new SQLException("dup", "23505"))).isFalse();
    assertThat(Dialect.POSTGRESQL.isRetryable(new IllegalStateException("no sql"))).isFalse();
  }

  @Test
  void connectionFailuresAreStoreUnavailableAndTheRestIoErrors() {
    StoreError down =
        Dialect.POSTGRESQL.failure("putLock", new SQLTransientConnectionException("gone", "08006"));
    StoreError shutdown =
        Dialect.POSTGRESQL.failure("getLock", new SQLException("terminating", "57P01"));
    StoreError closed = Dialect.H2.failure("getLock", new SQLException("closed", "90098"));
    StoreError syntax = Dialect.H2.failure("listLocks", new SQLException("syntax", "42001"));
    StoreError noState = Dialect.H2.failure("listLocks", new SQLException("odd"));

    assertThat(down.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE);
    assertThat(down.getMessage()).contains("postgres store", "putLock", "08006");
    assertThat(shutdown.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE);
    assertThat(closed.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE);
    assertThat(syntax.code()).isEqualTo(ErrorCode.IO_ERROR);
    assertThat(syntax.getMessage()).contains("h2 store", "listLocks", "42001");
    assertThat(noState.code()).isEqualTo(ErrorCode.IO_ERROR);
    assertThat(syntax.getCause()).isInstanceOf(SQLException.class);
  }

  @Test
  void postgresCannotHoldNulOrUnpairedSurrogates() {
    assertThat(Dialect.POSTGRESQL.unstorable("plain Grüße 🔒")).isNull();
    assertThat(Dialect.POSTGRESQL.unstorable("a\u0000b")).contains("NUL");
    assertThat(Dialect.POSTGRESQL.unstorable("x\uD800")).contains("surrogate");
    assertThat(Dialect.POSTGRESQL.unstorable("\uDC00x")).contains("surrogate");
    assertThat(Dialect.H2.unstorable("a\u0000b\uD800")).isNull();
  }
}
