package dev.foundups.db.internal.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The hosts of a pgjdbc URL ({@code jdbc:postgresql://h1:5432,h2:5432/db?...}), and one-host URLs made from it. */
public final class JdbcHosts {

    private static final String PREFIX = "jdbc:postgresql:";
    /** Parameters that choose among several hosts: meaningless, or wrong, on a one-host URL. */
    private static final List<String> MULTI_HOST_PARAMETERS = List.of("targetServerType", "hostRecheckSeconds",
            "loadBalanceHosts");

    private JdbcHosts() {
    }

    /**
     * @param jdbcUrl a pgjdbc URL
     * @return its hosts as {@code host:port}, in order; {@code localhost:5432} for {@code jdbc:postgresql:db}
     */
    public static List<String> hosts(String jdbcUrl) {
        String rest = jdbcUrl.substring(PREFIX.length());
        if (!rest.startsWith("//")) {
            return List.of("localhost:5432");
        }
        int end = rest.length();
        for (char c : new char[] {'/', '?'}) {
            int i = rest.indexOf(c, 2);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        List<String> hosts = new ArrayList<>();
        for (String host : rest.substring(2, end).split(",")) {
            String h = host.trim();
            if (h.isEmpty()) {
                continue;
            }
            boolean hasPort = h.lastIndexOf(':') > h.lastIndexOf(']');
            hosts.add(hasPort ? h : h + ":5432");
        }
        return hosts;
    }

    /** @return whether the URL names more than one host */
    public static boolean multiHost(String jdbcUrl) {
        return hosts(jdbcUrl).size() > 1;
    }

    /** @return whether the URL sets the parameter itself */
    public static boolean hasParameter(String jdbcUrl, String name) {
        int q = jdbcUrl.indexOf('?');
        return q >= 0 && Stream.of(jdbcUrl.substring(q + 1).split("&")).anyMatch(p -> p.startsWith(name + "="));
    }

    /**
     * @param jdbcUrl a pgjdbc URL
     * @param host    one of its hosts, {@code host:port}
     * @return the same URL on that host alone, without the parameters that choose among hosts
     */
    static String withHost(String jdbcUrl, String host) {
        String rest = jdbcUrl.substring(PREFIX.length());
        String database;
        String query = "";
        if (rest.startsWith("//")) {
            int slash = rest.indexOf('/', 2);
            int q = rest.indexOf('?', 2);
            if (slash < 0 || (q >= 0 && q < slash)) {
                database = "";
                query = q < 0 ? "" : rest.substring(q + 1);
            } else {
                String tail = rest.substring(slash + 1);
                int tq = tail.indexOf('?');
                database = tq < 0 ? tail : tail.substring(0, tq);
                query = tq < 0 ? "" : tail.substring(tq + 1);
            }
        } else {
            int q = rest.indexOf('?');
            database = q < 0 ? rest : rest.substring(0, q);
            query = q < 0 ? "" : rest.substring(q + 1);
        }
        String kept = Stream.of(query.split("&"))
                .filter(p -> !p.isEmpty() && MULTI_HOST_PARAMETERS.stream().noneMatch(m -> p.startsWith(m + "=")))
                .collect(Collectors.joining("&"));
        return "jdbc:postgresql://" + host + "/" + database + (kept.isEmpty() ? "" : "?" + kept);
    }
}
