/**
 * Imports what the platform had before the unified database: a module's own SQLite file, agent memory kept in
 * JSON or JSON Lines files. Each source is imported in one transaction and at most once.
 * Internal: no compatibility guarantee; use {@link dev.foundups.db.FoundupsDb#importLegacyDatabase} and
 * {@link dev.foundups.db.FoundupsDb#importAgentMemory}.
 */
package dev.foundups.db.internal.imports;
