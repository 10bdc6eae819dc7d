/**
 * Imports what the platform had before the unified database: a module's own SQLite file
 * ({@link dev.foundups.db.internal.imports.ModuleDatabaseImport}), agent memory kept in JSON or JSON Lines files
 * ({@link dev.foundups.db.internal.imports.AgentMemoryImport}). Each source is imported in one transaction and at
 * most once; {@link dev.foundups.db.internal.imports.TableSpec} is how an imported module's table looks, for the
 * import and for a copy of the database alike.
 * Internal: no compatibility guarantee; use {@link dev.foundups.db.FoundupsDb#importLegacyDatabase} and
 * {@link dev.foundups.db.FoundupsDb#importAgentMemory}.
 */
package dev.foundups.db.internal.imports;
