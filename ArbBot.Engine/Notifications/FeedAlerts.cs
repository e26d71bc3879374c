using System.Globalization;
using ArbBot.Engine.Venues;

namespace ArbBot.Engine.Notifications;

/// <summary>
/// Decides the alerts for the venues' market-data feeds from successive readings of their states: one when a feed that
/// has been live stops being live, and one when it is live again, once per outage however many states it passes through
/// (Disconnected → Connecting → Degraded) while it is down. A feed that has not come live within
/// <see cref="StartGrace"/> of the desk starting is alerted too (wrong credentials, a venue out of reach: the desk would
/// otherwise sit idle on that venue without a word), and its first time live is announced. A stopped feed (shutting down)
/// is not alerted. Not thread-safe: one watcher calls it.
/// </summary>
internal sealed class FeedAlerts(DateTimeOffset startedAt)
{
    private readonly HashSet<string> _seenLive = new(StringComparer.Ordinal);
    private readonly HashSet<string> _alertedDown = new(StringComparer.Ordinal);

    /// <summary>How long a feed may take to come live after the desk starts before it is alerted.</summary>
    public TimeSpan StartGrace { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The alert the feed <paramref name="name"/> in <paramref name="state"/> at <paramref name="now"/> calls for, if any.</summary>
    public Notification? Observe(string name, FeedState state, DateTimeOffset now)
    {
        if (state == FeedState.Live)
        {
            var before = _seenLive.Add(name) ? "live." : "live again.";
            return _alertedDown.Remove(name) ? new Notification("venue", $"✅ {name} market data is {before}") : null;
        }
        if (state == FeedState.Stopped) return null;
        if (_seenLive.Contains(name))
        {
            return _alertedDown.Add(name) ? new Notification("venue", $"⚠️ {name} market data is {state}: its books are stale and not traded.") : null;
        }
        if (now - startedAt < StartGrace || !_alertedDown.Add(name)) return null;
        var since = startedAt.UtcDateTime.ToString("HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
        return new Notification("venue", $"⚠️ {name} market data has not come live since the desk started at {since} (it is {state}): its markets are not traded.");
    }
}
