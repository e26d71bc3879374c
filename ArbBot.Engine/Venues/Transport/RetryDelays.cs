using System.Net.Http.Headers;

namespace ArbBot.Engine.Venues.Transport;

/// <summary>
/// How long to wait before retrying a rate-limited request or reconnecting a dropped socket: exponential backoff with
/// "full jitter" (a random delay up to the exponential bound, so many clients do not retry in lock-step), and the
/// server's own Retry-After when it sent one. Thread-safe.
/// </summary>
public sealed class RetryDelays
{
    private readonly Lock _gate = new();
    private readonly Random _random;

    /// <param name="baseDelay">The bound for the first retry; doubles per attempt.</param>
    /// <param name="maxDelay">The largest backoff delay; a server's Retry-After is obeyed up to <see cref="LongestRetryAfter"/>.</param>
    /// <param name="random">Jitter source (seeded in tests); a new one by default.</param>
    public RetryDelays(TimeSpan baseDelay, TimeSpan maxDelay, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(baseDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDelay, baseDelay);
        BaseDelay = baseDelay;
        MaxDelay = maxDelay;
        _random = random ?? new Random();
    }

    /// <summary>The longest Retry-After obeyed as given (a venue asking for more is waited this long).</summary>
    public static readonly TimeSpan LongestRetryAfter = TimeSpan.FromMinutes(5);

    public TimeSpan BaseDelay { get; }

    public TimeSpan MaxDelay { get; }

    /// <summary>The delay before retry number <paramref name="attempt"/> (0 = the first retry).</summary>
    /// <param name="attempt">How many retries came before this one.</param>
    /// <param name="retryAfter">The server's Retry-After, if any: waited at least, plus a little jitter.</param>
    public TimeSpan Next(int attempt, TimeSpan? retryAfter = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(attempt);
        double fraction;
        lock (_gate) fraction = _random.NextDouble();
        if (retryAfter is { } after && after >= TimeSpan.Zero)
        {
            // The server said when, and retrying sooner only earns another refusal (found by the fault suite: a
            // Retry-After above MaxDelay was cut short). Add up to one base delay so clients told the same second spread
            // out; only an absurd value is capped.
            return Min(after + BaseDelay * fraction, Max(MaxDelay, LongestRetryAfter));
        }
        var bound = BaseDelay * Math.Pow(2, Math.Min(attempt, 30));
        // Never zero: a retry storm with zero delay is what the backoff is there to prevent.
        return Min(Max(bound * fraction, BaseDelay / 10), MaxDelay);
    }

    /// <summary>Reads a Retry-After header (seconds or an HTTP date) relative to <paramref name="now"/>; null when absent.</summary>
    public static TimeSpan? RetryAfter(RetryConditionHeaderValue? header, DateTimeOffset now) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
        _ => null,
    };

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
