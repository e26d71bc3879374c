namespace ArbBot.Engine.MarketData;

/// <summary>
/// Decides which of a repeating failure's occurrences to log: the first of each kind (where it failed and the exception's
/// type), then at most one per interval carrying how many were not logged in between. Every failure is still counted by
/// its owner; this only keeps one broken listener on a busy book from writing a log line per event.
/// </summary>
public sealed class RepeatedErrorLog(TimeProvider time, TimeSpan interval)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(Type Source, Type Exception), (DateTimeOffset LoggedAt, long Unlogged)> _seen = [];

    /// <summary>True when this occurrence should be logged; <paramref name="unlogged"/> is how many of its kind were not since the last one logged.</summary>
    public bool ShouldLog(Type source, Exception exception, out long unlogged)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(exception);
        var key = (source, exception.GetType());
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_seen.TryGetValue(key, out var seen) && now - seen.LoggedAt < interval)
            {
                _seen[key] = seen with { Unlogged = seen.Unlogged + 1 };
                unlogged = 0;
                return false;
            }
            unlogged = seen.Unlogged;
            _seen[key] = (now, 0);
            return true;
        }
    }
}
