/**
 * Spring Boot auto-configuration for FoundUps DB: add the starter and set {@code foundups.database-url} (or
 * {@code DATABASE_URL}); inject {@link dev.foundups.db.spring.FoundUps}, {@link dev.foundups.db.spring.Modules},
 * {@link dev.foundups.db.AgentMemory} or {@link dev.foundups.db.FoundupsDb}. Settings are
 * {@link dev.foundups.db.spring.FoundupsDbProperties}; metrics and health come with Micrometer and the actuator.
 */
package dev.foundups.db.spring;
