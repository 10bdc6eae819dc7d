package dev.foundups.db.spring;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.FoundupsDbBuilder;

/**
 * Adjusts the {@link FoundupsDbBuilder} after the {@code foundups.*} properties are applied and before the
 * database opens: for what properties cannot say, such as a {@code MigrationListener} or a
 * {@code DatabaseListener}. Every bean of this type is applied, in {@code @Order}.
 *
 * <pre>
 * &#64;Bean
 * FoundupsDbBuilderCustomizer migrationProgress() {
 *     return builder -&gt; builder.migrationListener(new LoggingMigrationListener());
 * }
 * </pre>
 */
@FunctionalInterface
public interface FoundupsDbBuilderCustomizer {

    /**
     * @param builder the builder, with the properties applied
     */
    void customize(FoundupsDbBuilder builder);
}
