namespace ArbBot.Engine.Venues.Transport;

/// <summary>
/// A client-side rate limiter: holds up to <see cref="Capacity"/> tokens, refilled at <see cref="TokensPerSecond"/>;
/// each request takes one, waiting (on the injected clock) when none is left. Venues publish their limits per tier
/// (Kalshi: reads and writes), so a client keeps one bucket per tier and stays under the venue's limit instead of
/// collecting 429s. Thread-safe; waiters are served in no particular order.
/// </summary>
public sealed class TokenBucket
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private double _tokens;
    private long _lastRefillTimestamp;

    /// <summary>Creates a full bucket.</summary>
    /// <param name="tokensPerSecond">Refill rate; greater than zero.</param>
    /// <param name="capacity">Largest burst; at least one.</param>
    /// <param name="time">The clock waits are measured on.</param>
    public TokenBucket(double tokensPerSecond, int capacity, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokensPerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        ArgumentNullException.ThrowIfNull(time);
        TokensPerSecond = tokensPerSecond;
        Capacity = capacity;
        _time = time;
        _tokens = capacity;
        _lastRefillTimestamp = time.GetTimestamp();
    }

    /// <summary>Refill rate.</summary>
    public double TokensPerSecond { get; }

    /// <summary>Largest burst.</summary>
    public int Capacity { get; }

    /// <summary>Takes a token if one is available now; otherwise says how long until one will be.</summary>
    public bool TryTake(out TimeSpan wait)
    {
        lock (_gate)
        {
            Refill();
            if (_tokens >= 1)
            {
                _tokens -= 1;
                wait = TimeSpan.Zero;
                return true;
            }
            wait = TimeSpan.FromSeconds((1 - _tokens) / TokensPerSecond);
            return false;
        }
    }

    /// <summary>Takes a token, waiting for the refill when the bucket is empty.</summary>
    public async ValueTask TakeAsync(CancellationToken cancellationToken)
    {
        while (!TryTake(out var wait))
        {
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Refill()
    {
        var now = _time.GetTimestamp();
        var elapsed = _time.GetElapsedTime(_lastRefillTimestamp, now).TotalSeconds;
        _lastRefillTimestamp = now;
        if (elapsed > 0) _tokens = Math.Min(Capacity, _tokens + elapsed * TokensPerSecond);
    }
}
