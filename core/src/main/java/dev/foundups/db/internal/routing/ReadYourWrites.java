package dev.foundups.db.internal.routing;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import dev.foundups.db.ReplicaReads;

/**
 * What a read must see, in WAL positions: the writes of its thread (or, in {@link ReplicaReads#DATABASE} mode, of the
 * database) and the consistency tokens it reads after.
 *
 * <p>Each write outside a transaction and each commit takes the next number of a write sequence; the thread keeps
 * the last one it made. The {@link StandbyPoller} reads the sequence, then the primary's WAL insert position: that
 * position covers every write numbered up to what it read, and is kept as a sample. A read that must see write
 * {@code n} needs the first sample that covers {@code n}. So a write costs one increment, and a read no round trip
 * beyond its own; a write a few milliseconds old, which no sample covers yet, is read on the primary.
 */
final class ReadYourWrites {

    /** What {@link #required} returns when no sample covers the write yet; no real WAL position reaches it. */
    static final long UNCOVERED = -1;

    private static final int SAMPLES = 64;

    private final ReplicaReads mode;
    private final ThreadLocal<Scope> scopes = ThreadLocal.withInitial(Scope::new);
    private final AtomicLong writeSeq = new AtomicLong();
    /** The primary's recent positions, oldest first, published by the poller. */
    private volatile Sample[] samples = new Sample[0];

    /** One thread's reading state. */
    static final class Scope {
        /** The last write this thread made, in the write sequence; 0 for none. */
        long writeSeq;
        /** The position that write needs, once known; {@link Lsn#NONE} until then. */
        long writeLsn = Lsn.NONE;
        long writeLsnSeq;
        /** From a consistency token: reads must see at least this position. */
        long requiredLsn = Lsn.NONE;
        /** Above 0 while the thread's reads must run on the primary. */
        int primaryDepth;
    }

    /** A sample of the primary's position: it covers every write numbered up to {@code seq}. */
    private record Sample(long seq, long lsn) {
    }

    ReadYourWrites(ReplicaReads mode) {
        this.mode = mode;
    }

    /** @return the calling thread's state */
    Scope scope() {
        return scopes.get();
    }

    /** A write outside a transaction, or a commit, completed: later reads of this thread must see it. */
    void committed() {
        scopes.get().writeSeq = writeSeq.incrementAndGet();
    }

    /** @return the last write number handed out: a position read after this covers every write up to it */
    long sequence() {
        return writeSeq.get();
    }

    /**
     * Publishes a sample of the primary's position, on the poller's thread.
     *
     * @param seq the write number read before the position
     * @param lsn the primary's WAL insert position
     */
    void sampled(long seq, long lsn) {
        Sample[] old = samples;
        Sample[] next = old.length < SAMPLES ? Arrays.copyOf(old, old.length + 1)
                : Arrays.copyOfRange(old, 1, SAMPLES + 1);
        next[next.length - 1] = new Sample(seq, lsn);
        samples = next;
    }

    /** Runs the thread's reads on the primary while {@code work} runs. */
    <T> T onPrimary(Supplier<T> work) {
        Scope s = scopes.get();
        s.primaryDepth++;
        try {
            return work.get();
        } finally {
            s.primaryDepth--;
        }
    }

    /** Makes the thread's reads see at least position {@code lsn} while {@code work} runs. */
    <T> T readingAfter(long lsn, Supplier<T> work) {
        Scope s = scopes.get();
        long before = s.requiredLsn;
        s.requiredLsn = Lsn.later(before, lsn);
        try {
            return work.get();
        } finally {
            s.requiredLsn = before;
        }
    }

    /**
     * @param s the reading thread's state
     * @return the position its read must reach: its tokens' and its last write's (or the database's); {@link
     *         #UNCOVERED} when no sample covers that write yet
     */
    long required(Scope s) {
        long seq = lastWrite(s);
        if (seq == 0) {
            return s.requiredLsn;
        }
        long covering = covering(s, seq);
        return covering == UNCOVERED ? UNCOVERED : Lsn.later(s.requiredLsn, covering);
    }

    /** @return whether the thread's reads must see anything at all (a write, or a token) */
    boolean seesSomething(Scope s) {
        return lastWrite(s) > 0 || s.requiredLsn != Lsn.NONE;
    }

    /**
     * The position a read must reach to see this thread's writes (or, in DATABASE mode, the database's) and the
     * tokens it was handed.
     *
     * @param primaryPosition asked when no sample has covered the last write yet
     * @return the position; {@link Lsn#NONE} when nothing needs to be seen
     */
    long consistencyPosition(LongSupplier primaryPosition) {
        Scope s = scopes.get();
        long required = required(s);
        return required != UNCOVERED ? required : Lsn.later(s.requiredLsn, primaryPosition.getAsLong());
    }

    private long lastWrite(Scope s) {
        return mode == ReplicaReads.DATABASE ? writeSeq.get() : s.writeSeq;
    }

    /** The first sample covering write {@code seq}, or {@link #UNCOVERED}. Cached in the scope for its own write. */
    private long covering(Scope s, long seq) {
        if (s.writeLsnSeq == seq && s.writeLsn != Lsn.NONE) {
            return s.writeLsn;
        }
        for (Sample sample : samples) {
            if (sample.seq >= seq) {
                if (seq == s.writeSeq) {
                    s.writeLsnSeq = seq;
                    s.writeLsn = sample.lsn;
                }
                return sample.lsn;
            }
        }
        return UNCOVERED;
    }
}
