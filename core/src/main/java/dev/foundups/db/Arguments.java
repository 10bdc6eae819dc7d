package dev.foundups.db;

import java.util.List;

import org.jooq.Param;

/**
 * A compiled query's parameters, and the check of a call's values against them: their number, and each value of
 * its parameter's type or converted where jOOQ would (an Integer for a Long).
 */
final class Arguments {

    private final List<String> names;
    private final Param<?>[] params;
    /** Each parameter's Java type, read once: asking the {@link Param} for it on every call is measurable. */
    private final Class<?>[] types;

    /**
     * @param names  the parameters' names, in order
     * @param params the parameters, in the same order
     */
    Arguments(List<String> names, List<Param<?>> params) {
        this.names = List.copyOf(names);
        this.params = params.toArray(new Param<?>[0]);
        this.types = new Class<?>[this.params.length];
        for (int i = 0; i < types.length; i++) {
            types[i] = this.params[i].getType();
        }
    }

    /** @return the parameters' names, in order */
    List<String> names() {
        return names;
    }

    /**
     * @param values what a call passed
     * @return the values, each of its parameter's type: the same array when none needed converting
     * @throws IllegalArgumentException when their number or a type does not fit
     */
    Object[] check(Object[] values) {
        Object[] given = values == null ? new Object[] {null} : values;
        if (given.length != types.length) {
            throw new IllegalArgumentException("this query takes " + types.length + " value(s), " + names
                    + ", but was given " + given.length);
        }
        Object[] converted = given;
        for (int i = 0; i < given.length; i++) {
            Object value = given[i];
            if (value == null || types[i].isInstance(value)) {
                continue;
            }
            if (converted == given) {
                converted = given.clone(); // the caller's array is left as it was
            }
            try {
                converted[i] = params[i].getDataType().convert(value);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("parameter '" + names.get(i) + "' takes a "
                        + types[i].getSimpleName() + ", but was given " + value.getClass().getSimpleName()
                        + " " + value, e);
            }
        }
        return converted;
    }
}
