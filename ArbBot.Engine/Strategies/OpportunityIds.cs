namespace ArbBot.Engine.Strategies;

/// <summary>
/// Hands out opportunity ids, shared by every strategy so ids never collide, and continuing after the highest id
/// already stored so they stay unique across restarts. Hub thread only.
/// </summary>
public sealed class OpportunityIds
{
    private long _last;

    /// <summary>Ids continue after <paramref name="lastUsed"/> (never going backwards).</summary>
    public void StartAfter(long lastUsed) => _last = Math.Max(_last, lastUsed);

    public long Next() => ++_last;

    /// <summary>The last id handed out (read from any thread; a recording notes it so a replay numbers the same).</summary>
    public long Last => Volatile.Read(ref _last);
}
