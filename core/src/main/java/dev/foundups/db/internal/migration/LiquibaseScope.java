package dev.foundups.db.internal.migration;

import java.util.HashMap;
import java.util.Map;
import java.util.logging.Level;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import liquibase.Scope;
import liquibase.logging.core.AbstractLogService;
import liquibase.logging.core.AbstractLogger;
import liquibase.ui.LoggerUIService;

/**
 * Runs Liquibase the way a library should: silent on the console, logging through SLF4J, and with its analytics
 * (which would otherwise call a Liquibase server on every command) turned off.
 */
public final class LiquibaseScope {

    private LiquibaseScope() {
    }

    /** Work to run inside the scope. */
    @FunctionalInterface
    public interface Work<T> {
        /**
         * @return the result
         * @throws Exception whatever Liquibase throws
         */
        T run() throws Exception;
    }

    /**
     * Runs work in a Liquibase scope with the given extra values.
     *
     * @param values extra scope values (such as the database); may be empty
     * @param work   what to run
     * @param <T>    the result type
     * @return what the work returned
     * @throws Exception what the work threw
     */
    public static <T> T call(Map<String, Object> values, Work<T> work) throws Exception {
        Map<String, Object> scope = new HashMap<>(values);
        scope.put("liquibase.analytics.enabled", Boolean.FALSE);
        scope.put(Scope.Attr.ui.name(), new LoggerUIService());
        scope.put(Scope.Attr.logService.name(), Slf4jLogService.INSTANCE);
        return Scope.child(scope, work::run);
    }

    /** Liquibase's log, sent to SLF4J under {@code liquibase.*}. Its INFO is chatty, so it goes to DEBUG. */
    static final class Slf4jLogService extends AbstractLogService {
        static final Slf4jLogService INSTANCE = new Slf4jLogService();

        @Override
        public int getPriority() {
            return PRIORITY_SPECIALIZED;
        }

        @Override
        public liquibase.logging.Logger getLog(Class clazz) {
            return new Slf4jLogger(LoggerFactory.getLogger(clazz));
        }
    }

    static final class Slf4jLogger extends AbstractLogger {
        private final Logger log;

        Slf4jLogger(Logger log) {
            this.log = log;
        }

        @Override
        public void log(Level level, String message, Throwable e) {
            int value = level.intValue();
            if (value == Level.OFF.intValue()) {
                return; // Liquibase passes OFF for messages that are switched off, such as its analytics notice
            }
            if (value >= Level.SEVERE.intValue()) {
                log.error(message, e);
            } else if (value >= Level.WARNING.intValue()) {
                log.warn(message, e);
            } else if (value >= Level.INFO.intValue()) {
                log.debug(message, e);
            } else {
                log.trace(message, e);
            }
        }
    }
}
