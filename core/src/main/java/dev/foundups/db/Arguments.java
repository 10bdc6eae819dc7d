package dev.foundups.db;

import java.util.List;

import org.jooq.Param;

/**
 * A compiled query's call values, checked against its parameters and converted where jOOQ would (an Integer for a
 * Long).
 */
final class Arguments {

    private Arguments() {
    }

    /**
     * @param values         what a call passed
     * @param parameterNames the query's parameters, in order
     * @param parameterTypes their types, in the same order
     * @return the values, each of its parameter's type
     * @throws IllegalArgumentException when their number or a type does not fit
     */
    static Object[] of(Object[] values, List<String> parameterNames, Param<?>[] parameterTypes) {
        Object[] given = values == null ? new Object[] {null} : values;
        if (given.length != parameterNames.size()) {
            throw new IllegalArgumentException("this query takes " + parameterNames.size() + " value(s), "
                    + parameterNames + ", but was given " + given.length);
        }
        Object[] converted = new Object[given.length];
        for (int i = 0; i < given.length; i++) {
            Object value = given[i];
            Param<?> param = parameterTypes[i];
            if (value == null || param.getType().isInstance(value)) {
                converted[i] = value;
                continue;
            }
            try {
                converted[i] = param.getDataType().convert(value);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("parameter '" + parameterNames.get(i) + "' takes a "
                        + param.getType().getSimpleName() + ", but was given " + value.getClass().getSimpleName()
                        + " " + value, e);
            }
        }
        return converted;
    }
}
