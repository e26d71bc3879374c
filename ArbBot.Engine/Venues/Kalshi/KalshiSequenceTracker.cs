namespace ArbBot.Engine.Venues.Kalshi;

/// <summary>What <see cref="KalshiSequenceTracker"/> decided about one message.</summary>
public enum KalshiSequenceVerdict
{
    /// <summary>The next message in order (or a snapshot): apply it.</summary>
    Accepted,
    /// <summary>A seq already seen: ignore it.</summary>
    Duplicate,
    /// <summary>One or more messages were skipped: the book is unreliable; request a fresh snapshot.</summary>
    Gap,
    /// <summary>A delta after a gap and before the next snapshot: ignore it (it would apply to a broken book).</summary>
    AwaitingSnapshot,
}

/// <summary>The verdict on one message, with the seq the tracker expected for it.</summary>
public readonly record struct KalshiSequenceResult(KalshiSequenceVerdict Verdict, long Expected);

/// <summary>
/// Checks that each Kalshi subscription's <c>seq</c> is contiguous, per <c>sid</c>: a snapshot (re)starts the count,
/// a delta must be exactly one more than the last seq. A gap is reported once, after which the sid's deltas are
/// refused until the next snapshot, so a feed never applies a delta to a book that missed one. Single-threaded,
/// like the feed that owns it.
/// </summary>
public sealed class KalshiSequenceTracker
{
    private readonly Dictionary<long, State> _states = [];

    /// <summary>A snapshot with this seq: the sid's book is whole again, whatever came before.</summary>
    public KalshiSequenceResult ObserveSnapshot(long sid, long seq)
    {
        var expected = _states.TryGetValue(sid, out var s) ? s.Last + 1 : seq;
        _states[sid] = new State(seq, AwaitingSnapshot: false);
        return new KalshiSequenceResult(KalshiSequenceVerdict.Accepted, expected);
    }

    /// <summary>A delta (or any other sequenced message) with this seq.</summary>
    public KalshiSequenceResult Observe(long sid, long seq)
    {
        if (!_states.TryGetValue(sid, out var s))
        {
            // A delta before any snapshot cannot be applied to anything: treat it as a gap so the feed asks for one.
            _states[sid] = new State(seq, AwaitingSnapshot: true);
            return new KalshiSequenceResult(KalshiSequenceVerdict.Gap, seq);
        }
        var expected = s.Last + 1;
        if (seq < expected) return new KalshiSequenceResult(KalshiSequenceVerdict.Duplicate, expected);
        if (s.AwaitingSnapshot)
        {
            _states[sid] = s with { Last = seq };
            return new KalshiSequenceResult(KalshiSequenceVerdict.AwaitingSnapshot, expected);
        }
        if (seq > expected)
        {
            _states[sid] = new State(seq, AwaitingSnapshot: true);
            return new KalshiSequenceResult(KalshiSequenceVerdict.Gap, expected);
        }
        _states[sid] = s with { Last = seq };
        return new KalshiSequenceResult(KalshiSequenceVerdict.Accepted, expected);
    }

    /// <summary>True when the sid had a gap and no snapshot since.</summary>
    public bool IsAwaitingSnapshot(long sid) => _states.TryGetValue(sid, out var s) && s.AwaitingSnapshot;

    /// <summary>Forgets a sid (after unsubscribing or reconnecting: a new connection restarts seq).</summary>
    public void Forget(long sid) => _states.Remove(sid);

    /// <summary>Forgets every sid.</summary>
    public void Reset() => _states.Clear();

    private readonly record struct State(long Last, bool AwaitingSnapshot);
}
