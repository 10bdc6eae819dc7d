package dev.foundups.db.bench;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/** Every measured round's rate per system and op, and their medians. */
final class Results {

    private final Map<String, Map<Op, List<Double>>> rates = new LinkedHashMap<>();

    /** @param systems the systems in table order */
    Results(List<String> systems) {
        for (String system : systems) {
            rates.put(system, new EnumMap<>(Op.class));
        }
    }

    void add(String system, OpTiming timing) {
        rates.get(system).computeIfAbsent(timing.op(), op -> new ArrayList<>()).add(timing.opsPerSecond());
    }

    List<String> systems() {
        return List.copyOf(rates.keySet());
    }

    /** @return the median ops/s, or empty when the system did not run */
    OptionalDouble median(String system, Op op) {
        Map<Op, List<Double>> bySystem = rates.get(system);
        List<Double> values = bySystem == null ? null : bySystem.get(op);
        if (values == null || values.isEmpty()) {
            return OptionalDouble.empty();
        }
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return OptionalDouble.of(n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2);
    }
}
