/**
 * Build-time code generation for FoundUps DB, driven by {@code org.jooq:jooq-codegen-maven}: the changelogs are
 * applied with the real Liquibase to an embedded PostgreSQL, and jOOQ's PostgreSQL reader generates the typed
 * classes from it.
 *
 * <p>Two public types: {@link dev.foundups.db.codegen.LiquibasePostgresDatabase}, the jOOQ {@code Database}, and
 * {@link dev.foundups.db.codegen.IncrementalJavaGenerator}, the generator that skips the run when nothing changed.
 * Everything else is package-private. Never a run-time dependency.
 */
package dev.foundups.db.codegen;
