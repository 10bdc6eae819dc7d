package dev.foundups.db;

import java.time.Duration;
import java.util.Optional;

/**
 * What moving a module, a FoundUp or an agent to another shard did ({@link NamespaceCatalog#move},
 * {@link Shards#moveAgent}, {@link Shards#drain}).
 *
 * @param what       {@code MODULE}, {@code FOUNDUP} or {@code AGENT}
 * @param name       the module name, FoundUp id or agent id
 * @param source     the shard it left
 * @param target     the shard that holds it now
 * @param method     how its rows went over
 * @param resumed    whether this call finished a move that an earlier, interrupted one had begun
 * @param rows       rows moved; -1 when they could not be counted (the source was down after the flip)
 * @param took       how long this call took
 * @param writePause how long writers to it were held (the freeze); empty when this call did not freeze
 * @param note       why the move was offline, or what else to know (a replication slot left on a source that was
 *                   down, for one); null when nothing
 */
public record MoveReport(String what, String name, String source, String target, Method method, boolean resumed,
                         long rows, Duration took, Optional<Duration> writePause, String note) {

    /** How a move copied the rows. */
    public enum Method {
        /** By logical replication while writers went on; they waited only for the last changes. */
        ONLINE,
        /** Copied and checked under the freeze: writers waited for the whole copy. */
        OFFLINE,
        /** Nothing to do: it was on the target already. */
        NONE
    }
}
